using System.Diagnostics;

namespace Berth.System.Tests;

/// <summary>
/// Copy and move between two berthd servers through the real lxc client, both servers reached as unix remotes, the
/// client relaying the migration websockets (<c>--mode relay</c>): the source and target operations run in full.
/// </summary>
public sealed class MigrationTests : IAsyncLifetime
{
    private readonly string _conf = Path.Combine(Path.GetTempPath(), "berth-mig-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _btrfs = "mb" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _a = null!;
    private BerthdProcess _b = null!;

    public async ValueTask InitializeAsync()
    {
        _a = await BerthdProcess.StartAsync();
        _b = await BerthdProcess.StartAsync();
        await TwoServerClient.WriteAsync(_conf, _a, _b);
        var build = await _a.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Equal(0, (await LxcAsync("storage", "create", "b:" + _btrfs, "btrfs", "size=1GiB")).ExitCode);
    }

    public async ValueTask DisposeAsync()
    {
        await _a.DisposeAsync();
        await _b.DisposeAsync();
        if (Directory.Exists(_conf))
        {
            Directory.Delete(_conf, recursive: true);
        }
    }

    private Task<ProcessResult> LxcAsync(params string[] args) => LxcInAsync(_conf, args);

    private static Task<ProcessResult> LxcInAsync(string conf, params string[] args) => TwoServerClient.LxcAsync(conf, args);

    private string Logs() => "\n--- a ---\n" + _a.Log() + "\n--- b ---\n" + _b.Log();

    /// <summary>
    /// A stopped container on a with /f "one" in snapshot s1 and "two" now, both with the same size and mtime, so a
    /// receiver trusting rsync's quick check over the received snapshot would keep "one".
    /// </summary>
    private async Task MakeSourceAsync(string name)
    {
        var launch = await LxcAsync("launch", "a:busybox", "a:" + name);
        Assert.True(launch.ExitCode == 0, launch + Logs());
        Assert.Equal(0, (await LxcAsync("exec", "a:" + name, "--", "sh", "-c", "echo one > /f && touch -d '2020-01-01 00:00:00' /f")).ExitCode);
        Assert.Equal(0, (await LxcAsync("snapshot", "a:" + name, "s1")).ExitCode);
        Assert.Equal(0, (await LxcAsync("exec", "a:" + name, "--", "sh", "-c", "echo two > /f && touch -d '2020-01-01 00:00:00' /f")).ExitCode);
        Assert.Equal(0, (await LxcAsync("config", "set", "a:" + name, "user.tag", "moved")).ExitCode);
        Assert.Equal(0, (await LxcAsync("stop", "a:" + name, "--force")).ExitCode);
    }

    private async Task<string> StartAndCatAsync(string remoteName)
    {
        var start = await LxcAsync("start", remoteName);
        Assert.True(start.ExitCode == 0, start + Logs());
        return (await LxcAsync("exec", remoteName, "--", "cat", "/f", "/etc/hostname")).Stdout;
    }

    [Fact]
    public async Task Lxc_CopyRelay_StoppedWithSnapshot_ToDirAndBtrfs_StartsWithFilesAndSnapshot()
    {
        await MakeSourceAsync("c");

        var copy = await LxcAsync("copy", "a:c", "b:c2", "--mode", "relay");
        var toBtrfs = await LxcAsync("copy", "a:c", "b:c3", "--mode", "relay", "-s", _btrfs);

        Assert.True(copy.ExitCode == 0, copy + Logs());
        Assert.True(toBtrfs.ExitCode == 0, toBtrfs + Logs());
        Assert.Equal("two\nc2\n", await StartAndCatAsync("b:c2"));
        Assert.Equal("two\nc3\n", await StartAndCatAsync("b:c3"));
        Assert.Equal("moved", (await LxcAsync("config", "get", "b:c2", "user.tag")).Stdout.Trim());
        foreach (var (name, pool) in new[] { ("c2", "default"), ("c3", _btrfs) })
        {
            Assert.Equal($"[\n\t\"/1.0/instances/{name}/snapshots/s1\"\n]", (await LxcAsync("query", $"b:/1.0/instances/{name}/snapshots")).Stdout.Trim());
            Assert.Equal("one\n", await File.ReadAllTextAsync(Path.Combine(_b.Dir, "storage-pools", pool, "containers-snapshots", name, "s1", "rootfs", "f")));
        }

        var subvolumes = (await ProcessRunner.RunAsync("btrfs", ["subvolume", "list", Path.Combine(_b.Dir, "storage-pools", _btrfs)])).Stdout;
        Assert.Contains("containers/c3", subvolumes, StringComparison.Ordinal);
        Assert.Contains("containers-snapshots/c3/s1", subvolumes, StringComparison.Ordinal);
        Assert.NotEqual((await LxcAsync("config", "get", "a:c", "volatile.uuid")).Stdout.Trim(), (await LxcAsync("config", "get", "b:c2", "volatile.uuid")).Stdout.Trim());

        // The source is untouched and can still start.
        Assert.Equal("two\nc\n", await StartAndCatAsync("a:c"));
    }

    [Fact]
    public async Task Lxc_MoveRelay_LeavesOnlyTheTarget_AndBack()
    {
        await MakeSourceAsync("m");
        var uuid = (await LxcAsync("config", "get", "a:m", "volatile.uuid")).Stdout.Trim();

        var move = await LxcAsync("move", "a:m", "b:m2", "--mode", "relay");

        Assert.True(move.ExitCode == 0, move + Logs());
        Assert.Equal(["m2"], (await LxcAsync("list", "b:", "--format", "csv", "-c", "n")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Empty((await LxcAsync("list", "a:", "--format", "csv", "-c", "n")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(Directory.Exists(Path.Combine(_a.Dir, "storage-pools", "default", "containers", "m")));
        Assert.Equal(uuid, (await LxcAsync("config", "get", "b:m2", "volatile.uuid")).Stdout.Trim());

        var back = await LxcAsync("move", "b:m2", "a:m3", "--mode", "relay");

        Assert.True(back.ExitCode == 0, back + Logs());
        Assert.Equal("two\nm3\n", await StartAndCatAsync("a:m3"));
        Assert.Equal($"[\n\t\"/1.0/instances/m3/snapshots/s1\"\n]", (await LxcAsync("query", "a:/1.0/instances/m3/snapshots")).Stdout.Trim());
    }

    [Fact]
    public async Task Lxc_CopyRelay_NameTakenOrRunningWithoutStateless_FailsAndChangesNothing()
    {
        await MakeSourceAsync("n");
        var taken = await LxcAsync("copy", "a:n", "b:n2", "--mode", "relay");
        Assert.True(taken.ExitCode == 0, taken + Logs());
        Assert.Equal(0, (await LxcAsync("start", "b:n2")).ExitCode);
        Assert.Equal(0, (await LxcAsync("exec", "b:n2", "--", "sh", "-c", "echo mine > /f")).ExitCode);

        var clash = await LxcAsync("copy", "a:n", "b:n2", "--mode", "relay");
        Assert.NotEqual(0, clash.ExitCode);
        Assert.Contains("already exists", clash.Stderr, StringComparison.Ordinal);
        Assert.Equal("mine\n", (await LxcAsync("exec", "b:n2", "--", "cat", "/f")).Stdout);

        // A running source: without --stateless the client asks for live migration, which needs CRIU.
        Assert.Equal(0, (await LxcAsync("start", "a:n")).ExitCode);
        var live = await LxcAsync("copy", "a:n", "b:n3", "--mode", "relay");
        Assert.NotEqual(0, live.ExitCode);
        Assert.Contains("live migration", live.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_b.Dir, "storage-pools", "default", "containers", "n3")));

        var stateless = await LxcAsync("copy", "a:n", "b:n3", "--mode", "relay", "--stateless");
        Assert.True(stateless.ExitCode == 0, stateless + Logs());
        Assert.Equal("two\nn3\n", await StartAndCatAsync("b:n3"));
        Assert.Equal("RUNNING", (await LxcAsync("list", "a:n", "--format", "csv", "-c", "s")).Stdout.Trim());
        Assert.Equal(["n2", "n3"], (await LxcAsync("list", "b:", "--format", "csv", "-c", "n")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Lxc_CopyRelay_ClientKilledMidTransfer_TargetKeepsNothing_SourceUntouched()
    {
        await MakeSourceAsync("k");
        var big = Path.Combine(_a.Dir, "storage-pools", "default", "containers", "k", "rootfs", "big");
        Assert.Equal(0, (await ProcessRunner.RunAsync("sh", ["-c", $"head -c 400M /dev/urandom > {big}"])).ExitCode);
        var volume = Path.Combine(_b.Dir, "storage-pools", "default", "containers", "k2");

        var start = new ProcessStartInfo(SystemRequirements.Tool("lxc")) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "copy", "a:k", "b:k2", "--mode", "relay" })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["LXD_CONF"] = _conf;
        start.Environment["HOME"] = _conf;
        using (var client = Process.Start(start)!)
        {
            _ = client.StandardOutput.ReadToEndAsync();
            _ = client.StandardError.ReadToEndAsync();
            for (var i = 0; i < 600 && !Directory.Exists(volume) && !client.HasExited; i++)
            {
                await Task.Delay(50);
            }

            Assert.True(Directory.Exists(volume), "the transfer never started\n" + Logs());
            Assert.False(client.HasExited, "the transfer finished before the client could be killed");
            client.Kill();
            await client.WaitForExitAsync();
        }

        for (var i = 0; i < 300 && Directory.Exists(volume); i++)
        {
            await Task.Delay(100);
        }

        Assert.False(Directory.Exists(volume), "half-made volume left on the target\n" + Logs());
        Assert.False(Directory.Exists(Path.Combine(_b.Dir, "storage-pools", "default", "containers-snapshots", "k2")));
        Assert.Empty((await LxcAsync("list", "b:", "--format", "csv", "-c", "n")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(File.Exists(big));
        Assert.Equal("two\nk\n", await StartAndCatAsync("a:k"));
    }

    [Fact]
    public async Task Lxc_CopyAndMoveOverHttps_PullByDefaultAndPush()
    {
        // Both servers on HTTPS, added to a second client config with the trust password: lxc's default pull mode
        // has the target dial the source's operation, push mode the other way round.
        var https = Path.Combine(_conf, "https");
        Directory.CreateDirectory(https);
        foreach (var (server, remote) in new[] { (_a, "ha"), (_b, "hb") })
        {
            var port = TestNetwork.FreePort();
            Assert.Equal(0, (await server.LxcAsync("config", "set", "core.https_address", $"127.0.0.1:{port}")).ExitCode);
            Assert.Equal(0, (await server.LxcAsync("config", "set", "core.trust_password", "mig-pw")).ExitCode);
            var add = await LxcInAsync(https, "remote", "add", remote, $"https://127.0.0.1:{port}", "--password", "mig-pw", "--accept-certificate");
            Assert.True(add.ExitCode == 0, add.ToString());
        }

        await MakeSourceAsync("p");

        var pull = await LxcInAsync(https, "copy", "ha:p", "hb:p2");
        var push = await LxcInAsync(https, "copy", "ha:p", "hb:p3", "--mode", "push", "-s", _btrfs);

        Assert.True(pull.ExitCode == 0, pull + Logs());
        Assert.True(push.ExitCode == 0, push + Logs());
        Assert.Equal("two\np3\n", await StartAndCatAsync("b:p3"));
        Assert.Equal("one\n", await File.ReadAllTextAsync(Path.Combine(_b.Dir, "storage-pools", _btrfs, "containers-snapshots", "p3", "s1", "rootfs", "f")));

        var move = await LxcInAsync(https, "move", "hb:p2", "ha:p4");

        Assert.True(move.ExitCode == 0, move + Logs());
        Assert.Equal(["p3"], (await LxcAsync("list", "b:", "--format", "csv", "-c", "n")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("two\np4\n", await StartAndCatAsync("a:p4"));
        Assert.Equal($"[\n\t\"/1.0/instances/p4/snapshots/s1\"\n]", (await LxcAsync("query", "a:/1.0/instances/p4/snapshots")).Stdout.Trim());
    }
}
