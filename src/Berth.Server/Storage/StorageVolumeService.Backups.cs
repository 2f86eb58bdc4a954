using System.Globalization;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Backups;
using Berth.Server.Database;
using Berth.Server.Util;

namespace Berth.Server.Storage;

/// <summary>
/// Custom volume backups in LXD 5.0's tarball layout (<c>backup/index.yaml</c> of type <c>custom</c>,
/// <c>backup/volume</c>, <c>backup/volume-snapshots/&lt;name&gt;</c>). The backup operation copies the volume (CoW
/// snapshots on btrfs) and keeps the finished tarball on the pool (see <c>StorageVolumeService.BackupTarball.cs</c>).
/// </summary>
public sealed partial class StorageVolumeService
{
    private const string BackupRecordPrefix = "storage-volume-backups/";

    public static string BackupUrl(string pool, string name, string backup, string project)
    {
        var url = $"/1.0/storage-pools/{Uri.EscapeDataString(pool)}/volumes/custom/{Uri.EscapeDataString(name)}/backups/{Uri.EscapeDataString(backup)}";
        return project == "default" ? url : url + "?project=" + Uri.EscapeDataString(project);
    }

    public IReadOnlyList<StorageVolumeBackup> Backups(string pool, string project, string name)
    {
        Get(pool, project, "custom", name);
        return [.. _store.Snapshot().ListJson(BackupPrefix(pool, project, name), ApiJsonContext.Wire.StorageVolumeBackup).Select(b => b.Value).OrderBy(b => b.CreatedAt)];
    }

    public StorageVolumeBackup GetBackup(string pool, string project, string name, string backup)
    {
        Get(pool, project, "custom", name);
        return _store.Snapshot().GetJson(BackupPrefix(pool, project, name) + backup, ApiJsonContext.Wire.StorageVolumeBackup)
            ?? throw new ApiException(404, "Storage volume backup not found");
    }

    /// <summary>Checks a backup request and picks its name (<c>backup%d</c> when none is given).</summary>
    public string ValidateBackupCreate(string pool, string project, string name, StorageVolumeBackupsPost request)
    {
        ArgumentNullException.ThrowIfNull(request);
        Get(pool, project, "custom", name);
        if (request.CompressionAlgorithm.Length > 0 && !BackupArchive.Compressions.Contains(request.CompressionAlgorithm))
        {
            throw new ApiException(400, $"Unsupported compression algorithm \"{request.CompressionAlgorithm}\" (none, gzip, xz, zstd, bzip2)");
        }

        if (request.OptimizedStorage)
        {
            throw new ApiException(400, "Optimized storage backups are not supported by this berthd; leave --optimized-storage off");
        }

        var taken = _store.Snapshot().List(BackupPrefix(pool, project, name)).Select(kv => kv.Key.Split('/')[^1]).ToHashSet(StringComparer.Ordinal);
        var backup = request.Name.Length > 0 ? request.Name : Enumerable.Range(0, taken.Count + 1).Select(i => "backup" + i.ToString(CultureInfo.InvariantCulture)).First(n => !taken.Contains(n));
        ValidateBackupName(backup);
        return taken.Contains(backup) ? throw new ApiException(409, $"Backup \"{backup}\" already exists") : backup;
    }

    public async Task CreateBackupAsync(string pool, string project, string name, string backup, StorageVolumeBackupsPost request, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var volume = Get(pool, project, "custom", name) with { UsedBy = [] };
        var root = Path.Combine(BackupDir(pool, project, name, backup), "backup");
        using var revert = new Reverter();
        Directory.CreateDirectory(root);
        revert.Add(() => DeleteBackupFilesAsync(pool, project, name, backup).GetAwaiter().GetResult());
        await _pools.CopyVolumeAsync(pool, VolumePath(pool, project, name), pool, Path.Combine(root, "volume"), readOnly: true, cancellationToken).ConfigureAwait(false);
        var snapshots = request.VolumeOnly ? [] : Snapshots(pool, project, name);
        foreach (var snap in snapshots)
        {
            Directory.CreateDirectory(Path.Combine(root, "volume-snapshots"));
            await _pools.CopyVolumeAsync(pool, SnapshotPath(pool, project, name, snap.Name), pool, Path.Combine(root, "volume-snapshots", snap.Name), readOnly: true, cancellationToken).ConfigureAwait(false);
        }

        var config = new BackupConfig { Volume = volume, VolumeSnapshots = [.. snapshots], Pool = _pools.Get(pool) with { UsedBy = [] } };
        await File.WriteAllTextAsync(Path.Combine(root, "index.yaml"), BackupArchive.IndexYaml(name, pool, _pools.DriverOf(pool).Name, "custom", (config.VolumeSnapshots ?? []).Select(s => s.Name), config), cancellationToken).ConfigureAwait(false);
        await KeepTarballAsync(pool, project, name, backup, request.CompressionAlgorithm.Length > 0 ? request.CompressionAlgorithm : "gzip", cancellationToken).ConfigureAwait(false);
        var record = new StorageVolumeBackup
        {
            Name = backup,
            CreatedAt = _time.GetUtcNow(),
            ExpiresAt = request.ExpiresAt ?? DateTimeOffset.MinValue,
            VolumeOnly = request.VolumeOnly,
            CompressionAlgorithm = request.CompressionAlgorithm.Length > 0 ? request.CompressionAlgorithm : "gzip",
        };
        await _store.TransactionAsync(tx =>
        {
            Stored(tx, pool, project, name);
            tx.PutJson(BackupPrefix(pool, project, name) + backup, record, ApiJsonContext.Wire.StorageVolumeBackup);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        revert.Success();
        _events.PublishLifecycle("storage-volume-backup-created", BackupUrl(pool, name, backup, project), requestor: requestor, project: project);
    }

    public async Task RenameBackupAsync(string pool, string project, string name, string backup, string newName, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        var record = GetBackup(pool, project, name, backup);
        ValidateBackupName(newName);
        if (_store.Snapshot().Get(BackupPrefix(pool, project, name) + newName) is not null)
        {
            throw new ApiException(409, $"Backup \"{newName}\" already exists");
        }

        Directory.Move(BackupDir(pool, project, name, backup), BackupDir(pool, project, name, newName));
        await _store.TransactionAsync(tx =>
        {
            tx.Delete(BackupPrefix(pool, project, name) + backup);
            tx.PutJson(BackupPrefix(pool, project, name) + newName, record with { Name = newName }, ApiJsonContext.Wire.StorageVolumeBackup);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("storage-volume-backup-renamed", BackupUrl(pool, name, newName, project), requestor: requestor, project: project);
    }

    public async Task DeleteBackupAsync(string pool, string project, string name, string backup, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        GetBackup(pool, project, name, backup);
        await DeleteBackupFilesAsync(pool, project, name, backup).ConfigureAwait(false);
        await _store.TransactionAsync(tx => tx.Delete(BackupPrefix(pool, project, name) + backup), cancellationToken).ConfigureAwait(false);
        Directories.DeleteIfEmpty(BackupsDir(pool, project, name));
        _events.PublishLifecycle("storage-volume-backup-deleted", BackupUrl(pool, name, backup, project), requestor: requestor, project: project);
    }

    /// <summary>Writes the backup's tarball (index.yaml first, compressed as the backup asked) to <paramref name="output"/>.</summary>
    public async Task ExportBackupAsync(string pool, string project, string name, string backup, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var record = GetBackup(pool, project, name, backup);
        if (File.Exists(TarballPath(pool, project, name, backup)))
        {
            await using var file = File.OpenRead(TarballPath(pool, project, name, backup));
            await file.CopyToAsync(output, cancellationToken).ConfigureAwait(false);
            return;
        }

        await WriteTarballAsync(BackupDir(pool, project, name, backup), record.CompressionAlgorithm ?? "gzip", output, cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteTarballAsync(string dir, string compression, Stream output, CancellationToken cancellationToken)
    {
        List<string> entries = ["backup/index.yaml", "backup/volume"];
        if (Directory.Exists(Path.Combine(dir, "backup", "volume-snapshots")))
        {
            entries.Add("backup/volume-snapshots");
        }

        await BackupArchive.WriteTarballAsync(dir, compression, entries, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The backups of a volume being deleted go with it.</summary>
    private async Task DeleteBackupsAsync(string pool, string project, string name)
    {
        foreach (var kv in _store.Snapshot().List(BackupPrefix(pool, project, name)))
        {
            await DeleteBackupFilesAsync(pool, project, name, kv.Key.Split('/')[^1]).ConfigureAwait(false);
        }

        await _store.TransactionAsync(tx =>
        {
            foreach (var kv in tx.List(BackupPrefix(pool, project, name)))
            {
                tx.Delete(kv.Key);
            }

            return true;
        }, CancellationToken.None).ConfigureAwait(false);
        Directories.DeleteIfEmpty(BackupsDir(pool, project, name));
    }

    /// <summary>A renamed volume keeps its backups: the records are re-keyed in <paramref name="tx"/>.</summary>
    private static void RenameBackupRecords(IStateTransaction tx, string pool, string project, string name, string newName)
    {
        foreach (var kv in tx.List(BackupPrefix(pool, project, name)).ToList())
        {
            tx.Delete(kv.Key);
            tx.Put(BackupPrefix(pool, project, newName) + kv.Key.Split('/')[^1], kv.Value);
        }
    }

    private void MoveBackupFiles(string pool, string project, string name, string newName)
    {
        if (Directory.Exists(BackupsDir(pool, project, name)))
        {
            Directory.Move(BackupsDir(pool, project, name), BackupsDir(pool, project, newName));
        }
    }

    private static void ValidateBackupName(string backup)
    {
        if (backup.Length == 0 || backup.Contains('/', StringComparison.Ordinal) || backup is "." or "..")
        {
            throw new ApiException(400, $"Invalid backup name \"{backup}\"");
        }
    }

    private string BackupsDir(string pool, string project, string name) => Path.Combine(_paths.PoolPath(pool), "custom-backups", $"{project}_{name}");

    private string BackupDir(string pool, string project, string name, string backup) => Path.Combine(BackupsDir(pool, project, name), backup);

    private static string BackupPrefix(string pool, string project, string name) => $"{BackupRecordPrefix}{pool}/{project}/{name}/";

    /// <summary>A kept backup's volumes (<c>backup/volume</c>, <c>backup/volume-snapshots/*</c>) and directory.</summary>
    private Task DeleteBackupFilesAsync(string pool, string project, string name, string backup) =>
        BackupArchive.DeleteAsync(_pools.DriverOf(pool), BackupDir(pool, project, name, backup), "volume", "volume-snapshots");
}
