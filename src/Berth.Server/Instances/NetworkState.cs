using Berth.Api;
using Berth.Native;

namespace Berth.Server.Instances;

/// <summary>Interface counters of a running container, read from its init's /proc/&lt;pid&gt;/net/dev.</summary>
internal static class NetworkState
{
    public static Dictionary<string, InstanceStateNetwork>? Read(long pid)
    {
        if (pid <= 0 || KernelFiles.Read($"/proc/{pid}/net/dev") is not { } text)
        {
            return null;
        }

        var result = new Dictionary<string, InstanceStateNetwork>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            var f = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => long.TryParse(v, out var n) ? n : 0).ToArray();
            if (f.Length < 16)
            {
                continue;
            }

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
}
