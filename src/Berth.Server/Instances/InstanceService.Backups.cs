using System.Globalization;
using System.Text;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
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
    internal static readonly string[] Compressions = ["none", "gzip", "xz", "zstd", "bzip2"];

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
        if (request.CompressionAlgorithm.Length > 0 && !Compressions.Contains(request.CompressionAlgorithm))
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
        await File.WriteAllTextAsync(Path.Combine(root, "index.yaml"), IndexYaml(name, pool, _pools.DriverOf(pool).Name, config), cancellationToken).ConfigureAwait(false);
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

    private async Task DeleteBackupFilesAsync(string pool, string project, string name, string backup)
    {
        var dir = BackupDir(pool, project, name, backup);
        var root = Path.Combine(dir, "backup");
        var driver = _pools.DriverOf(pool);
        foreach (var snap in Directory.Exists(Path.Combine(root, "snapshots")) ? Directory.GetDirectories(Path.Combine(root, "snapshots")) : [])
        {
            await driver.DeleteVolumeAsync(snap, CancellationToken.None).ConfigureAwait(false);
        }

        if (Directory.Exists(Path.Combine(root, "container")))
        {
            await driver.DeleteVolumeAsync(Path.Combine(root, "container"), CancellationToken.None).ConfigureAwait(false);
        }

        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// LXD's index.yaml. The <c>config</c> value is JSON, which is also YAML (a flow mapping), so the API records
    /// serialize it exactly as they go on the wire.
    /// </summary>
    private static string IndexYaml(string name, string pool, string driver, BackupConfig config)
    {
        var text = new StringBuilder();
        text.Append("name: ").Append(JsonSerializer.Serialize(name, ApiJsonContext.Wire.String)).Append('\n');
        text.Append("backend: ").Append(driver).Append('\n');
        text.Append("pool: ").Append(JsonSerializer.Serialize(pool, ApiJsonContext.Wire.String)).Append('\n');
        text.Append("optimized: false\noptimized_header: false\ntype: container\n");
        text.Append("snapshots:").Append(config.Snapshots.Count == 0 ? " []\n" : "\n");
        foreach (var snap in config.Snapshots)
        {
            text.Append("- ").Append(JsonSerializer.Serialize(snap.Name, ApiJsonContext.Wire.String)).Append('\n');
        }

        text.Append("config: ").Append(JsonSerializer.Serialize(config, ApiJsonContext.Wire.BackupConfig)).Append('\n');
        return text.ToString();
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
}
