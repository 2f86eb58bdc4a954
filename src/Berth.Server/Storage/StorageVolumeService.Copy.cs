using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;
using Berth.Server.Util;

namespace Berth.Server.Storage;

public sealed partial class StorageVolumeService
{
    /// <summary>Checks a copy request (source exists, target free) before its operation starts.</summary>
    public (string Pool, string Volume, string? Snapshot) ValidateCopy(string pool, string project, StorageVolumesPost request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var source = request.Source ?? throw new ApiException(400, "No source given");
        if (source.Type != "copy")
        {
            throw new ApiException(400, $"Volume source type \"{source.Type}\" is not supported (only \"copy\" between pools of this server)");
        }

        ValidateCreate(pool, project, request);
        var sourcePool = string.IsNullOrEmpty(source.Pool) ? pool : source.Pool;
        var parts = source.Name.Split('/', 2);
        Get(sourcePool, project, "custom", parts[0]);
        if (parts.Length == 2)
        {
            GetSnapshot(sourcePool, project, parts[0], parts[1]);
        }

        return (sourcePool, parts[0], parts.Length == 2 ? parts[1] : null);
    }

    /// <summary>A new custom volume from another one or its snapshot, with its snapshots unless <c>volume_only</c>.</summary>
    public async Task CopyAsync(string pool, string project, StorageVolumesPost request, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (sourcePool, sourceName, sourceSnap) = ValidateCopy(pool, project, request);
        var source = Get(sourcePool, project, "custom", sourceName);
        var config = new Dictionary<string, string>(source.Config, StringComparer.Ordinal);
        foreach (var (key, value) in request.Config ?? [])
        {
            config[key] = value;
        }

        ValidateConfig(pool, config);
        var target = VolumePath(pool, project, request.Name);
        var driver = _pools.DriverOf(pool);
        using var revert = new Reverter();
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var from = sourceSnap is null ? VolumePath(sourcePool, project, sourceName) : SnapshotPath(sourcePool, project, sourceName, sourceSnap);
        await _pools.CopyVolumeAsync(sourcePool, from, pool, target, readOnly: false, cancellationToken).ConfigureAwait(false);
        revert.Add(() => driver.DeleteVolumeAsync(target, CancellationToken.None).GetAwaiter().GetResult());
        await ApplySizeAsync(driver, target, config, cancellationToken).ConfigureAwait(false);
        var snapshots = sourceSnap is null && !(request.Source?.VolumeOnly ?? false) ? Snapshots(sourcePool, project, sourceName) : [];
        foreach (var snap in snapshots)
        {
            Directory.CreateDirectory(SnapshotsDir(pool, project, request.Name));
            var snapTarget = SnapshotPath(pool, project, request.Name, snap.Name);
            await _pools.CopyVolumeAsync(sourcePool, SnapshotPath(sourcePool, project, sourceName, snap.Name), pool, snapTarget, readOnly: true, cancellationToken).ConfigureAwait(false);
            revert.Add(() => driver.DeleteVolumeAsync(snapTarget, CancellationToken.None).GetAwaiter().GetResult());
        }

        var volume = new StorageVolume { Name = request.Name, Config = config, Description = string.IsNullOrEmpty(request.Description) ? source.Description : request.Description };
        await _store.TransactionAsync(tx =>
        {
            if (tx.Get(Key(pool, project, request.Name)) is not null)
            {
                throw new ApiException(409, "Volume by that name already exists");
            }

            tx.PutJson(Key(pool, project, request.Name), volume, ApiJsonContext.Wire.StorageVolume);
            foreach (var snap in snapshots)
            {
                tx.PutJson(SnapshotPrefix(pool, project, request.Name) + snap.Name, snap, ApiJsonContext.Wire.StorageVolumeSnapshot);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
        revert.Success();
        _events.PublishLifecycle("storage-volume-created", Url(pool, "custom", request.Name, project), requestor: requestor, project: project);
    }

    /// <summary>Checks a rename or move: the volume exists, is not mounted, and the target name is free.</summary>
    public void ValidateMove(string pool, string project, string name, StorageVolumePost request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var volume = Get(pool, project, "custom", name);
        if (request.Migration)
        {
            throw new ApiException(501, "Volume migration between servers is not supported by this berthd yet");
        }

        var targetPool = string.IsNullOrEmpty(request.Pool) ? pool : request.Pool;
        var targetName = string.IsNullOrEmpty(request.Name) ? name : request.Name;
        ValidateName(targetName);
        _pools.Get(targetPool);
        if (targetPool == pool && targetName == name)
        {
            throw new ApiException(400, "The volume already has that name and pool");
        }

        if (volume.UsedBy.Count > 0)
        {
            throw new ApiException(400, "Volume is still in use");
        }

        if (_store.Snapshot().Get(Key(targetPool, project, targetName)) is not null)
        {
            throw new ApiException(409, "Volume by that name already exists");
        }
    }

    /// <summary>Renames within a pool (a directory rename) or moves to another pool (copy, then delete).</summary>
    public async Task MoveAsync(string pool, string project, string name, StorageVolumePost request, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ValidateMove(pool, project, name, request);
        var targetPool = string.IsNullOrEmpty(request.Pool) ? pool : request.Pool;
        var targetName = string.IsNullOrEmpty(request.Name) ? name : request.Name;
        if (targetPool != pool)
        {
            var copy = new StorageVolumesPost { Name = targetName, Type = "custom", Source = new StorageVolumeSource { Type = "copy", Pool = pool, Name = name, VolumeOnly = request.VolumeOnly } };
            await CopyAsync(targetPool, project, copy, requestor, cancellationToken).ConfigureAwait(false);
            await DeleteAsync(pool, project, name, requestor, cancellationToken).ConfigureAwait(false);
            return;
        }

        var snapshots = Snapshots(pool, project, name);
        Directory.Move(VolumePath(pool, project, name), VolumePath(pool, project, targetName));
        if (Directory.Exists(SnapshotsDir(pool, project, name)))
        {
            Directory.Move(SnapshotsDir(pool, project, name), SnapshotsDir(pool, project, targetName));
        }

        MoveBackupFiles(pool, project, name, targetName);

        var volume = Get(pool, project, "custom", name) with { Name = targetName, UsedBy = [] };
        await _store.TransactionAsync(tx =>
        {
            tx.Delete(Key(pool, project, name));
            tx.PutJson(Key(pool, project, targetName), volume, ApiJsonContext.Wire.StorageVolume);
            foreach (var snap in snapshots)
            {
                tx.Delete(SnapshotPrefix(pool, project, name) + snap.Name);
                tx.PutJson(SnapshotPrefix(pool, project, targetName) + snap.Name, snap, ApiJsonContext.Wire.StorageVolumeSnapshot);
            }

            RenameBackupRecords(tx, pool, project, name, targetName);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("storage-volume-renamed", Url(pool, "custom", targetName, project), requestor: requestor, project: project);
    }
}
