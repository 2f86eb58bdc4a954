using Berth.Api;

namespace Berth.Server.Resources;

public static partial class HostResources
{
    /// <summary>
    /// Network cards from <c>/sys/class/net</c>: interfaces with a <c>device</c> link (physical ones; bridges,
    /// veths and loopback have none), grouped into one card per device, each interface a port. Port and
    /// transceiver types and auto-negotiation need ethtool ioctls and are left out.
    /// </summary>
    internal static ResourcesNetwork ReadNetwork(HostPaths host)
    {
        var netRoot = host.Sys("class/net");
        var cards = new Dictionary<string, ResourcesNetworkCard>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var name in Entries(netRoot).Order(StringComparer.Ordinal))
        {
            var iface = Path.Combine(netRoot, name);
            var device = RealPath(Path.Combine(iface, "device"));
            if (device is null)
            {
                continue;
            }

            if (!cards.TryGetValue(device, out var card))
            {
                var (driver, version) = Driver(host, device);
                card = new ResourcesNetworkCard
                {
                    Driver = NullIfEmpty(driver),
                    DriverVersion = NullIfEmpty(version),
                    Ports = [],
                    NumaNode = DeviceNumaNode(device),
                    PciAddress = PciAddressOf(device),
                    VendorId = ReadId(Path.Combine(device, "vendor")) ?? ReadId(Path.Combine(device, "idVendor")),
                    ProductId = ReadId(Path.Combine(device, "device")) ?? ReadId(Path.Combine(device, "idProduct")),
                    UsbAddress = UsbAddressOf(device),
                };
                var sriovTotal = ReadUlong(Path.Combine(device, "sriov_totalvfs"));
                if (sriovTotal is > 0)
                {
                    card.Sriov = new ResourcesNetworkCardSriov
                    {
                        CurrentVfs = ReadUlong(Path.Combine(device, "sriov_numvfs")) ?? 0,
                        MaximumVfs = sriovTotal.Value,
                    };
                }

                cards[device] = card;
                order.Add(device);
            }

            card.Ports!.Add(ReadPort(iface, name, (ulong)card.Ports.Count));
        }

        var list = order.Select(d => cards[d]).ToList();
        return new ResourcesNetwork { Cards = list, Total = (ulong)list.Count };
    }

    private static ResourcesNetworkCardPort ReadPort(string iface, string name, ulong index)
    {
        // ARPHRD_ETHER = 1, ARPHRD_INFINIBAND = 32.
        var protocol = ReadUlong(Path.Combine(iface, "type")) == 32 ? "infiniband" : "ethernet";
        var speed = ReadLong(Path.Combine(iface, "speed"));
        var duplex = ReadText(Path.Combine(iface, "duplex"));
        return new ResourcesNetworkCardPort
        {
            Id = name,
            Address = NullIfEmpty(ReadText(Path.Combine(iface, "address"))),
            Port = ReadUlong(Path.Combine(iface, "dev_port")) ?? index,
            Protocol = protocol,
            LinkDetected = ReadUlong(Path.Combine(iface, "carrier")) == 1,
            LinkSpeed = speed is > 0 ? (ulong)speed.Value : 0,
            LinkDuplex = duplex is "full" or "half" ? duplex : null,
        };
    }
}
