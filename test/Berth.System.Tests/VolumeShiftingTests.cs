namespace Berth.System.Tests;

/// <summary>security.shifted / security.unmapped on custom volumes, through Debian's lxc.</summary>
public sealed class VolumeShiftingTests : IAsyncLifetime
{
    private readonly string _pool = "vs" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
        Assert.Equal(0, (await _berthd.LxcAsync("storage", "create", _pool, "btrfs", "size=1GiB")).ExitCode);
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    private async Task<ProcessResult> Lxc(params string[] args)
    {
        var result = await _berthd.LxcAsync(args);
        Assert.True(result.ExitCode == 0, $"lxc {string.Join(' ', args)}: {result}\n{_berthd.Log()}");
        return result;
    }

    [Fact]
    public async Task Lxc_ShiftedVolumeSharedByTwoContainers_UnmappedOneKeepsHostIds_NoChangeWhileRunning()
    {
        await Lxc("launch", "busybox", "c1", "-s", _pool);
        await Lxc("launch", "busybox", "c2", "-s", _pool);
        await Lxc("storage", "volume", "create", _pool, "shared", "security.shifted=true");
        await Lxc("storage", "volume", "create", _pool, "raw", "security.unmapped=true");
        var bad = await _berthd.LxcAsync("storage", "volume", "create", _pool, "bad", "security.shifted=maybe");
        Assert.Contains("not a boolean", bad.Stderr, StringComparison.Ordinal);

        await Lxc("storage", "volume", "attach", _pool, "shared", "c1", "/mnt/s");
        await Lxc("storage", "volume", "attach", _pool, "shared", "c2", "/mnt/s");
        await Lxc("storage", "volume", "attach", _pool, "raw", "c1", "/mnt/r");
        await Lxc("exec", "c1", "--", "sh", "-c", "echo from-c1 > /mnt/s/f");
        await Lxc("exec", "c2", "--", "sh", "-c", "echo from-c2 >> /mnt/s/f");

        Assert.Equal("from-c1\nfrom-c2\n", (await Lxc("exec", "c1", "--", "cat", "/mnt/s/f")).Stdout);
        Assert.Equal("0 0\n", (await Lxc("exec", "c2", "--", "stat", "-c", "%u %g", "/mnt/s/f")).Stdout);
        var hostFile = Path.Combine(_berthd.Dir, "storage-pools", _pool, "custom", "default_shared", "f");
        Assert.Equal("0", (await ProcessRunner.RunAsync("stat", ["-c", "%u", hostFile])).Stdout.Trim());
        // Unmapped: the host's root-owned directory is nobody's inside the unprivileged container, and read-only to it.
        Assert.Equal("65534\n", (await Lxc("exec", "c1", "--", "stat", "-c", "%u", "/mnt/r")).Stdout);
        Assert.NotEqual(0, (await _berthd.LxcAsync("exec", "c1", "--", "touch", "/mnt/r/x")).ExitCode);

        var change = await _berthd.LxcAsync("storage", "volume", "set", _pool, "shared", "security.shifted=false");
        Assert.Contains("Cannot modify shifting with running instances using the volume", change.Stderr, StringComparison.Ordinal);
        Assert.Equal("true", (await Lxc("storage", "volume", "get", _pool, "shared", "security.shifted")).Stdout.Trim());
        await Lxc("stop", "-f", "c1", "c2");
        await Lxc("storage", "volume", "set", _pool, "shared", "security.shifted=false");
        await Lxc("start", "c2");
        Assert.Equal("from-c1\nfrom-c2\n", (await Lxc("exec", "c2", "--", "cat", "/mnt/s/f")).Stdout);
    }
}
