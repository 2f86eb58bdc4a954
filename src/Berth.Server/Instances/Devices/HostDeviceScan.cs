using Berth.Native;

namespace Berth.Server.Instances.Devices;

/// <summary>
/// GPUs and USB devices as the host's sysfs lists them (LXD's way for containers): each DRM card/render node
/// under <c>class/drm</c> with its PCI vendor/product/address, each USB device under <c>bus/usb/devices</c>.
/// The sysfs root is a parameter so the matching is testable without the hardware.
/// </summary>
public sealed class HostDeviceScan(string sysRoot = "/sys")
{
    public sealed record Gpu(string Name, string Id, DeviceNumber Number, string VendorId, string ProductId, string Pci);

    public sealed record Usb(DeviceNumber Number, string VendorId, string ProductId, int BusNum, int DevNum, string Serial);

    public IReadOnlyList<Gpu> Gpus()
    {
        var drm = Path.Combine(sysRoot, "class", "drm");
        if (!Directory.Exists(drm))
        {
            return [];
        }

        var gpus = new List<Gpu>();
        foreach (var dir in Directory.EnumerateFileSystemEntries(drm).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(dir);
            // card0, renderD128; not the connectors (card0-HDMI-A-1).
            if (!(name.StartsWith("card", StringComparison.Ordinal) || name.StartsWith("renderD", StringComparison.Ordinal)) || name.Contains('-', StringComparison.Ordinal)
                || ReadDev(Path.Combine(dir, "dev")) is not { } number)
            {
                continue;
            }

            var device = Path.Combine(dir, "device");
            var pci = new DirectoryInfo(device).LinkTarget is { } target ? Path.GetFileName(target) : "";
            gpus.Add(new Gpu(name, CardId(device, name), number, Hex(Path.Combine(device, "vendor")), Hex(Path.Combine(device, "device")), pci));
        }

        return gpus;
    }

    public IReadOnlyList<Usb> UsbDevices()
    {
        var root = Path.Combine(sysRoot, "bus", "usb", "devices");
        if (!Directory.Exists(root))
        {
            return [];
        }

        var devices = new List<Usb>();
        foreach (var dir in Directory.EnumerateFileSystemEntries(root).Order(StringComparer.Ordinal))
        {
            if (!File.Exists(Path.Combine(dir, "idVendor")) || ReadDev(Path.Combine(dir, "dev")) is not { } number)
            {
                continue;
            }

            devices.Add(new Usb(number, Read(Path.Combine(dir, "idVendor")), Read(Path.Combine(dir, "idProduct")),
                int.TryParse(Read(Path.Combine(dir, "busnum")), out var bus) ? bus : 0,
                int.TryParse(Read(Path.Combine(dir, "devnum")), out var num) ? num : 0,
                Read(Path.Combine(dir, "serial"))));
        }

        return devices;
    }

    /// <summary>LXD's GPU id is the DRM card number; a render node takes the id of the card on the same device.</summary>
    private static string CardId(string device, string name)
    {
        if (name.StartsWith("card", StringComparison.Ordinal))
        {
            return name[4..];
        }

        var drmDir = Path.Combine(device, "drm");
        if (Directory.Exists(drmDir))
        {
            var card = Directory.EnumerateFileSystemEntries(drmDir).Select(Path.GetFileName).FirstOrDefault(n => n!.StartsWith("card", StringComparison.Ordinal));
            if (card is not null)
            {
                return card[4..];
            }
        }

        return "";
    }

    private static DeviceNumber? ReadDev(string file)
    {
        var parts = Read(file).Split(':');
        return parts.Length == 2 && int.TryParse(parts[0], out var major) && int.TryParse(parts[1], out var minor) ? new DeviceNumber(true, major, minor) : null;
    }

    private static string Hex(string file)
    {
        var text = Read(file);
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..].ToLowerInvariant() : text.ToLowerInvariant();
    }

    private static string Read(string file)
    {
        try
        {
            return File.Exists(file) ? File.ReadAllText(file).Trim() : "";
        }
        catch (IOException)
        {
            return "";
        }
    }
}
