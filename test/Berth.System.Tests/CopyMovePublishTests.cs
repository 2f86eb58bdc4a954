using System.Text.Json;

namespace Berth.System.Tests;

/// <summary>Local copy, move between pools and publish, through the real lxc client, berth and pylxd.</summary>
public sealed class CopyMovePublishTests : IAsyncLifetime
{
    private readonly string _btrfs = "cb" + Guid.NewGuid().ToString("N")[..6];
    private readonly string _dir = "cd" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Equal(0, (await _berthd.LxcAsync("storage", "create", _btrfs, "btrfs", "size=1GiB")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("storage", "create", _dir, "dir")).ExitCode);
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    private async Task LaunchWithFileAsync(string name, string pool, string content)
    {
        var launch = await _berthd.LxcAsync("launch", "busybox", name, "-s", pool);
        Assert.True(launch.ExitCode == 0, launch.ToString() + _berthd.Log());
        Assert.Equal(0, (await _berthd.LxcAsync("exec", name, "--", "sh", "-c", $"echo {content} > /f")).ExitCode);
    }

    private async Task<string> CatAsync(string name)
    {
        var start = await _berthd.LxcAsync("start", name);
        Assert.True(start.ExitCode == 0, start.ToString() + _berthd.Log());
        return (await _berthd.LxcAsync("exec", name, "--", "cat", "/f", "/etc/hostname")).Stdout;
    }

    [Fact]
    public async Task Lxc_CopyRunningInstanceWithSnapshots_IsIndependentAndKeepsSnapshots()
    {
        await LaunchWithFileAsync("src", _btrfs, "one");
        Assert.Equal(0, (await _berthd.LxcAsync("snapshot", "src", "s1")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("config", "set", "src", "user.tag", "copied")).ExitCode);

        var copy = await _berthd.LxcAsync("copy", "src", "dst");
        Assert.True(copy.ExitCode == 0, copy.ToString() + _berthd.Log());
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "src", "--", "sh", "-c", "echo changed > /f")).ExitCode);

        Assert.Equal("one\ndst\n", await CatAsync("dst"));
        Assert.Equal("copied", (await _berthd.LxcAsync("config", "get", "dst", "user.tag")).Stdout.Trim());
        Assert.Equal("[\n\t\"/1.0/instances/dst/snapshots/s1\"\n]", (await _berthd.LxcAsync("query", "/1.0/instances/dst/snapshots")).Stdout.Trim());
        var src = (await _berthd.LxcAsync("config", "get", "src", "volatile.uuid")).Stdout.Trim();
        var dst = (await _berthd.LxcAsync("config", "get", "dst", "volatile.uuid")).Stdout.Trim();
        Assert.NotEqual(src, dst);
        var subvolumes = (await ProcessRunner.RunAsync("btrfs", ["subvolume", "list", Path.Combine(_berthd.Dir, "storage-pools", _btrfs)])).Stdout;
        Assert.Contains("containers/dst", subvolumes, StringComparison.Ordinal);
        Assert.Contains("containers-snapshots/dst/s1", subvolumes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lxc_CopyFromSnapshotToAnotherPool_InstanceOnly_AndBadCopiesChangeNothing()
    {
        await LaunchWithFileAsync("a", _btrfs, "snapped");
        Assert.Equal(0, (await _berthd.LxcAsync("snapshot", "a", "s1")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("exec", "a", "--", "sh", "-c", "echo later > /f")).ExitCode);

        var fromSnapshot = await _berthd.LxcAsync("copy", "a/s1", "b", "-s", _dir);
        var instanceOnly = await _berthd.LxcAsync("copy", "a", "c", "--instance-only");
        var existing = await _berthd.LxcAsync("copy", "a", "b");
        var missing = await _berthd.LxcAsync("copy", "nope", "d");

        Assert.True(fromSnapshot.ExitCode == 0, fromSnapshot.ToString() + _berthd.Log());
        Assert.True(instanceOnly.ExitCode == 0, instanceOnly.ToString());
        Assert.Equal("snapped\nb\n", await CatAsync("b"));
        Assert.True(Directory.Exists(Path.Combine(_berthd.Dir, "storage-pools", _dir, "containers", "b", "rootfs")));
        Assert.Equal("[]", (await _berthd.LxcAsync("query", "/1.0/instances/c/snapshots")).Stdout.Trim());
        Assert.Contains("already exists", existing.Stderr, StringComparison.Ordinal);
        Assert.Contains("not found", missing.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_berthd.Dir, "storage-pools", _btrfs, "containers", "d")));
        Assert.Equal(["a", "b", "c"], (await _berthd.LxcAsync("list", "--format", "csv", "-c", "n")).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task Lxc_MoveToAnotherPoolWithRename_TakesSnapshotsAlong()
    {
        await LaunchWithFileAsync("m", _btrfs, "moving");
        Assert.Equal(0, (await _berthd.LxcAsync("snapshot", "m", "s1")).ExitCode);
        Assert.Equal(0, (await _berthd.LxcAsync("stop", "-f", "m")).ExitCode);

        var move = await _berthd.LxcAsync("move", "m", "n", "-s", _dir);
        Assert.True(move.ExitCode == 0, move.ToString() + _berthd.Log());

        Assert.StartsWith("moving\n", await CatAsync("n"), StringComparison.Ordinal);
        Assert.Equal(_dir, (await _berthd.LxcAsync("config", "device", "get", "n", "root", "pool")).Stdout.Trim());
        Assert.True(Directory.Exists(Path.Combine(_berthd.Dir, "storage-pools", _dir, "containers-snapshots", "n", "s1")));
        Assert.False(Directory.Exists(Path.Combine(_berthd.Dir, "storage-pools", _btrfs, "containers", "m")));
        Assert.DoesNotContain("/1.0/instances/", (await _berthd.LxcAsync("storage", "show", _btrfs)).Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lxc_PublishSnapshotAndStoppedInstance_LaunchesFromTheNewImage()
    {
        await LaunchWithFileAsync("p", _btrfs, "published");
        Assert.Equal(0, (await _berthd.LxcAsync("snapshot", "p", "s1")).ExitCode);

        var fromSnapshot = await _berthd.LxcAsync("publish", "p/s1", "--alias", "fromsnap", "stage=test");
        var running = await _berthd.LxcAsync("publish", "p", "--alias", "norunning");
        var forced = await _berthd.LxcAsync("publish", "p", "--alias", "forced", "--force", "--compression", "none");

        Assert.True(fromSnapshot.ExitCode == 0, fromSnapshot.ToString() + _berthd.Log());
        Assert.Contains("currently running", running.Stderr, StringComparison.Ordinal);
        Assert.True(forced.ExitCode == 0, forced.ToString() + _berthd.Log());
        Assert.Contains("RUNNING", (await _berthd.LxcAsync("list", "p", "--format", "csv", "-c", "s")).Stdout, StringComparison.Ordinal);
        using (var image = JsonDocument.Parse((await _berthd.LxcAsync("query", "/1.0/images/aliases/fromsnap")).Stdout))
        {
            var fingerprint = image.RootElement.GetProperty("target").GetString()!;
            var stored = Path.Combine(_berthd.Dir, "images", fingerprint);
            Assert.Equal(fingerprint, Convert.ToHexStringLower(global::System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(stored))));
            var shown = (await _berthd.LxcAsync("image", "show", fingerprint)).Stdout;
            Assert.Contains("stage: test", shown, StringComparison.Ordinal);
            // Published without --expire: LXD 5.0.2 shows the zero time here (an imported image shows 1970-01-01).
            Assert.Contains("expires_at: 0001-01-01T00:00:00Z", shown, StringComparison.Ordinal);
        }

        var expiring = await _berthd.LxcAsync("publish", "p/s1", "--alias", "expiring", "--expire", "2030-01-02T03:04:05Z");
        Assert.True(expiring.ExitCode == 0, expiring.ToString());
        Assert.Contains("expires_at: 2030-01-02T03:04:05Z", (await _berthd.LxcAsync("image", "show", "expiring")).Stdout, StringComparison.Ordinal);

        var launch = await _berthd.LxcAsync("launch", "fromsnap", "q");
        Assert.True(launch.ExitCode == 0, launch.ToString() + _berthd.Log());
        Assert.Equal("published\nq\n", (await _berthd.LxcAsync("exec", "q", "--", "cat", "/f", "/etc/hostname")).Stdout);
        Assert.Equal(0, (await _berthd.LxcAsync("launch", "forced", "r")).ExitCode);
        Assert.Equal("published\n", (await _berthd.LxcAsync("exec", "r", "--", "cat", "/f")).Stdout);
    }

    [Fact]
    public async Task Berth_CopyMovePublish()
    {
        await LaunchWithFileAsync("b1", _btrfs, "viaberth");
        Assert.Equal(0, (await _berthd.LxcAsync("stop", "-f", "b1")).ExitCode);

        var copy = await _berthd.BerthAsync("copy", "b1", "b2", "-s", _dir);
        var move = await _berthd.BerthAsync("move", "b2", "b3");
        var publish = await _berthd.BerthAsync("publish", "b1", "--alias", "berthimg");

        Assert.True(copy.ExitCode == 0, copy.ToString());
        Assert.True(move.ExitCode == 0, move.ToString());
        Assert.True(publish.ExitCode == 0, publish.ToString());
        Assert.StartsWith("Instance published with fingerprint: ", publish.Stdout, StringComparison.Ordinal);
        Assert.Equal("viaberth\nb3\n", await CatAsync("b3"));
        Assert.Equal(0, (await _berthd.LxcAsync("image", "show", "berthimg")).ExitCode);
    }

    [Fact]
    public async Task Pylxd_SnapshotCopyAndPublish()
    {
        await LaunchWithFileAsync("py", _btrfs, "fromPython");
        var script = """
            import pylxd
            c = pylxd.Client()
            ct = c.containers.get('py')
            ct.snapshots.create('ps1', wait=True)
            print(sorted(s.name for s in ct.snapshots.all()))
            img = ct.snapshots.get('ps1').publish(wait=True)
            print(len(img.fingerprint))
            ct.stop(force=True, wait=True)
            ct.rename('py2', wait=True)
            print(c.containers.exists('py2'), c.containers.exists('py'))
            """;

        var result = await _berthd.PythonAsync(script);

        Assert.True(result.ExitCode == 0, result.ToString() + _berthd.Log());
        Assert.Equal("['ps1']\n64\nTrue False\n", result.Stdout);
    }
}
