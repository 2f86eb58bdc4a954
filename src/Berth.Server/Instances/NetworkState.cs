using System.Globalization;
using Berth.Api;
using Berth.Native;

namespace Berth.Server.Instances;

/// <summary>Interface counters of a running container, read from its init's /proc/&lt;pid&gt;/net/dev.</summary>
internal static class NetworkState
{
    public static Dictionary<string, InstanceStateNetwork>? Read(long pid)
    {
        return pid <= 0 || KernelFiles.Read($"/proc/{pid}/net/dev") is not { } text ? null : Parse(text);
    }

    /// <summary>The interfaces of a /proc/net/dev text, with their counters.</summary>
    internal static Dictionary<string, InstanceStateNetwork> Parse(string text)
    {
        var result = new Dictionary<string, InstanceStateNetwork>(StringComparer.Ordinal);
        Span<long> f = stackalloc long[16];
        var lineNumber = 0;
        foreach (var line in text.AsSpan().EnumerateLines())
        {
            var colon = line.IndexOf(':');
            if (lineNumber++ < 2 || colon < 0 || !Counters(line[(colon + 1)..], f))
            {
                continue; // the two header lines, or not an interface line
            }

            var name = line[..colon].Trim().ToString();
            result[name] = new InstanceStateNetwork
            {
                Type = name == "lo" ? "loopback" : "broadcast",
                State = "up",
                Counters = new InstanceStateNetworkCounters
                {
                    BytesReceived = f[0],
                    PacketsReceived = f[1],
                    ErrorsReceived = f[2],
                    PacketsDroppedInbound = f[3],
                    BytesSent = f[8],
                    PacketsSent = f[9],
                    ErrorsSent = f[10],
                    PacketsDroppedOutbound = f[11],
                },
            };
        }

        return result;
    }

    /// <summary>The 16 counters after an interface's colon (one that is not a number counts as 0); false if fewer.</summary>
    private static bool Counters(ReadOnlySpan<char> numbers, Span<long> values)
    {
        var count = 0;
        foreach (var range in numbers.Split(' '))
        {
            var field = numbers[range];
            if (field.IsEmpty)
            {
                continue;
            }

            if (count == values.Length)
            {
                break;
            }

            values[count++] = long.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        }

        return count == values.Length;
    }
}
