namespace Berth.System.Tests;

/// <summary>
/// Copies between two berthd servers through the real lxc client (unix remotes, <c>--mode relay</c>): between two
/// btrfs pools (btrfs send/receive, snapshots as an incremental chain), from a snapshot (<c>a:c/snap</c>), and
/// <c>--refresh</c> of an earlier copy (only the missing snapshots travel; those gone from the source go).
/// </summary>
public sealed class MigrationSyncTests : IAsyncLifetime
{
    private readonly string _conf = Path.Combine(Path.GetTempPath(), "berth-msync-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly string _pool = "ms" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _a = null!;
    private BerthdProcess _b = null!;

    public async ValueTask InitializeAsync()
    {
        _a = await BerthdProcess.StartAsync();
        _b = await BerthdProcess.StartAsync();
        await TwoServerClient.WriteAsync(_conf, _a, _b);
        var build = await _a.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
        foreach (var remote in new[] { "a:", "b:" })
        {
            Assert.Equal(0, (await LxcAsync("storage", "create", remote + _pool, "btrfs", "size=1GiB")).ExitCode);
        }

        // b's dir pool for the copies that must still go by rsync (a daemon makes "default" only at its first launch).
        Assert.Equal(0, (await LxcAsync("storage", "create", "b:default", "dir")).ExitCode);
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

    private Task<ProcessResult> LxcAsync(params string[] args) => TwoServerClient.LxcAsync(_conf, args);

    private string Logs() => "\n--- a ---\n" + _a.Log() + "\n--- b ---\n" + _b.Log();

    private async Task ExecAsync(string instance, string script)
    {
        var exec = await LxcAsync("exec", instance, "--", "sh", "-c", script);
        Assert.True(exec.ExitCode == 0, exec + Logs());
    }

    /// <summary>
    /// A stopped container on a's btrfs pool: /f is "one" in s1, "two" in s2 and "three" now, each rewritten with the
    /// same size and mtime, so a receiver trusting rsync's quick check would keep an older one.
    /// </summary>
    private async Task MakeSourceAsync(string name)
    {
        var launch = await LxcAsync("launch", "a:busybox", "a:" + name, "-s", _pool);
        Assert.True(launch.ExitCode == 0, launch + Logs());
        foreach (var (content, snap) in new[] { ("one", "s1"), ("two", "s2"), ("six", null) })
        {
            await ExecAsync("a:" + name, $"echo {content} > /f && touch -d '2020-01-01 00:00:00' /f");
            if (snap is not null)
            {
                Assert.Equal(0, (await LxcAsync("snapshot", "a:" + name, snap)).ExitCode);
            }
        }

        Assert.Equal(0, (await LxcAsync("stop", "a:" + name, "--force")).ExitCode);
    }

    private async Task<string> StartAndCatAsync(string remoteName)
    {
        var start = await LxcAsync("start", remoteName);
        Assert.True(start.ExitCode == 0, start + Logs());
        return (await LxcAsync("exec", remoteName, "--", "cat", "/f", "/etc/hostname")).Stdout;
    }

    private async Task<string[]> SnapshotsAsync(string remoteName) =>
        (await LxcAsync("query", remoteName.Replace(":", ":/1.0/instances/", StringComparison.Ordinal) + "/snapshots")).Stdout
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Where(l => l.StartsWith('"')).Select(l => l.Trim('"', ',')).Select(l => l[(l.LastIndexOf('/') + 1)..]).Order().ToArray();

    private string SnapshotFile(BerthdProcess server, string pool, string instance, string snap) =>
        File.ReadAllText(Path.Combine(server.Dir, "storage-pools", pool, "containers-snapshots", instance, snap, "rootfs", "f"));

    [Fact]
    public async Task Lxc_CopyBetweenBtrfsPools_SendsSubvolumes_AndToADirPoolStillRsyncs()
    {
        await MakeSourceAsync("c");

        var btrfs = await LxcAsync("copy", "a:c", "b:c2", "--mode", "relay", "-s", _pool);
        var dir = await LxcAsync("copy", "a:c", "b:c3", "--mode", "relay", "-s", "default");

        Assert.True(btrfs.ExitCode == 0, btrfs + Logs());
        Assert.True(dir.ExitCode == 0, dir + Logs());
        Assert.Equal("six\nc2\n", await StartAndCatAsync("b:c2"));
        Assert.Equal("six\nc3\n", await StartAndCatAsync("b:c3"));
        foreach (var (name, pool) in new[] { ("c2", _pool), ("c3", "default") })
        {
            Assert.Equal(["s1", "s2"], await SnapshotsAsync("b:" + name));
            Assert.Equal("one\n", SnapshotFile(_b, pool, name, "s1"));
            Assert.Equal("two\n", SnapshotFile(_b, pool, name, "s2"));
        }

        // Received by btrfs receive: the new volume is a snapshot of a received subvolume (rsync fills a new,
        // parentless one), and the scratch subvolumes are gone on both sides.
        var show = await ProcessRunner.RunAsync("btrfs", ["subvolume", "show", Path.Combine(_b.Dir, "storage-pools", _pool, "containers", "c2")]);
        var parent = show.Stdout.Split('\n').Single(l => l.TrimStart().StartsWith("Parent UUID:", StringComparison.Ordinal));
        Assert.DoesNotContain(" -", parent.Split(':', 2)[1], StringComparison.Ordinal);
        foreach (var server in new[] { _a, _b })
        {
            var scratch = Path.Combine(server.Dir, "storage-pools", _pool, ".berth-migration");
            Assert.True(!Directory.Exists(scratch) || !Directory.EnumerateFileSystemEntries(scratch).Any(), "scratch left in " + scratch);
        }

        var subvolumes = (await ProcessRunner.RunAsync("btrfs", ["subvolume", "list", Path.Combine(_b.Dir, "storage-pools", _pool)])).Stdout;
        Assert.DoesNotContain(".berth-migration", subvolumes, StringComparison.Ordinal);
        Assert.Equal("six\nc\n", await StartAndCatAsync("a:c"));
    }

    [Fact]
    public async Task Lxc_CopySnapshotToAnotherServer_MakesAnInstanceOfThatState()
    {
        await MakeSourceAsync("s");

        var toBtrfs = await LxcAsync("copy", "a:s/s1", "b:s4", "--mode", "relay", "-s", _pool);
        var toDir = await LxcAsync("copy", "a:s/s2", "b:s5", "--mode", "relay", "-s", "default");
        var missing = await LxcAsync("copy", "a:s/nope", "b:s6", "--mode", "relay");

        Assert.True(toBtrfs.ExitCode == 0, toBtrfs + Logs());
        Assert.True(toDir.ExitCode == 0, toDir + Logs());
        Assert.Equal("one\ns4\n", await StartAndCatAsync("b:s4"));
        Assert.Equal("two\ns5\n", await StartAndCatAsync("b:s5"));
        Assert.Empty(await SnapshotsAsync("b:s4"));
        Assert.NotEqual(0, missing.ExitCode);
        Assert.DoesNotContain("s6", (await LxcAsync("list", "b:", "--format", "csv", "-c", "n")).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lxc_CopyRefresh_SendsWhatChanged_AddsAndDropsSnapshots()
    {
        await MakeSourceAsync("r");
        foreach (var (target, pool) in new[] { ("b:r2", "default"), ("b:r3", _pool) })
        {
            var first = await LxcAsync("copy", "a:r", target, "--mode", "relay", "-s", pool);
            Assert.True(first.ExitCode == 0, first + Logs());
        }

        // On the source: new content (same size and mtime again), a new snapshot s3, s1 deleted.
        Assert.Equal(0, (await LxcAsync("start", "a:r")).ExitCode);
        await ExecAsync("a:r", "echo ten > /f && touch -d '2020-01-01 00:00:00' /f && echo new > /g");
        Assert.Equal(0, (await LxcAsync("snapshot", "a:r", "s3")).ExitCode);
        await ExecAsync("a:r", "echo two > /f && touch -d '2020-01-01 00:00:00' /f");
        Assert.Equal(0, (await LxcAsync("stop", "a:r", "--force")).ExitCode);
        Assert.Equal(0, (await LxcAsync("delete", "a:r/s1")).ExitCode);
        Assert.Equal(0, (await LxcAsync("start", "b:r2")).ExitCode);
        var running = await LxcAsync("copy", "a:r", "b:r2", "--refresh", "--mode", "relay");
        Assert.NotEqual(0, running.ExitCode);
        Assert.Equal(0, (await LxcAsync("stop", "b:r2", "--force")).ExitCode);

        foreach (var (target, pool) in new[] { ("b:r2", "default"), ("b:r3", _pool) })
        {
            var refresh = await LxcAsync("copy", "a:r", target, "--refresh", "--mode", "relay");

            Assert.True(refresh.ExitCode == 0, refresh + Logs());
            var name = target[2..];
            Assert.Equal(["s2", "s3"], await SnapshotsAsync(target));
            Assert.Equal("ten\n", SnapshotFile(_b, pool, name, "s3"));
            Assert.Equal("two\n", SnapshotFile(_b, pool, name, "s2"));
            Assert.False(Directory.Exists(Path.Combine(_b.Dir, "storage-pools", pool, "containers-snapshots", name, "s1")));
            Assert.Equal($"two\n{name}\n", await StartAndCatAsync(target));
            Assert.Equal("new", (await LxcAsync("exec", target, "--", "cat", "/g")).Stdout.Trim());
        }
    }
}
