using System.Globalization;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Backups;
using Berth.Server.Database;
using Berth.Server.Util;

namespace Berth.Server.Instances;

/// <summary>
/// Instance backups in LXD's tarball layout (<c>backup/index.yaml</c>, <c>backup/container</c>,
/// <c>backup/snapshots/&lt;name&gt;</c>). A backup is kept on the instance's pool as read-only volume copies (CoW
/// snapshots on btrfs, so creating one is instant); the tarball is made while it is streamed out on export.
/// </summary>
public sealed partial class InstanceService
{

    public IReadOnlyList<InstanceBackup> Backups(string project, string name)
    {
        Get(project, name);
        return [.. _store.Snapshot().ListJson(BackupPrefix(project, name), ApiJsonContext.Wire.InstanceBackup).Select(b => b.Value).OrderBy(b => b.CreatedAt)];
    }

    public InstanceBackup GetBackup(string project, string name, string backup)
    {
        Get(project, name);
        return _store.Snapshot().GetJson(BackupPrefix(project, name) + backup, ApiJsonContext.Wire.InstanceBackup)
            ?? throw new ApiException(404, "Instance backup not found");
    }

    public static string BackupUrl(string name, string backup) => $"{Url(name)}/backups/{Uri.EscapeDataString(backup)}";

    /// <summary>Checks a backup request and picks its name (<c>backup%d</c> when none is given).</summary>
    public string ValidateBackupCreate(string project, string name, InstanceBackupsPost request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Get(project, name);
        if (request.CompressionAlgorithm.Length > 0 && !BackupArchive.Compressions.Contains(request.CompressionAlgorithm))
        {
            throw new ApiException(400, $"Unsupported compression algorithm \"{request.CompressionAlgorithm}\" (none, gzip, xz, zstd, bzip2)");
        }

        if (request.OptimizedStorage)
        {
            throw new ApiException(400, "Optimized storage backups are not supported by this berthd; leave --optimized-storage off");
        }

        var taken = _store.Snapshot().List(BackupPrefix(project, name)).Select(kv => kv.Key.Split('/')[^1]).ToHashSet(StringComparer.Ordinal);
        var backup = request.Name.Length > 0 ? request.Name : Enumerable.Range(0, taken.Count + 1).Select(i => "backup" + i.ToString(CultureInfo.InvariantCulture)).First(n => !taken.Contains(n));
        if (backup.Contains('/', StringComparison.Ordinal) || backup is "." or "..")
        {
            throw new ApiException(400, $"Invalid backup name \"{backup}\"");
        }

        return taken.Contains(backup) ? throw new ApiException(409, $"Backup \"{backup}\" already exists") : backup;
    }

    public async Task CreateBackupAsync(string project, string name, string backup, InstanceBackupsPost request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var instance = Stored(_store.Snapshot(), project, name);
        var pool = PoolOf(project, name);
        var root = Path.Combine(BackupDir(pool, project, name, backup), "backup");
        using var revert = new Reverter();
        Directory.CreateDirectory(root);
        revert.Add(() => DeleteBackupFilesAsync(pool, project, name, backup).GetAwaiter().GetResult());
        await _pools.CopyVolumeAsync(pool, _paths.Volume(name, pool), pool, Path.Combine(root, "container"), readOnly: true, cancellationToken).ConfigureAwait(false);
        var snapshots = request.InstanceOnly || request.ContainerOnly ? [] : Snapshots(project, name);
        foreach (var snap in snapshots)
        {
            Directory.CreateDirectory(Path.Combine(root, "snapshots"));
            await _pools.CopyVolumeAsync(pool, _paths.SnapshotVolume(name, snap.Name, pool), pool, Path.Combine(root, "snapshots", snap.Name), readOnly: true, cancellationToken).ConfigureAwait(false);
        }

        var config = new BackupConfig { Container = instance, Snapshots = [.. snapshots], Pool = _pools.Get(pool) with { UsedBy = [] } };
        await File.WriteAllTextAsync(Path.Combine(root, "index.yaml"), BackupArchive.IndexYaml(name, pool, _pools.DriverOf(pool).Name, "container", config.Snapshots.Select(s => s.Name), config), cancellationToken).ConfigureAwait(false);
        var record = new InstanceBackup
        {
            Name = backup,
            CreatedAt = _time.GetUtcNow(),
            ExpiresAt = request.ExpiresAt ?? DateTimeOffset.MinValue,
            InstanceOnly = request.InstanceOnly || request.ContainerOnly,
            ContainerOnly = request.InstanceOnly || request.ContainerOnly,
            CompressionAlgorithm = request.CompressionAlgorithm.Length > 0 ? request.CompressionAlgorithm : "gzip",
        };
        await _store.TransactionAsync(tx =>
        {
            tx.PutJson(BackupPrefix(project, name) + backup, record, ApiJsonContext.Wire.InstanceBackup);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        revert.Success();
        _events.PublishLifecycle("instance-backup-created", BackupUrl(name, backup), project: project);
    }

    public async Task RenameBackupAsync(string project, string name, string backup, string newName, CancellationToken cancellationToken)
    {
        var record = GetBackup(project, name, backup);
        if (newName.Length == 0 || newName.Contains('/', StringComparison.Ordinal) || newName is "." or "..")
        {
            throw new ApiException(400, $"Invalid backup name \"{newName}\"");
        }

        if (_store.Snapshot().Get(BackupPrefix(project, name) + newName) is not null)
        {
            throw new ApiException(409, $"Backup \"{newName}\" already exists");
        }

        var pool = PoolOf(project, name);
        Directory.Move(BackupDir(pool, project, name, backup), BackupDir(pool, project, name, newName));
        await _store.TransactionAsync(tx =>
        {
            tx.Delete(BackupPrefix(project, name) + backup);
            tx.PutJson(BackupPrefix(project, name) + newName, record with { Name = newName }, ApiJsonContext.Wire.InstanceBackup);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task DeleteBackupAsync(string project, string name, string backup, CancellationToken cancellationToken)
    {
        GetBackup(project, name, backup);
        await DeleteBackupFilesAsync(PoolOf(project, name), project, name, backup).ConfigureAwait(false);
        await _store.TransactionAsync(tx => tx.Delete(BackupPrefix(project, name) + backup), cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("instance-backup-deleted", BackupUrl(name, backup), project: project);
    }

    /// <summary>Every backup of an instance that is being deleted.</summary>
    private async Task DeleteBackupsAsync(string project, string name, string pool)
    {
        foreach (var kv in _store.Snapshot().List(BackupPrefix(project, name)))
        {
            await DeleteBackupFilesAsync(pool, project, name, kv.Key.Split('/')[^1]).ConfigureAwait(false);
        }

        await _store.TransactionAsync(tx =>
        {
            foreach (var kv in tx.List(BackupPrefix(project, name)))
            {
                tx.Delete(kv.Key);
            }

            return true;
        }, CancellationToken.None).ConfigureAwait(false);
        Directories.DeleteIfEmpty(Path.Combine(_paths.PoolPath(pool), "backups", $"{project}_{name}"));
    }

    /// <summary>Backups follow a renamed instance: their records and kept volumes move with it.</summary>
    private static void RenameBackupRecords(IStateTransaction tx, string project, string name, string newName)
    {
        foreach (var kv in tx.List(BackupPrefix(project, name)))
        {
            tx.Delete(kv.Key);
            tx.Put(BackupPrefix(project, newName) + kv.Key.Split('/')[^1], kv.Value);
        }
    }

    private void MoveBackupFiles(string pool, string project, string name, string newName)
    {
        var from = Path.Combine(_paths.PoolPath(pool), "backups", $"{project}_{name}");
        if (Directory.Exists(from))
        {
            Directory.Move(from, Path.Combine(_paths.PoolPath(pool), "backups", $"{project}_{newName}"));
        }
    }

    private string BackupDir(string pool, string project, string name, string backup) => Path.Combine(_paths.PoolPath(pool), "backups", $"{project}_{name}", backup);

    private static string BackupPrefix(string project, string name) => $"projects/{project}/backups/{name}/";

    /// <summary>A kept backup's volumes (<c>backup/container</c>, <c>backup/snapshots/*</c>) and directory.</summary>
    private Task DeleteBackupFilesAsync(string pool, string project, string name, string backup) =>
        BackupArchive.DeleteAsync(_pools.DriverOf(pool), BackupDir(pool, project, name, backup), "container", "snapshots");
}
