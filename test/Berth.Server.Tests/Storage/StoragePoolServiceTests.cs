using Berth.Api;
using Berth.Server.Database;
using Berth.Server.Events;
using Berth.Server.Instances;
using Berth.Server.Storage;
using Berth.Server.Storage.Drivers;

namespace Berth.Server.Tests.Storage;

/// <summary>Pool records over a real SQLite store and the dir driver (btrfs is covered by the system tests).</summary>
public sealed class StoragePoolServiceTests : IAsyncLifetime
{
    private readonly TempDir _dir = new();
    private SqliteStateStore _store = null!;
    private StoragePoolService _pools = null!;

    public ValueTask InitializeAsync()
    {
        _store = SqliteStateStore.Open(_dir.File("state.db"));
        var paths = new InstancePaths(_dir.Path);
        _pools = new StoragePoolService(_store, new EventHub(TimeProvider.System), paths, [new DirDriver(paths), new BtrfsDriver(paths)]);
        return ValueTask.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        await _store.DisposeAsync();
        _dir.Dispose();
    }

    [Fact]
    public async Task Start_OldDataDirWithVolumes_GetsDefaultDirPoolRecord()
    {
        Directory.CreateDirectory(_dir.File("storage-pools/default/containers/c1/rootfs"));

        await _pools.StartAsync((_, e) => throw e, default);

        var pool = _pools.Get("default");
        Assert.Equal("dir", pool.Driver);
        Assert.Equal(_dir.File("storage-pools/default"), pool.Config["source"]);
        Assert.Equal("default", _pools.PoolOf("default", "c1"));
    }

    [Fact]
    public async Task Start_EmptyDataDir_MakesNoPool()
    {
        await _pools.StartAsync((_, e) => throw e, default);

        Assert.Empty(_pools.List());
    }

    [Fact]
    public async Task CreateDir_DefaultSource_IsThePoolPath()
    {
        await _pools.CreateAsync(new StoragePoolsPost { Name = "p", Driver = "dir" }, null, default);

        Assert.Equal(_dir.File("storage-pools/p"), _pools.Get("p").Config["source"]);
        Assert.True(Directory.Exists(_dir.File("storage-pools/p")));
    }

    [Theory]
    [InlineData("zfs", "ZFS module")]
    [InlineData("lvm", "device-mapper")]
    [InlineData("ceph", "Ceph")]
    [InlineData("banana", "not supported")]
    public async Task Create_DriverThisHostCannotRun_Is400WithTheReason(string driver, string reason)
    {
        var e = await Assert.ThrowsAsync<ApiException>(() => _pools.CreateAsync(new StoragePoolsPost { Name = "p", Driver = driver }, null, default));

        Assert.Equal(400, e.Status);
        Assert.Contains(reason, e.Message, StringComparison.Ordinal);
        Assert.Empty(_pools.List());
    }

    [Theory]
    [InlineData("foo", "bar")]
    [InlineData("btrfs.mount_options", "x")]
    [InlineData("volume.size", "ten")]
    [InlineData("rsync.compression", "maybe")]
    public async Task CreateDir_BadKey_Is400AndNothingMade(string key, string value)
    {
        var e = await Assert.ThrowsAsync<ApiException>(() => _pools.CreateAsync(new StoragePoolsPost { Name = "p", Driver = "dir", Config = new() { [key] = value } }, null, default));

        Assert.Equal(400, e.Status);
        Assert.Empty(_pools.List());
        Assert.False(Directory.Exists(_dir.File("storage-pools/p")));
    }

    [Fact]
    public async Task Update_SourceChange_Is400AndKeepsConfig()
    {
        await _pools.CreateAsync(new StoragePoolsPost { Name = "p", Driver = "dir" }, null, default);

        var e = await Assert.ThrowsAsync<ApiException>(() => _pools.UpdateAsync("p", new StoragePoolPut { Config = new() { ["source"] = "/elsewhere" } }, merge: true, hasDescription: false, null, null, default));
        await _pools.UpdateAsync("p", new StoragePoolPut { Config = new() { ["volume.size"] = "1GiB" }, Description = "d" }, merge: false, hasDescription: true, null, null, default);

        Assert.Equal(400, e.Status);
        var pool = _pools.Get("p");
        Assert.Equal(_dir.File("storage-pools/p"), pool.Config["source"]);
        Assert.Equal("1GiB", pool.Config["volume.size"]);
        Assert.Equal("d", pool.Description);
    }

    [Fact]
    public async Task Delete_PoolWithAnInstanceVolume_Is400InUse()
    {
        await _pools.CreateAsync(new StoragePoolsPost { Name = "p", Driver = "dir" }, null, default);
        await _store.TransactionAsync(tx =>
        {
            StoragePoolService.AddVolume(tx, "p", "default", "c1");
            return true;
        });

        var e = await Assert.ThrowsAsync<ApiException>(() => _pools.DeleteAsync("p", null, default));

        Assert.Equal((400, "The storage pool is currently in use"), (e.Status, e.Message));
        Assert.Equal(["/1.0/instances/c1"], _pools.Get("p").UsedBy);
    }
}
