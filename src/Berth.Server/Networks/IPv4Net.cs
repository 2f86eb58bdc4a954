using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Berth.Server.Networks;

/// <summary>An IPv4 address with a prefix length (<c>10.1.2.1/24</c>), as numbers, for overlap checks.</summary>
public readonly record struct IPv4Net(uint Address, int Prefix)
{
    public uint Mask => Prefix == 0 ? 0 : uint.MaxValue << (32 - Prefix);

    public uint First => Address & Mask;

    public uint Last => First | ~Mask;

    public string AddressText => Format(Address);

    public IPv4Net Subnet => new(First, Prefix);

    public bool Overlaps(IPv4Net other) => First <= other.Last && other.First <= Last;

    public bool Contains(uint address) => address >= First && address <= Last;

    public override string ToString() => $"{AddressText}/{Prefix.ToString(CultureInfo.InvariantCulture)}";

    public static bool TryParse(string text, out IPv4Net net)
    {
        net = default;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var address = slash < 0 ? text : text[..slash];
        var prefix = 32;
        if (slash >= 0 && !int.TryParse(text[(slash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out prefix))
        {
            return false;
        }

        if (prefix is < 0 or > 32 || !TryParseAddress(address, out var value))
        {
            return false;
        }

        net = new IPv4Net(value, prefix);
        return true;
    }

    public static bool TryParseAddress(string text, out uint value)
    {
        value = 0;
        if (text.Count(c => c == '.') != 3 || !IPAddress.TryParse(text, out var ip) || ip.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        var bytes = ip.GetAddressBytes();
        value = ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
        return true;
    }

    public static string Format(uint address) =>
        string.Create(CultureInfo.InvariantCulture, $"{address >> 24}.{(address >> 16) & 255}.{(address >> 8) & 255}.{address & 255}");
}
