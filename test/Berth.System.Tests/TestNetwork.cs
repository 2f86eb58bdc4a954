using System.Net;
using System.Net.Sockets;

namespace Berth.System.Tests;

/// <summary>Addresses a test may take on this machine without touching anyone else's.</summary>
internal static class TestNetwork
{
    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago (the kernel's pick).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A 10.x.y prefix (for a /24) that no route or address of the host uses.</summary>
    public static async Task<string> UnusedPrefixAsync()
    {
        var routes = (await ProcessRunner.RunAsync("ip", ["-4", "route", "show", "table", "all"])).Stdout + (await ProcessRunner.RunAsync("ip", ["-4", "addr"])).Stdout;
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var prefix = $"10.{Random.Shared.Next(100, 250)}.{Random.Shared.Next(0, 255)}";
            if (!routes.Contains(prefix + ".", StringComparison.Ordinal))
            {
                return prefix;
            }
        }

        throw new InvalidOperationException("no free 10.x.y.0/24 on this host");
    }

    /// <summary>A managed bridge <paramref name="name"/> on an unused 10.x.y.0/24 (no NAT, no IPv6); returns the prefix.</summary>
    public static async Task<string> CreateBridgeAsync(BerthdProcess berthd, string name)
    {
        var prefix = await UnusedPrefixAsync();
        var create = await berthd.LxcAsync("network", "create", name, $"ipv4.address={prefix}.1/24", "ipv4.nat=false", "ipv6.address=none");
        Assert.True(create.ExitCode == 0, create + berthd.Log());
        return prefix;
    }
}
