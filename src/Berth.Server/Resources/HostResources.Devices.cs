using System.Globalization;
using Berth.Api;

namespace Berth.Server.Resources;

public static partial class HostResources
{
    /// <summary>PCI devices from <c>/sys/bus/pci/devices</c>. Vendor and product names (pci.ids) and VPD are not read.</summary>
    internal static ResourcesPci ReadPci(HostPaths host)
    {
        var pciRoot = host.Sys("bus/pci/devices");
        var devices = new List<ResourcesPciDevice>();
        foreach (var address in Entries(pciRoot).Order(StringComparer.Ordinal))
        {
            var dir = RealPath(Path.Combine(pciRoot, address)) ?? Path.Combine(pciRoot, address);
            var (driver, version) = Driver(host, dir);
            devices.Add(new ResourcesPciDevice
            {
                Driver = driver,
                DriverVersion = version,
                NumaNode = DeviceNumaNode(dir),
                PciAddress = address,
                VendorId = ReadId(Path.Combine(dir, "vendor")) ?? "",
                ProductId = ReadId(Path.Combine(dir, "device")) ?? "",
                IommuGroup = ulong.TryParse(LinkName(Path.Combine(dir, "iommu_group")), NumberStyles.None, CultureInfo.InvariantCulture, out var group) ? group : 0,
            });
        }

        return new ResourcesPci { Devices = devices, Total = (ulong)devices.Count };
    }

    /// <summary>
    /// USB devices from <c>/sys/bus/usb/devices</c>, leaving out root hubs (<c>usbN</c>) and interfaces
    /// (<c>1-1:1.0</c>), which become the device's interfaces. Class names (usb.ids) are not read.
    /// </summary>
    internal static ResourcesUsb ReadUsb(HostPaths host)
    {
        var usbRoot = host.Sys("bus/usb/devices");
        var devices = new List<ResourcesUsbDevice>();
        foreach (var name in Entries(usbRoot).Where(n => !n.Contains(':', StringComparison.Ordinal) && !n.StartsWith("usb", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var dir = RealPath(Path.Combine(usbRoot, name)) ?? Path.Combine(usbRoot, name);
            var device = new ResourcesUsbDevice
            {
                BusAddress = ReadUlong(Path.Combine(dir, "busnum")) ?? 0,
                DeviceAddress = ReadUlong(Path.Combine(dir, "devnum")) ?? 0,
                Vendor = ReadText(Path.Combine(dir, "manufacturer")) ?? "",
                VendorId = ReadText(Path.Combine(dir, "idVendor")) ?? "",
                Product = ReadText(Path.Combine(dir, "product")) ?? "",
                ProductId = ReadText(Path.Combine(dir, "idProduct")) ?? "",
                Speed = double.TryParse(ReadText(Path.Combine(dir, "speed")), NumberStyles.Float, CultureInfo.InvariantCulture, out var speed) ? speed : 0,
            };

            foreach (var iface in Entries(dir).Where(n => n.StartsWith(name + ":", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                var ifaceDir = Path.Combine(dir, iface);
                var (driver, version) = Driver(host, ifaceDir);
                device.Interfaces.Add(new ResourcesUsbDeviceInterface
                {
                    ClassId = ReadHex(Path.Combine(ifaceDir, "bInterfaceClass")) ?? 0,
                    SubClassId = ReadHex(Path.Combine(ifaceDir, "bInterfaceSubClass")) ?? 0,
                    Number = ReadHex(Path.Combine(ifaceDir, "bInterfaceNumber")) ?? 0,
                    Driver = driver,
                    DriverVersion = version,
                });
            }

            devices.Add(device);
        }

        return new ResourcesUsb { Devices = devices, Total = (ulong)devices.Count };
    }

    /// <summary>GPUs from the DRM cards of <c>/sys/class/drm</c> (<c>cardN</c>, not its connectors <c>cardN-HDMI-A-1</c>).</summary>
    internal static ResourcesGpu ReadGpu(HostPaths host)
    {
        var drmRoot = host.Sys("class/drm");
        var cards = new List<ResourcesGpuCard>();
        var cardNames = Entries(drmRoot)
            .Select(n => (Name: n, Id: NumericSuffix(n, "card")))
            .Where(c => c.Id >= 0)
            .OrderBy(c => c.Id);
        foreach (var (name, id) in cardNames)
        {
            var device = RealPath(Path.Combine(drmRoot, name, "device"));
            if (device is null)
            {
                continue;
            }

            var (driver, version) = Driver(host, device);
            var drm = new ResourcesGpuCardDrm
            {
                Id = (ulong)id,
                CardName = name,
                CardDevice = ReadText(Path.Combine(drmRoot, name, "dev")) ?? "",
            };

            // The card's sibling DRM nodes (controlD64, renderD128) live under the device's drm directory.
            var drmDir = Path.Combine(device, "drm");
            foreach (var node in Entries(drmDir))
            {
                var dev = NullIfEmpty(ReadText(Path.Combine(drmDir, node, "dev")));
                if (node.StartsWith("renderD", StringComparison.Ordinal))
                {
                    (drm.RenderName, drm.RenderDevice) = (node, dev);
                }
                else if (node.StartsWith("controlD", StringComparison.Ordinal))
                {
                    (drm.ControlName, drm.ControlDevice) = (node, dev);
                }
            }

            cards.Add(new ResourcesGpuCard
            {
                Driver = NullIfEmpty(driver),
                DriverVersion = NullIfEmpty(version),
                Drm = drm,
                NumaNode = DeviceNumaNode(device),
                PciAddress = PciAddressOf(device),
                VendorId = ReadId(Path.Combine(device, "vendor")),
                ProductId = ReadId(Path.Combine(device, "device")),
                UsbAddress = UsbAddressOf(device),
            });
        }

        return new ResourcesGpu { Cards = cards, Total = (ulong)cards.Count };
    }
}
