using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Backups;
using Berth.Server.Database;
using Berth.Server.Storage;
using Berth.Server.Util;
using Berth.Server.Yaml;

namespace Berth.Server.Instances;

/// <summary>
/// Backup tarballs in and out, streamed: export runs tar over the kept backup volumes straight into the response;
/// import reads index.yaml from the head of the upload, then untars the rest straight into the new volumes.
/// </summary>
public sealed partial class InstanceService
{
    private const int IndexHeadLimit = 1 << 20;

    /// <summary>Writes the backup's tarball (compressed as the backup asked) to <paramref name="output"/>.</summary>
    public async Task ExportBackupAsync(string project, string name, string backup, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(output);
        var record = GetBackup(project, name, backup);
        var dir = BackupDir(PoolOf(project, name), project, name, backup);
        // index.yaml first: an importer reads it before the volumes arrive.
        List<string> entries = ["backup/index.yaml", "backup/container"];
        if (Directory.Exists(Path.Combine(dir, "backup", "snapshots")))
        {
            entries.Add("backup/snapshots");
        }

        await BackupArchive.WriteTarballAsync(dir, record.CompressionAlgorithm ?? "gzip", entries, output, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Makes an instance (and its snapshots) from a backup tarball in <paramref name="body"/>; <paramref name="name"/>
    /// and <paramref name="pool"/> override the backup's. Nothing is left behind when it fails.
    /// </summary>
    public async Task<string> ImportBackupAsync(string project, Stream body, string? name, string? pool, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var decompressor = await BackupArchive.DecompressAsync(body, cancellationToken).ConfigureAwait(false);
        var tarStream = decompressor.Stream;
        var head = new byte[IndexHeadLimit];
        var length = 0;
        try
        {
            for (int n; length < head.Length && (n = await tarStream.ReadAsync(head.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0;)
            {
                length += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new ApiException(400, $"Invalid backup file: {e.Message}");
        }

        var (backupName, config) = ReadIndex(head.AsMemory(0, length));
        var instance = config.Container ?? throw new ApiException(400, "Invalid backup file: index.yaml has no instance config");
        name = string.IsNullOrEmpty(name) ? backupName : name;
        InstanceNames.Validate(name);
        if (_store.Snapshot().Get(Key(project, name)) is not null)
        {
            throw new ApiException(409, $"Instance \"{name}\" already exists");
        }

        var record = instance with { Name = name, Project = project, Status = "", StatusCode = 0, ExpandedConfig = [], ExpandedDevices = [], CreatedAt = _time.GetUtcNow() };
        if (name != backupName)
        {
            // A second machine beside the original: it needs its own MAC and host-side veth, as a copy gets.
            record.Config = record.Config.Where(kv => !(kv.Key.StartsWith("volatile.", StringComparison.Ordinal) && (kv.Key.EndsWith(".hwaddr", StringComparison.Ordinal) || kv.Key.EndsWith(".host_name", StringComparison.Ordinal))))
                .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        }

        pool = await ImportPoolAsync(project, record, pool, config.Pool?.Name, cancellationToken).ConfigureAwait(false);
        var driver = _pools.DriverOf(pool);
        var volume = _paths.Volume(name, pool);
        if (Directory.Exists(volume))
        {
            throw new ApiException(409, $"Storage volume for \"{name}\" already exists");
        }

        using var revert = new Reverter();
        Directory.CreateDirectory(Path.GetDirectoryName(volume)!);
        await driver.CreateVolumeAsync(volume, cancellationToken).ConfigureAwait(false);
        revert.Add(() => DeleteVolumesAsync(pool, name, CancellationToken.None).GetAwaiter().GetResult());
        foreach (var snap in config.Snapshots)
        {
            Directory.CreateDirectory(_paths.SnapshotsDir(name, pool));
            await driver.CreateVolumeAsync(_paths.SnapshotVolume(name, snap.Name, pool) + ".filling", cancellationToken).ConfigureAwait(false);
        }

        var junk = ".berth-import-" + Guid.NewGuid().ToString("N")[..8];
        revert.Add(() => Directory.Delete(Path.Combine(_paths.PoolPath(pool), junk), recursive: true));
        await BackupArchive.UntarAsync(new PrefixedStream(head.AsMemory(0, length), tarStream), _paths.PoolPath(pool),
        [
            "--transform", $"s,^backup/container,containers/{name},S",
            "--transform", $"s,^backup/snapshots/\\([^/]*\\),containers-snapshots/{name}/\\1.filling,S",
            "--transform", $"s,^backup,{junk}/backup,S",
        ], cancellationToken).ConfigureAwait(false);
        await decompressor.CompleteAsync().ConfigureAwait(false);
        if (Directory.Exists(Path.Combine(_paths.PoolPath(pool), junk)))
        {
            Directory.Delete(Path.Combine(_paths.PoolPath(pool), junk), recursive: true);
        }

        // Imported under another name: the image's copy templates (hostname, hosts) follow, as for lxc copy.
        if (name != backupName && File.Exists(Path.Combine(volume, "metadata.yaml")))
        {
            TemplateApplier.Apply(volume, _paths.Rootfs(name, pool), "copy", name);
        }

        foreach (var snap in config.Snapshots)
        {
            var target = _paths.SnapshotVolume(name, snap.Name, pool);
            if (driver.Info.CowSnapshots)
            {
                await driver.SnapshotVolumeAsync(target + ".filling", target, readOnly: true, cancellationToken).ConfigureAwait(false);
                await driver.DeleteVolumeAsync(target + ".filling", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                Directory.Move(target + ".filling", target);
            }
        }

        await _store.TransactionAsync(tx =>
        {
            if (tx.Get(Key(project, name)) is not null)
            {
                throw new ApiException(409, $"Instance \"{name}\" already exists");
            }

            Validate(tx, project, record);
            tx.PutJson(Key(project, name), record, ApiJsonContext.Wire.Instance);
            StoragePoolService.AddVolume(tx, pool, project, name);
            foreach (var snap in config.Snapshots)
            {
                tx.PutJson(SnapshotPrefix(project, name) + snap.Name, snap, ApiJsonContext.Wire.InstanceSnapshot);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
        revert.Success();
        _events.PublishLifecycle("instance-created", Url(name), Context("type", "container"), requestor, project);
        return name;
    }

    /// <summary>The pool to import onto (header, else the backup's pool when it exists here, else the profiles'), recorded in the root disk.</summary>
    private async Task<string> ImportPoolAsync(string project, Instance record, string? requested, string? fromBackup, CancellationToken cancellationToken)
    {
        var pool = !string.IsNullOrEmpty(requested) ? requested
            : fromBackup is { Length: > 0 } && _pools.Exists(fromBackup) ? fromBackup
            : await TargetPoolAsync(project, record with { Devices = record.Devices.Where(d => d.Value.GetValueOrDefault("path") != "/").ToDictionary(d => d.Key, d => d.Value, StringComparer.Ordinal) }, cancellationToken).ConfigureAwait(false);
        if (!_pools.Exists(pool))
        {
            throw new ApiException(404, $"Storage pool \"{pool}\" not found");
        }

        var root = record.Devices.FirstOrDefault(d => d.Value.GetValueOrDefault("type") == "disk" && d.Value.GetValueOrDefault("path") == "/").Key;
        if (root is not null)
        {
            record.Devices[root] = new Dictionary<string, string>(record.Devices[root], StringComparer.Ordinal) { ["pool"] = pool };
        }
        else if (record.ExpandedDevices.Count == 0 && await TargetPoolAsync(project, record, cancellationToken).ConfigureAwait(false) != pool)
        {
            record.Devices["root"] = new(StringComparer.Ordinal) { ["type"] = "disk", ["path"] = "/", ["pool"] = pool };
        }

        return pool;
    }

    /// <summary>index.yaml from the head of the tar stream: LXD and berthd both write it first.</summary>
    private static (string Name, BackupConfig Config) ReadIndex(ReadOnlyMemory<byte> head)
    {
        try
        {
            using var reader = new TarReader(new MemoryStream(head.ToArray()));
            for (var i = 0; i < 8 && reader.GetNextEntry() is { } entry; i++)
            {
                if (entry.Name.TrimStart('.', '/') != "backup/index.yaml" || entry.DataStream is null)
                {
                    continue;
                }

                using var text = new StreamReader(entry.DataStream, Encoding.UTF8);
                var index = YamlJson.Parse(text.ReadToEnd()) ?? throw new InvalidDataException("index.yaml is empty");
                var config = index["config"]?.Deserialize(ApiJsonContext.Wire.BackupConfig) ?? throw new InvalidDataException("index.yaml has no config");
                return (index["name"]?.GetValue<string>() ?? config.Container?.Name ?? "", config);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or JsonException or InvalidOperationException or EndOfStreamException)
        {
            throw new ApiException(400, $"Invalid backup file: {e.Message}");
        }

        throw new ApiException(400, "Invalid backup file: it does not start with backup/index.yaml");
    }
}
