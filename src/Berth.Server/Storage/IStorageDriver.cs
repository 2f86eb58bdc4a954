namespace Berth.Server.Storage;

/// <summary>What a driver can do, so callers pick CoW paths and refuse quotas where they cannot hold.</summary>
public sealed record StorageDriverInfo(string Name, string Version, bool CowSnapshots, bool Quotas, bool Remote);

/// <summary>
/// One storage backend (incus <c>storage/drivers/interface.go</c>, much reduced): it makes a pool ready at its
/// mount path and handles volumes there. Volumes are directories (dir) or subvolumes (btrfs) named by absolute path;
/// the pool layer decides where they live.
/// </summary>
public interface IStorageDriver
{
    string Name { get; }

    StorageDriverInfo Info { get; }

    /// <summary>Checks the driver's own keys and fills the defaults LXD fills (source, size) for a new pool.</summary>
    void FillDefaults(string pool, Dictionary<string, string> config);

    /// <summary>Driver-specific keys this driver accepts beyond the common ones.</summary>
    bool AcceptsKey(string key);

    /// <summary>Makes the pool at <paramref name="mountPath"/> (formatting and mounting what the source needs).</summary>
    Task CreatePoolAsync(string pool, Dictionary<string, string> config, string mountPath, CancellationToken cancellationToken);

    /// <summary>Mounts the pool again (daemon start) when it is not mounted; a no-op for plain directories.</summary>
    Task MountPoolAsync(string pool, Dictionary<string, string> config, string mountPath, CancellationToken cancellationToken);

    /// <summary>Unmounts and removes what <see cref="CreatePoolAsync"/> made (the loop file, not a user's device).</summary>
    Task DeletePoolAsync(string pool, Dictionary<string, string> config, string mountPath, CancellationToken cancellationToken);

    Task CreateVolumeAsync(string path, CancellationToken cancellationToken);

    /// <summary>A copy of <paramref name="source"/> at <paramref name="target"/>: a CoW snapshot where the driver can.</summary>
    Task SnapshotVolumeAsync(string source, string target, bool readOnly, CancellationToken cancellationToken);

    Task DeleteVolumeAsync(string path, CancellationToken cancellationToken);

    /// <summary>Limits a volume to <paramref name="bytes"/> (null removes the limit); refused where no quotas exist.</summary>
    Task SetQuotaAsync(string path, long? bytes, CancellationToken cancellationToken);

    /// <summary>Bytes the volume uses, or null when the driver cannot tell cheaply.</summary>
    Task<long?> UsageAsync(string path, CancellationToken cancellationToken);
}
