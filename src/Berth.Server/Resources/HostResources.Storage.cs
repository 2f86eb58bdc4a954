using Berth.Api;

namespace Berth.Server.Resources;

public static partial class HostResources
{
    private static readonly string[] VirtualDiskPrefixes = ["loop", "ram", "zram"];

    /// <summary>
    /// Disks from <c>/sys/block</c>: entries with a <c>device</c> link (as LXD), leaving out loop and ram devices
    /// of size 0; partitions are the disk's sub-directories that have a <c>partition</c> file.
    /// </summary>
    internal static ResourcesStorage ReadStorage(HostPaths host)
    {
        var blockRoot = host.Sys("block");
        var disks = new List<ResourcesStorageDisk>();
        foreach (var name in Entries(blockRoot).Order(StringComparer.Ordinal))
        {
            var dir = Path.Combine(blockRoot, name);
            var size = (ReadUlong(Path.Combine(dir, "size")) ?? 0) * 512;
            if (VirtualDiskPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal)) && size == 0)
            {
                continue;
            }

            var device = RealPath(Path.Combine(dir, "device"));
            if (device is null)
            {
                continue;
            }

            var subsystem = LinkName(Path.Combine(device, "subsystem"));
            disks.Add(new ResourcesStorageDisk
            {
                Id = name,
                Device = ReadText(Path.Combine(dir, "dev")) ?? "",
                Model = NullIfEmpty(ReadText(Path.Combine(device, "model"))),
                Type = NullIfEmpty(subsystem),
                ReadOnly = ReadUlong(Path.Combine(dir, "ro")) == 1,
                Size = size,
                Removable = ReadUlong(Path.Combine(dir, "removable")) == 1,
                Wwn = NullIfEmpty(ReadText(Path.Combine(dir, "wwid")) ?? ReadText(Path.Combine(device, "wwid"))),
                NumaNode = DeviceNumaNode(device),
                FirmwareVersion = NullIfEmpty(ReadText(Path.Combine(device, "firmware_rev")) ?? ReadText(Path.Combine(device, "rev"))),
                // LXD reports 1 for a rotational disk whose speed udev does not know, 0 for solid state.
                Rpm = ReadUlong(Path.Combine(dir, "queue", "rotational")) == 1 ? 1UL : 0,
                // LXD 5.0 takes the serial from udev; /sys/block/<disk>/serial is not reported.
                Serial = NullIfEmpty(ReadText(Path.Combine(device, "serial"))),
                Partitions = ReadPartitions(dir),
                PciAddress = PciAddressOf(device),
                UsbAddress = UsbAddressOf(device),
            });
        }

        var total = disks.Aggregate(0UL, (sum, d) => sum + 1 + (ulong)d.Partitions.Count);
        return new ResourcesStorage { Disks = disks, Total = total };
    }

    private static List<ResourcesStorageDiskPartition> ReadPartitions(string diskDir) =>
        [.. Entries(diskDir)
            .Select(name => (Name: name, Number: ReadUlong(Path.Combine(diskDir, name, "partition"))))
            .Where(p => p.Number is not null)
            .OrderBy(p => p.Number)
            .Select(p => new ResourcesStorageDiskPartition
            {
                Id = p.Name,
                Device = ReadText(Path.Combine(diskDir, p.Name, "dev")) ?? "",
                ReadOnly = ReadUlong(Path.Combine(diskDir, p.Name, "ro")) == 1,
                Size = (ReadUlong(Path.Combine(diskDir, p.Name, "size")) ?? 0) * 512,
                Partition = p.Number!.Value,
            })];
}
