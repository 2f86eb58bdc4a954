using System.Globalization;

namespace Berth.System.Tests;

/// <summary>
/// Two network namespaces of the test's own, joined by a veth pair with a /30 from 10.0.0.0/8 that no host route
/// or address uses: two "hosts" that reach each other only over that link. Removed (link, then namespaces) on
/// dispose; the daemons in them must be stopped first.
/// </summary>
public sealed class NetnsPair : IAsyncDisposable
{
    private NetnsPair(string prefix, (string A, string B) addresses)
    {
        A = prefix + "a";
        B = prefix + "b";
        (AddressA, AddressB) = addresses;
    }

    /// <summary>The <c>ip netns</c> names.</summary>
    public string A { get; }

    public string B { get; }

    public string AddressA { get; }

    public string AddressB { get; }

    private string VethA => A + "v";

    public static async Task<NetnsPair> CreateAsync()
    {
        SystemRequirements.RequireRoot();
        var pair = new NetnsPair("bh" + Guid.NewGuid().ToString("N")[..6], await FreeSubnetAsync());
        try
        {
            await MustAsync("ip", "netns", "add", pair.A);
            await MustAsync("ip", "netns", "add", pair.B);
            await MustAsync("ip", "link", "add", pair.VethA, "netns", pair.A, "type", "veth", "peer", "name", pair.B + "v", "netns", pair.B);
            foreach (var (ns, veth, address) in new[] { (pair.A, pair.VethA, pair.AddressA), (pair.B, pair.B + "v", pair.AddressB) })
            {
                await MustAsync("ip", "-n", ns, "link", "set", "lo", "up");
                await MustAsync("ip", "-n", ns, "addr", "add", address + "/30", "dev", veth);
                await MustAsync("ip", "-n", ns, "link", "set", veth, "up");
            }
        }
        catch
        {
            await pair.DisposeAsync();
            throw;
        }

        return pair;
    }

    /// <summary>Runs <paramref name="file"/> in namespace <paramref name="ns"/>'s network only (the mounts stay the host's).</summary>
    public static Task<ProcessResult> RunInAsync(string ns, string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, TimeSpan? timeout = null) =>
        ProcessRunner.RunAsync("nsenter", ["--net=/run/netns/" + ns, file, .. args], env, timeout: timeout);

    public async ValueTask DisposeAsync()
    {
        // Deleting one end removes the pair; a namespace whose last process is gone then goes with its bind mount.
        await ProcessRunner.RunAsync("ip", ["-n", A, "link", "del", VethA]);
        foreach (var ns in new[] { A, B })
        {
            await ProcessRunner.RunAsync("ip", ["netns", "del", ns]);
        }
    }

    /// <summary>A 10.x.y.z/30 that neither a host address nor a host route is in (only /8../24 prefixes are compared).</summary>
    private static async Task<(string A, string B)> FreeSubnetAsync()
    {
        var used = (await ProcessRunner.RunAsync("ip", ["-4", "route", "show", "table", "all"])).Stdout
            + (await ProcessRunner.RunAsync("ip", ["-4", "-o", "addr"])).Stdout;
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var x = Random.Shared.Next(100, 255);
            var y = Random.Shared.Next(0, 256);
            var z = Random.Shared.Next(0, 64) * 4;
            if (!used.Contains(string.Create(CultureInfo.InvariantCulture, $"10.{x}."), StringComparison.Ordinal) && !used.Contains("10.0.0.0/8", StringComparison.Ordinal))
            {
                return (string.Create(CultureInfo.InvariantCulture, $"10.{x}.{y}.{z + 1}"), string.Create(CultureInfo.InvariantCulture, $"10.{x}.{y}.{z + 2}"));
            }
        }

        throw new InvalidOperationException("no free 10.x.y.z/30 for the test namespaces");
    }

    private static async Task MustAsync(string file, params string[] args)
    {
        var result = await ProcessRunner.RunAsync(file, args);
        Assert.True(result.ExitCode == 0, $"{file} {string.Join(' ', args)}: {result}");
    }
}
