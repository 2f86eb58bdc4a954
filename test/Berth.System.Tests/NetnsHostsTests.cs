using System.Text.Json;

namespace Berth.System.Tests;

/// <summary>
/// Two berthd "hosts", each in a network namespace of its own joined to the other only by a veth pair, each
/// serving HTTPS on its end of the link. The client (Debian's lxc, then berth, with a private config dir) runs in
/// the first namespace and reaches both over HTTPS; copies and moves go from one daemon to the other over the link
/// (pull mode has the target dial the source). Instances have no NIC: the namespaces have no bridge.
/// </summary>
public sealed class NetnsHostsTests : IAsyncLifetime
{
    private const string Password = "ns-Pw-1";
    private readonly string _conf = Path.Combine(Path.GetTempPath(), "berth-ns-" + Guid.NewGuid().ToString("N")[..8]);
    private NetnsPair? _net;
    private BerthdProcess? _a;
    private BerthdProcess? _b;

    private BerthdProcess A => _a!;

    private BerthdProcess B => _b!;

    private NetnsPair Net => _net!;

    public async ValueTask InitializeAsync()
    {
        try
        {
            _net = await NetnsPair.CreateAsync();
            _a = await BerthdProcess.StartAsync(_net.A);
            _b = await BerthdProcess.StartAsync(_net.B);
            foreach (var (server, address) in new[] { (A, Net.AddressA), (B, Net.AddressB) })
            {
                await MustAsync(server.LxcAsync("config", "set", "core.https_address", address + ":8443"));
                await MustAsync(server.LxcAsync("config", "set", "core.trust_password", Password));
            }

            await MustAsync(A.BerthSlowAsync(TimeSpan.FromMinutes(3), "image", "build", "busybox", "--alias", "bb"));
            Directory.CreateDirectory(_conf);
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Daemons (and their containers) first: a namespace goes away with its last process.
        try
        {
            foreach (var daemon in new[] { _a, _b })
            {
                if (daemon is not null)
                {
                    await daemon.DisposeAsync();
                }
            }
        }
        finally
        {
            if (_net is not null)
            {
                await _net.DisposeAsync();
            }

            if (Directory.Exists(_conf))
            {
                Directory.Delete(_conf, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Lxc_RemotesWithPasswordAndToken_ListExec_CopyMove_ImageCopy_BetweenNamespaces()
    {
        Assert.NotEqual(0, (await LxcAsync("remote", "add", "a", $"https://{Net.AddressA}:8443", "--password", "wrong", "--accept-certificate")).ExitCode);
        await MustAsync(LxcAsync("remote", "add", "a", $"https://{Net.AddressA}:8443", "--password", Password, "--accept-certificate"));
        var token = (await MustAsync(B.LxcAsync("config", "trust", "add", "--name", "ns-client"))).Stdout.Trim().Split('\n')[^1].Trim();
        await MustAsync(LxcAsync("remote", "add", "b", token));
        var remotes = (await MustAsync(LxcAsync("remote", "list", "--format", "csv"))).Stdout;
        Assert.Contains($"a,https://{Net.AddressA}:8443,", remotes, StringComparison.Ordinal);
        Assert.Contains($"b,https://{Net.AddressB}:8443,", remotes, StringComparison.Ordinal);

        // The image goes from a to b (b pulls it over the link) with its fingerprint.
        var fingerprint = (await MustAsync(LxcAsync("query", "a:/1.0/images/aliases/bb"))).Stdout;
        fingerprint = JsonDocument.Parse(fingerprint).RootElement.GetProperty("target").GetString()!;
        Assert.Equal("[]", Compact((await MustAsync(LxcAsync("query", "b:/1.0/images"))).Stdout));
        await MustAsync(LxcAsync("image", "copy", "a:bb", "b:"));
        Assert.Equal($"[\"/1.0/images/{fingerprint}\"]", Compact((await MustAsync(LxcAsync("query", "b:/1.0/images"))).Stdout));

        await MustAsync(LxcAsync("launch", "b:" + fingerprint, "b:c"));
        Assert.Equal("c,RUNNING", (await MustAsync(LxcAsync("list", "b:", "--format", "csv", "-c", "ns"))).Stdout.Trim());
        await MustAsync(LxcAsync("exec", "b:c", "--", "true"));
        Assert.Equal(7, (await LxcAsync("exec", "b:c", "--", "sh", "-c", "exit 7")).ExitCode);

        // A stopped container with a file of its own goes to b (default pull mode), then moves back to a.
        await MustAsync(LxcAsync("launch", "a:bb", "a:c"));
        await MustAsync(LxcAsync("exec", "a:c", "--", "sh", "-c", "echo made-on-a > /f"));
        await MustAsync(LxcAsync("stop", "a:c", "--force"));

        await MustAsync(LxcAsync("copy", "a:c", "b:c2"));

        Assert.Equal(["c", "c2"], await NamesAsync("b:"));
        Assert.Equal(["c"], await NamesAsync("a:"));
        Assert.Equal("made-on-a\n", (await MustAsync(LxcAsync("file", "pull", "b:c2/f", "-"))).Stdout);

        await MustAsync(LxcAsync("move", "b:c2", "a:c3"));

        Assert.Equal(["c"], await NamesAsync("b:"));
        Assert.Equal(["c", "c3"], await NamesAsync("a:"));
        Assert.False(Directory.Exists(Path.Combine(B.Dir, "storage-pools", "default", "containers", "c2")));
        await MustAsync(LxcAsync("start", "a:c3"));
        Assert.Equal("made-on-a\nc3\n", (await MustAsync(LxcAsync("exec", "a:c3", "--", "cat", "/f", "/etc/hostname"))).Stdout);
    }

    [Fact]
    public async Task Lxc_ImageCopyPushAndRelay_BetweenNamespaces_LaunchesOnTarget()
    {
        await MustAsync(LxcAsync("remote", "add", "a", $"https://{Net.AddressA}:8443", "--password", Password, "--accept-certificate"));
        await MustAsync(LxcAsync("remote", "add", "b", $"https://{Net.AddressB}:8443", "--password", Password, "--accept-certificate"));
        var fingerprint = JsonDocument.Parse((await MustAsync(LxcAsync("query", "a:/1.0/images/aliases/bb"))).Stdout).RootElement.GetProperty("target").GetString()!;

        // Push: a dials b over the link with b's push token.
        await MustAsync(LxcAsync("image", "copy", "a:bb", "b:", "--mode", "push", "--alias", "pushed", "--copy-aliases"));
        Assert.Equal($"[\"/1.0/images/{fingerprint}\"]", Compact((await MustAsync(LxcAsync("query", "b:/1.0/images"))).Stdout));
        Assert.Equal(fingerprint, JsonDocument.Parse((await MustAsync(LxcAsync("query", "b:/1.0/images/aliases/bb"))).Stdout).RootElement.GetProperty("target").GetString());
        await MustAsync(LxcAsync("launch", "b:pushed", "b:p"));
        await MustAsync(LxcAsync("exec", "b:p", "--", "true"));
        await MustAsync(LxcAsync("delete", "--force", "b:p"));

        // Relay: the client downloads from a and uploads to b.
        await MustAsync(LxcAsync("image", "delete", "b:pushed"));
        Assert.Equal("[]", Compact((await MustAsync(LxcAsync("query", "b:/1.0/images"))).Stdout));
        await MustAsync(LxcAsync("image", "copy", "a:" + fingerprint, "b:", "--mode", "relay", "--alias", "relayed"));
        Assert.Equal(fingerprint, JsonDocument.Parse((await MustAsync(LxcAsync("query", "b:/1.0/images/aliases/relayed"))).Stdout).RootElement.GetProperty("target").GetString());
    }

    [Fact]
    public async Task Berth_CopyMoveBetweenNamespaces_PullPushRelay_Stateless_InstanceOnly()
    {
        await MustAsync(BerthAsync("remote", "add", "a", $"https://{Net.AddressA}:8443", "--password", Password, "--accept-certificate"));
        var token = (await MustAsync(B.LxcAsync("config", "trust", "add", "--name", "ns-berth"))).Stdout.Trim().Split('\n')[^1].Trim();
        await MustAsync(BerthAsync("remote", "add", "b", token));
        await MustAsync(BerthAsync("launch", "a:bb", "a:c"));
        await MustAsync(BerthAsync("exec", "a:c", "--", "sh", "-c", "echo one > /f"));
        await MustAsync(BerthAsync("snapshot", "a:c", "s1"));
        await MustAsync(BerthAsync("exec", "a:c", "--", "sh", "-c", "echo two > /f"));
        await MustAsync(LxcAsync("config", "set", "a:c", "user.tag", "carried"));

        // Running without --stateless asks for live migration (CRIU): refused, nothing made on b.
        var live = await BerthAsync("copy", "a:c", "b:");
        Assert.NotEqual(0, live.ExitCode);
        Assert.Contains("live migration", live.Stderr, StringComparison.Ordinal);
        Assert.Empty(await NamesAsync("b:"));

        var stateless = await BerthAsync("copy", "a:c", "b:", "--stateless");
        Assert.True(stateless.ExitCode == 0, stateless + Logs());
        await MustAsync(BerthAsync("stop", "a:c", "--force"));
        var push = await BerthAsync("copy", "a:c", "b:c2", "--mode", "push", "--instance-only");
        Assert.True(push.ExitCode == 0, push + Logs());
        var relay = await BerthAsync("copy", "a:c", "b:c3", "--mode", "relay", "-c", "user.extra=yes");
        Assert.True(relay.ExitCode == 0, relay + Logs());

        // b:c kept the name; every copy has the file, the config, and its snapshot unless --instance-only.
        Assert.Equal(["c", "c2", "c3"], await NamesAsync("b:"));
        foreach (var (name, snapshots) in new[] { ("c", "[\"/1.0/instances/c/snapshots/s1\"]"), ("c2", "[]"), ("c3", "[\"/1.0/instances/c3/snapshots/s1\"]") })
        {
            Assert.Equal("two\n", (await MustAsync(BerthAsync("file", "pull", $"b:{name}/f", "-"))).Stdout);
            Assert.Equal("carried", (await MustAsync(LxcAsync("config", "get", $"b:{name}", "user.tag"))).Stdout.Trim());
            Assert.Equal(snapshots, Compact((await MustAsync(LxcAsync("query", $"b:/1.0/instances/{name}/snapshots"))).Stdout));
        }

        Assert.Equal("yes", (await MustAsync(LxcAsync("config", "get", "b:c3", "user.extra"))).Stdout.Trim());
        Assert.Equal("one\n", await File.ReadAllTextAsync(Path.Combine(B.Dir, "storage-pools", "default", "containers-snapshots", "c3", "s1", "rootfs", "f")));
        Assert.NotEqual((await LxcAsync("config", "get", "a:c", "volatile.uuid")).Stdout.Trim(), (await LxcAsync("config", "get", "b:c", "volatile.uuid")).Stdout.Trim());

        // A move keeps the volatile keys and leaves only the target; a name taken on the target changes nothing.
        var uuid = (await MustAsync(LxcAsync("config", "get", "b:c2", "volatile.uuid"))).Stdout.Trim();
        var taken = await BerthAsync("move", "b:c2", "a:c");
        Assert.NotEqual(0, taken.ExitCode);
        Assert.Equal(["c", "c2", "c3"], await NamesAsync("b:"));
        await MustAsync(BerthAsync("move", "b:c2", "a:c4"));
        Assert.Equal(["c", "c3"], await NamesAsync("b:"));
        Assert.Equal(["c", "c4"], await NamesAsync("a:"));
        Assert.Equal(uuid, (await MustAsync(LxcAsync("config", "get", "a:c4", "volatile.uuid"))).Stdout.Trim());
        await MustAsync(BerthAsync("start", "a:c4"));
        Assert.Equal("two\nc4\n", (await MustAsync(BerthAsync("exec", "a:c4", "--", "cat", "/f", "/etc/hostname"))).Stdout);

        // A running source moves with --stateless: gone from a, on b.
        await MustAsync(BerthAsync("move", "a:c4", "b:c5", "--stateless", "--mode", "push"));
        Assert.Equal(["c"], await NamesAsync("a:"));
        Assert.Equal(["c", "c3", "c5"], await NamesAsync("b:"));

        var missing = await BerthAsync("copy", "a:nope", "b:");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("not found", missing.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    private Dictionary<string, string> ClientEnv => new() { ["LXD_CONF"] = _conf, ["BERTH_CONF"] = _conf, ["HOME"] = _conf };

    /// <summary>Debian's lxc with the test's config dir, run in the first namespace (the only way to reach the servers).</summary>
    private Task<ProcessResult> LxcAsync(params string[] args) =>
        NetnsPair.RunInAsync(Net.A, SystemRequirements.Tool("lxc"), args, ClientEnv, TimeSpan.FromMinutes(3));

    private Task<ProcessResult> BerthAsync(params string[] args) =>
        NetnsPair.RunInAsync(Net.A, Path.Combine(A.Bin, "berth"), args, ClientEnv, TimeSpan.FromMinutes(3));

    private async Task<string[]> NamesAsync(string remote) =>
        (await MustAsync(LxcAsync("list", remote, "--format", "csv", "-c", "n"))).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    private static string Compact(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement);

    private string Logs() => "\n--- a ---\n" + _a?.Log() + "\n--- b ---\n" + _b?.Log();

    private async Task<ProcessResult> MustAsync(Task<ProcessResult> run)
    {
        var result = await run;
        Assert.True(result.ExitCode == 0, result + Logs());
        return result;
    }
}
