using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;
using Berth.Server.Instances;
using Berth.Server.Util;

namespace Berth.Server.Storage;

public sealed partial class StorageVolumeService
{
    private const string SnapPrefix = "storage-volume-snapshots/";

    public IReadOnlyList<StorageVolumeSnapshot> Snapshots(string pool, string project, string name)
    {
        Get(pool, project, "custom", name);
        return [.. _store.Snapshot().ListJson(SnapshotPrefix(pool, project, name), ApiJsonContext.Wire.StorageVolumeSnapshot).Select(s => s.Value).OrderBy(s => s.CreatedAt)];
    }

    public StorageVolumeSnapshot GetSnapshot(string pool, string project, string name, string snapshot)
    {
        Get(pool, project, "custom", name);
        return _store.Snapshot().GetJson(SnapshotPrefix(pool, project, name) + snapshot, ApiJsonContext.Wire.StorageVolumeSnapshot)
            ?? throw new ApiException(404, "Storage volume snapshot not found");
    }

    /// <summary>Checks a snapshot request and picks its name (<c>snapshots.pattern</c>, default <c>snap%d</c>).</summary>
    public string ValidateSnapshotCreate(string pool, string project, string name, StorageVolumeSnapshotsPost request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var volume = Get(pool, project, "custom", name);
        var existing = _store.Snapshot().List(SnapshotPrefix(pool, project, name)).Select(kv => kv.Key.Split('/')[^1]).ToHashSet(StringComparer.Ordinal);
        var snapName = string.IsNullOrEmpty(request.Name) ? SnapshotNames.Next(volume.Config.GetValueOrDefault("snapshots.pattern"), existing) : request.Name;

        ValidateName(snapName);
        return existing.Contains(snapName) ? throw new ApiException(409, $"Snapshot \"{snapName}\" already exists") : snapName;
    }

    public async Task CreateSnapshotAsync(string pool, string project, string name, string snapName, DateTimeOffset? expiresAt, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        var volume = Get(pool, project, "custom", name);
        var driver = _pools.DriverOf(pool);
        var target = SnapshotPath(pool, project, name, snapName);
        Directory.CreateDirectory(SnapshotsDir(pool, project, name));
        await driver.SnapshotVolumeAsync(VolumePath(pool, project, name), target, readOnly: true, cancellationToken).ConfigureAwait(false);
        var record = new StorageVolumeSnapshot
        {
            Name = snapName,
            Config = volume.Config,
            Description = volume.Description,
            CreatedAt = _time.GetUtcNow(),
            ExpiresAt = expiresAt ?? SnapshotExpiry.From(volume.Config.GetValueOrDefault("snapshots.expiry"), _time.GetUtcNow()),
        };
        try
        {
            await _store.TransactionAsync(tx =>
            {
                tx.PutJson(SnapshotPrefix(pool, project, name) + snapName, record, ApiJsonContext.Wire.StorageVolumeSnapshot);
                return true;
            }, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await driver.DeleteVolumeAsync(target, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        _events.PublishLifecycle("storage-volume-snapshot-created", Url(pool, "custom", name, project), requestor: requestor, project: project);
    }

    public async Task DeleteSnapshotAsync(string pool, string project, string name, string snapName, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        GetSnapshot(pool, project, name, snapName);
        await _pools.DriverOf(pool).DeleteVolumeAsync(SnapshotPath(pool, project, name, snapName), cancellationToken).ConfigureAwait(false);
        await _store.TransactionAsync(tx => tx.Delete(SnapshotPrefix(pool, project, name) + snapName), cancellationToken).ConfigureAwait(false);
        Directories.DeleteIfEmpty(SnapshotsDir(pool, project, name));
        _events.PublishLifecycle("storage-volume-snapshot-deleted", Url(pool, "custom", name, project), requestor: requestor, project: project);
    }

    public async Task RenameSnapshotAsync(string pool, string project, string name, string snapName, string newName, CancellationToken cancellationToken)
    {
        var snap = GetSnapshot(pool, project, name, snapName);
        ValidateName(newName);
        if (_store.Snapshot().Get(SnapshotPrefix(pool, project, name) + newName) is not null)
        {
            throw new ApiException(409, $"Snapshot \"{newName}\" already exists");
        }

        Directory.Move(SnapshotPath(pool, project, name, snapName), SnapshotPath(pool, project, name, newName));
        await _store.TransactionAsync(tx =>
        {
            tx.Delete(SnapshotPrefix(pool, project, name) + snapName);
            tx.PutJson(SnapshotPrefix(pool, project, name) + newName, snap with { Name = newName }, ApiJsonContext.Wire.StorageVolumeSnapshot);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task UpdateSnapshotAsync(string pool, string project, string name, string snapName, string description, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        var snap = GetSnapshot(pool, project, name, snapName);
        await _store.TransactionAsync(tx =>
        {
            tx.PutJson(SnapshotPrefix(pool, project, name) + snapName, snap with { Description = description, ExpiresAt = expiresAt }, ApiJsonContext.Wire.StorageVolumeSnapshot);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Rolls the volume back to a snapshot. Refused while a running instance mounts it: swapping the data under a
    /// live bind mount would leave the instance on the old, deleted copy.
    /// </summary>
    private async Task RestoreAsync(string pool, string project, string name, string snapName, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        GetSnapshot(pool, project, name, snapName);
        var running = Get(pool, project, "custom", name).UsedBy.Where(u => u.StartsWith("/1.0/instances/", StringComparison.Ordinal))
            .Select(u => Uri.UnescapeDataString(u["/1.0/instances/".Length..].Split('?')[0])).Where(IsRunning).ToList();
        if (running.Count > 0)
        {
            throw new ApiException(400, $"Cannot restore a volume used by running instance \"{running[0]}\": stop it first");
        }

        var driver = _pools.DriverOf(pool);
        var path = VolumePath(pool, project, name);
        var aside = path + ".restoring";
        Directory.Move(path, aside);
        try
        {
            await driver.SnapshotVolumeAsync(SnapshotPath(pool, project, name, snapName), path, readOnly: false, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Directory.Move(aside, path);
            throw;
        }

        await driver.DeleteVolumeAsync(aside, CancellationToken.None).ConfigureAwait(false);
        _events.PublishLifecycle("storage-volume-restored", Url(pool, "custom", name, project), requestor: requestor, project: project);
    }

    private string SnapshotsDir(string pool, string project, string name) => Path.Combine(_paths.PoolPath(pool), "custom-snapshots", $"{project}_{name}");

    private string SnapshotPath(string pool, string project, string name, string snapshot) => Path.Combine(SnapshotsDir(pool, project, name), snapshot);

    private static string SnapshotPrefix(string pool, string project, string name) => $"{SnapPrefix}{pool}/{project}/{name}/";
}
