using System.Formats.Tar;
using System.Text;
using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Backups;
using Berth.Server.Database;
using Berth.Server.Instances;
using Berth.Server.Util;
using Berth.Server.Yaml;

namespace Berth.Server.Storage;

/// <summary>
/// <c>POST /1.0/storage-pools/&lt;pool&gt;/volumes/custom</c> with a backup tarball as the body (lxc storage volume
/// import): index.yaml is read from the head of the upload, the rest is untarred straight into the new volume and
/// its snapshots. A bad file is a 400 and leaves nothing behind.
/// </summary>
public sealed partial class StorageVolumeService
{
    private const int IndexHeadLimit = 1 << 20;

    /// <summary>Makes a custom volume from the tarball in <paramref name="body"/>; <paramref name="name"/> overrides the backup's. Returns the name.</summary>
    public async Task<string> ImportBackupAsync(string pool, string project, Stream body, string? name, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        _pools.Get(pool);
        using var decompressor = await BackupArchive.DecompressAsync(body, cancellationToken).ConfigureAwait(false);
        var head = new byte[IndexHeadLimit];
        var length = 0;
        try
        {
            for (int n; length < head.Length && (n = await decompressor.Stream.ReadAsync(head.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0;)
            {
                length += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new ApiException(400, $"Invalid backup file: {e.Message}");
        }

        var (backupName, config) = ReadVolumeIndex(head.AsMemory(0, length));
        name = string.IsNullOrEmpty(name) ? backupName : name;
        ValidateName(name);
        var snapshots = config.VolumeSnapshots ?? [];
        foreach (var snap in snapshots)
        {
            ValidateName(snap.Name);
        }

        var volume = new StorageVolume { Name = name, Config = new Dictionary<string, string>(config.Volume!.Config ?? [], StringComparer.Ordinal), Description = config.Volume.Description };
        ValidateConfig(pool, volume.Config);
        if (_store.Snapshot().Get(Key(pool, project, name)) is not null)
        {
            throw new ApiException(409, "Volume by that name already exists");
        }

        var driver = _pools.DriverOf(pool);
        var path = VolumePath(pool, project, name);
        if (Directory.Exists(path))
        {
            throw new ApiException(409, $"Storage volume \"{name}\" already exists on the pool");
        }

        using var revert = new Reverter();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await driver.CreateVolumeAsync(path, cancellationToken).ConfigureAwait(false);
        revert.Add(() => driver.DeleteVolumeAsync(path, CancellationToken.None).GetAwaiter().GetResult());
        revert.Add(() => Directories.DeleteIfEmpty(SnapshotsDir(pool, project, name)));
        foreach (var snap in snapshots)
        {
            var filling = SnapshotPath(pool, project, name, snap.Name) + ".filling";
            Directory.CreateDirectory(SnapshotsDir(pool, project, name));
            await driver.CreateVolumeAsync(filling, cancellationToken).ConfigureAwait(false);
            revert.Add(() => driver.DeleteVolumeAsync(filling, CancellationToken.None).GetAwaiter().GetResult());
        }

        var dir = $"{project}_{name}";
        var junk = ".berth-import-" + Guid.NewGuid().ToString("N")[..8];
        revert.Add(() => Directory.Delete(Path.Combine(_paths.PoolPath(pool), junk), recursive: true));
        await BackupArchive.UntarAsync(new PrefixedStream(head.AsMemory(0, length), decompressor.Stream), _paths.PoolPath(pool),
        [
            // Snapshots before the volume: "backup/volume" is a prefix of "backup/volume-snapshots".
            "--transform", $"s,^backup/volume-snapshots/\\([^/]*\\),custom-snapshots/{dir}/\\1.filling,S",
            "--transform", $"s,^backup/volume$,custom/{dir},S",
            "--transform", $"s,^backup/volume/,custom/{dir}/,S",
            "--transform", $"s,^backup,{junk}/backup,S",
        ], cancellationToken).ConfigureAwait(false);
        await decompressor.CompleteAsync().ConfigureAwait(false);
        if (Directory.Exists(Path.Combine(_paths.PoolPath(pool), junk)))
        {
            Directory.Delete(Path.Combine(_paths.PoolPath(pool), junk), recursive: true);
        }

        foreach (var snap in snapshots)
        {
            var target = SnapshotPath(pool, project, name, snap.Name);
            if (driver.Info.CowSnapshots)
            {
                await driver.SnapshotVolumeAsync(target + ".filling", target, readOnly: true, cancellationToken).ConfigureAwait(false);
                await driver.DeleteVolumeAsync(target + ".filling", cancellationToken).ConfigureAwait(false);
            }
            else
            {
                Directory.Move(target + ".filling", target);
            }

            revert.Add(() => driver.DeleteVolumeAsync(target, CancellationToken.None).GetAwaiter().GetResult());
        }

        await ApplySizeAsync(driver, path, volume.Config, cancellationToken).ConfigureAwait(false);
        await _store.TransactionAsync(tx =>
        {
            if (tx.Get(Key(pool, project, name)) is not null)
            {
                throw new ApiException(409, "Volume by that name already exists");
            }

            tx.PutJson(Key(pool, project, name), volume, ApiJsonContext.Wire.StorageVolume);
            foreach (var snap in snapshots)
            {
                tx.PutJson(SnapshotPrefix(pool, project, name) + snap.Name, snap, ApiJsonContext.Wire.StorageVolumeSnapshot);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
        revert.Success();
        _events.PublishLifecycle("storage-volume-created", Url(pool, "custom", name, project), requestor: requestor, project: project);
        return name;
    }

    /// <summary>index.yaml from the head of the tar stream (LXD and berthd write it first); it must describe a custom volume.</summary>
    private static (string Name, BackupConfig Config) ReadVolumeIndex(ReadOnlyMemory<byte> head)
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
                if (index["type"]?.GetValue<string>() is { } type && type != "custom")
                {
                    throw new ApiException(400, $"Invalid backup file: it holds a backup of type \"{type}\", not a custom volume (use lxc import for instances)");
                }

                var config = index["config"]?.Deserialize(ApiJsonContext.Wire.BackupConfig) ?? throw new InvalidDataException("index.yaml has no config");
                if (config.Volume is null)
                {
                    throw new InvalidDataException("index.yaml has no volume config");
                }

                return (index["name"]?.GetValue<string>() ?? config.Volume.Name, config);
            }
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or JsonException or InvalidOperationException or EndOfStreamException)
        {
            throw new ApiException(400, $"Invalid backup file: {e.Message}");
        }

        throw new ApiException(400, "Invalid backup file: it does not start with backup/index.yaml");
    }
}
