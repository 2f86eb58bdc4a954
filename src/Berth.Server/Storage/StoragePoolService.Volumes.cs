using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;

namespace Berth.Server.Storage;

public sealed partial class StoragePoolService
{
    public const string DefaultPool = "default";

    /// <summary>The pool an instance's volume is on; instances made before pools existed are on <c>default</c>.</summary>
    public string PoolOf(IStateReader reader, string project, string instance)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var suffix = $"/{project}/container/{instance}";

        // One lookup per pool (a handful) rather than a walk over every volume: a recursion=2 list asks this per
        // instance. A volume record always names a pool that exists (a pool holding instances cannot be deleted).
        foreach (var pool in reader.List(PoolPrefix))
        {
            var name = pool.Key[PoolPrefix.Length..];
            if (reader.Get(VolumePrefix + name + suffix) is not null)
            {
                return name;
            }
        }

        return DefaultPool;
    }

    public string PoolOf(string project, string instance) => PoolOf(_store.Snapshot(), project, instance);

    public static void AddVolume(IStateTransaction tx, string pool, string project, string instance)
    {
        ArgumentNullException.ThrowIfNull(tx);
        tx.Put($"{VolumePrefix}{pool}/{project}/container/{instance}", "{}"u8.ToArray());
    }

    public void RemoveVolume(IStateTransaction tx, string project, string instance)
    {
        ArgumentNullException.ThrowIfNull(tx);
        tx.Delete($"{VolumePrefix}{PoolOf(tx, project, instance)}/{project}/container/{instance}");
    }

    /// <summary>
    /// The pool for a new instance: the root disk's <c>pool</c>. Without a root disk (a data dir never initialised)
    /// the <c>default</c> dir pool is used and made if missing, as berthd did before pools existed.
    /// </summary>
    public async Task<string> PoolForNewInstanceAsync(Dictionary<string, Dictionary<string, string>> expandedDevices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(expandedDevices);
        var root = expandedDevices.Values.FirstOrDefault(d => d.GetValueOrDefault("type") == "disk" && d.GetValueOrDefault("path") == "/");
        if (root is not null && root.GetValueOrDefault("pool") is { Length: > 0 } pool)
        {
            return Exists(pool) ? pool : throw new ApiException(404, $"Storage pool \"{pool}\" not found");
        }

        if (root is not null)
        {
            throw new ApiException(400, "The root disk device has no pool");
        }

        await EnsureDefaultDirPoolAsync(force: true, cancellationToken).ConfigureAwait(false);
        return DefaultPool;
    }

    /// <summary>
    /// Daemon start: a data dir from before pools (volumes under <c>storage-pools/default</c>, no record) gets its
    /// <c>default</c> dir pool record; then every pool is mounted again where it is not.
    /// </summary>
    public async Task StartAsync(Action<string, Exception> onMountFailure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(onMountFailure);
        await EnsureDefaultDirPoolAsync(force: false, cancellationToken).ConfigureAwait(false);
        foreach (var pool in _store.Snapshot().ListJson(PoolPrefix, ApiJsonContext.Wire.StoragePool).Select(p => p.Value))
        {
            try
            {
                await _drivers[pool.Driver].MountPoolAsync(pool.Name, pool.Config, _paths.PoolPath(pool.Name), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ApiException or IOException or KeyNotFoundException)
            {
                onMountFailure(pool.Name, e);
            }
        }
    }

    private async Task EnsureDefaultDirPoolAsync(bool force, CancellationToken cancellationToken)
    {
        if (Exists(DefaultPool))
        {
            return;
        }

        var path = _paths.PoolPath(DefaultPool);
        var holdsVolumes = new[] { "containers", "images" }.Any(d => Directory.Exists(Path.Combine(path, d)) && Directory.EnumerateFileSystemEntries(Path.Combine(path, d)).Any());
        if (!force && !holdsVolumes)
        {
            return;
        }

        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, Berth.Server.Storage.Drivers.DirDriver.Traversable);
        var pool = new StoragePool { Name = DefaultPool, Driver = "dir", Config = new(StringComparer.Ordinal) { ["source"] = path } };
        await _store.TransactionAsync(tx =>
        {
            if (tx.Get(PoolPrefix + DefaultPool) is null)
            {
                tx.PutJson(PoolPrefix + DefaultPool, pool, ApiJsonContext.Wire.StoragePool);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
    }
}
