namespace Berth.System.Tests;

/// <summary>
/// <c>lxc storage volume list</c> and <c>GET …/volumes</c> as LXD 5.0.2 answers them: each volume followed by its
/// snapshots (custom and instance ones), named <c>volume/snapshot</c> under the parent's type.
/// </summary>
public sealed class VolumeListingTests : IAsyncLifetime
{
    private readonly string _pool = "vl" + Guid.NewGuid().ToString("N")[..6];
    private BerthdProcess _berthd = null!;

    public async ValueTask InitializeAsync()
    {
        _berthd = await BerthdProcess.StartAsync();
    }

    public async ValueTask DisposeAsync() => await _berthd.DisposeAsync();

    private async Task<ProcessResult> Lxc(params string[] args)
    {
        var result = await _berthd.LxcAsync(args);
        Assert.True(result.ExitCode == 0, $"lxc {string.Join(' ', args)}: {result}\n{_berthd.Log()}");
        return result;
    }

    [Fact]
    public async Task List_ShowsCustomAndInstanceSnapshots()
    {
        await Lxc("storage", "create", _pool, "dir");
        var build = await _berthd.BerthAsync("image", "build", "busybox", "--alias", "busybox");
        Assert.True(build.ExitCode == 0, build.ToString());
        await Lxc("init", "busybox", "c", "-s", _pool);
        await Lxc("snapshot", "c");
        await Lxc("storage", "volume", "create", _pool, "v");
        await Lxc("storage", "volume", "snapshot", _pool, "v");
        await Lxc("storage", "volume", "snapshot", _pool, "v", "s1");

        var csv = (await Lxc("storage", "volume", "list", _pool, "--format", "csv")).Stdout;
        var urls = (await Lxc("query", $"/1.0/storage-pools/{_pool}/volumes")).Stdout;
        var full = (await Lxc("query", $"/1.0/storage-pools/{_pool}/volumes?recursion=1")).Stdout;

        Assert.Equal(
            "container,c,,filesystem,1\n" +
            "container (snapshot),c/snap0,,filesystem,1\n" +
            "custom,v,,filesystem,0\n" +
            "custom (snapshot),v/s1,,filesystem,0\n" +
            "custom (snapshot),v/snap0,,filesystem,0\n",
            csv);
        Assert.Contains($"\"/1.0/storage-pools/{_pool}/volumes/custom/v/snapshots/snap0\"", urls, StringComparison.Ordinal);
        Assert.Contains($"\"/1.0/storage-pools/{_pool}/volumes/container/c/snapshots/snap0\"", urls, StringComparison.Ordinal);
        Assert.Contains("\"/1.0/instances/c/snapshots/snap0\"", full, StringComparison.Ordinal);
        Assert.Contains("custom (snapshot),v/s1,,filesystem,0\n", (await _berthd.BerthAsync("storage", "volume", "list", _pool, "--format", "csv")).Stdout, StringComparison.Ordinal);

        await Lxc("storage", "volume", "delete", _pool, "v/snap0");
        await Lxc("delete", "c/snap0");
        Assert.Equal("container,c,,filesystem,1\ncustom,v,,filesystem,0\ncustom (snapshot),v/s1,,filesystem,0\n",
            (await Lxc("storage", "volume", "list", _pool, "--format", "csv")).Stdout);
    }
}
