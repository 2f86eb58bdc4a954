using Berth.Api;

namespace Berth.Server.Resources;

public static partial class HostResources
{
    // SMBIOS chassis types (DMTF DSP0134, table "System Enclosure or Chassis Types").
    private static readonly string[] ChassisTypes =
    [
        "", "Other", "Unknown", "Desktop", "Low Profile Desktop", "Pizza Box", "Mini Tower", "Tower", "Portable", "Laptop",
        "Notebook", "Hand Held", "Docking Station", "All in One", "Sub Notebook", "Space-saving", "Lunch Box",
        "Main Server Chassis", "Expansion Chassis", "SubChassis", "Bus Expansion Chassis", "Peripheral Chassis",
        "RAID Chassis", "Rack Mount Chassis", "Sealed-case PC", "Multi-system chassis", "Compact PCI", "Advanced TCA",
        "Blade", "Blade Enclosure", "Tablet", "Convertible", "Detachable", "IoT Gateway", "Embedded PC", "Mini PC", "Stick PC",
    ];

    // DMI vendor/product strings of common hypervisors.
    private static readonly string[] VirtualMachineVendors =
        ["QEMU", "KVM", "VMware", "VirtualBox", "innotek GmbH", "Xen", "Microsoft Corporation", "Bochs", "Parallels", "Amazon EC2", "Google", "Firecracker"];

    /// <summary>
    /// The machine from <c>/sys/class/dmi/id</c>; without DMI (containers, some VMs) only the type is known and
    /// firmware, chassis and motherboard are null, as in LXD.
    /// </summary>
    internal static ResourcesSystem ReadSystem(HostPaths host)
    {
        var dmi = host.Sys("class/dmi/id");
        var system = new ResourcesSystem { Type = SystemType(host, dmi) };
        if (!Directory.Exists(dmi))
        {
            return system;
        }

        string Dmi(string name) => ReadText(Path.Combine(dmi, name)) ?? "";

        system.Uuid = Dmi("product_uuid");
        system.Vendor = Dmi("sys_vendor");
        system.Product = Dmi("product_name");
        system.Family = Dmi("product_family");
        system.Version = Dmi("product_version");
        system.Sku = Dmi("product_sku");
        system.Serial = Dmi("product_serial");
        system.Firmware = new ResourcesSystemFirmware { Vendor = Dmi("bios_vendor"), Date = Dmi("bios_date"), Version = Dmi("bios_version") };
        var chassisType = ReadUlong(Path.Combine(dmi, "chassis_type")) ?? 0;
        system.Chassis = new ResourcesSystemChassis
        {
            Vendor = Dmi("chassis_vendor"),
            Type = chassisType < (ulong)ChassisTypes.Length ? ChassisTypes[chassisType] : "",
            Serial = Dmi("chassis_serial"),
            Version = Dmi("chassis_version"),
        };
        system.Motherboard = new ResourcesSystemMotherboard
        {
            Vendor = Dmi("board_vendor"),
            Product = Dmi("board_name"),
            Serial = Dmi("board_serial"),
            Version = Dmi("board_version"),
        };
        return system;
    }

    /// <summary>
    /// What <c>systemd-detect-virt</c> would say, from the simple signs: container markers first (the
    /// <c>container=</c> variable of PID 1, <c>/run/systemd/container</c>, <c>/.dockerenv</c>,
    /// <c>/run/.containerenv</c>, OpenVZ), then a hypervisor (the cpuinfo <c>hypervisor</c> flag or a DMI vendor).
    /// </summary>
    internal static string SystemType(HostPaths host, string dmi)
    {
        var environ = ReadText(host.Proc("1/environ")) ?? "";
        if (environ.Split('\0').Any(v => v.StartsWith("container=", StringComparison.Ordinal) && v.Length > "container=".Length)
            || File.Exists(Path.Combine(host.Root, "run/systemd/container"))
            || File.Exists(Path.Combine(host.Root, ".dockerenv"))
            || File.Exists(Path.Combine(host.Root, "run/.containerenv"))
            || (Directory.Exists(host.Proc("vz")) && !Directory.Exists(host.Proc("bc"))))
        {
            return "container";
        }

        var flags = ParseCpuinfo(ReadText(host.Proc("cpuinfo")) ?? "")
            .Select(b => b.GetValueOrDefault("flags") ?? "")
            .FirstOrDefault() ?? "";
        var vendor = $"{ReadText(Path.Combine(dmi, "sys_vendor"))} {ReadText(Path.Combine(dmi, "product_name"))}";
        if (flags.Split(' ').Contains("hypervisor") || VirtualMachineVendors.Any(v => vendor.Contains(v, StringComparison.Ordinal)))
        {
            return "virtual-machine";
        }

        return "physical";
    }
}
