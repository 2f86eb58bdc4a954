using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;
using Berth.Server.Storage;
using Berth.Server.Util;

namespace Berth.Server.Instances;

/// <summary>
/// Local copies (<c>source.type=copy</c>) and moves between pools: a CoW snapshot within a btrfs pool, a file copy
/// otherwise; snapshots come along unless <c>instance_only</c>. Volatile keys are made anew, as LXD does.
/// </summary>
public sealed partial class InstanceService
{
    /// <summary>Checks a copy request before its operation starts: the source exists, the target name is free.</summary>
    public void ValidateCopy(string project, InstancesPost request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (source, snap) = CopySource(request.Source);
        var reader = _store.Snapshot();
        Stored(reader, SourceProject(project, request.Source), source);
        if (snap is not null)
        {
            StoredSnapshot(reader, SourceProject(project, request.Source), source, snap);
        }
    }

    public async Task<Instance> CopyAsync(string project, InstancesPost request, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (IsRefresh(project, request))
        {
            return await RefreshAsync(project, request, requestor, cancellationToken).ConfigureAwait(false);
        }

        var sourceProject = SourceProject(project, request.Source);
        var (sourceName, snapName) = CopySource(request.Source);
        var reader = _store.Snapshot();
        var source = Stored(reader, sourceProject, sourceName);
        var origin = snapName is null ? null : StoredSnapshot(reader, sourceProject, sourceName, snapName);
        var merged = request with
        {
            Config = MergeCopied(request.Config, origin?.Config ?? source.Config),
            Devices = MergeCopied(request.Devices, origin?.Devices ?? source.Devices),
            Profiles = request.Profiles ?? origin?.Profiles ?? source.Profiles,
            Architecture = source.Architecture,
        };
        var record = NewRecord(project, merged, null);
        if ((origin?.Config ?? source.Config).TryGetValue("volatile.base_image", out var baseImage))
        {
            record.Config["volatile.base_image"] = baseImage;
        }

        using var revert = new Reverter();
        var sourcePool = PoolOf(sourceProject, sourceName);
        var pool = await TargetPoolAsync(project, record, cancellationToken).ConfigureAwait(false);
        var volume = _paths.Volume(record.Name, pool);
        if (Directory.Exists(volume))
        {
            throw new ApiException(409, $"Storage volume for \"{record.Name}\" already exists");
        }

        var from = snapName is null ? _paths.Volume(sourceName, sourcePool) : _paths.SnapshotVolume(sourceName, snapName, sourcePool);
        await _pools.CopyVolumeAsync(sourcePool, from, pool, volume, readOnly: false, cancellationToken).ConfigureAwait(false);
        revert.Add(() => _pools.DriverOf(pool).DeleteVolumeAsync(volume, CancellationToken.None).GetAwaiter().GetResult());
        var snapshots = new List<InstanceSnapshot>();
        if (snapName is null && !request.Source.InstanceOnly)
        {
            foreach (var snap in reader.ListJson(SnapshotPrefix(sourceProject, sourceName), ApiJsonContext.Wire.InstanceSnapshot).Select(s => s.Value).OrderBy(s => s.CreatedAt))
            {
                var target = _paths.SnapshotVolume(record.Name, snap.Name, pool);
                await _pools.CopyVolumeAsync(sourcePool, _paths.SnapshotVolume(sourceName, snap.Name, sourcePool), pool, target, readOnly: true, cancellationToken).ConfigureAwait(false);
                revert.Add(() => _pools.DriverOf(pool).DeleteVolumeAsync(target, CancellationToken.None).GetAwaiter().GetResult());
                snapshots.Add(snap);
            }

            revert.Add(() => Directories.DeleteIfEmpty(_paths.SnapshotsDir(record.Name, pool)));
        }

        if (File.Exists(Path.Combine(volume, "metadata.yaml")))
        {
            TemplateApplier.Apply(volume, _paths.Rootfs(record.Name, pool), "copy", record.Name);
        }

        await _store.TransactionAsync(tx =>
        {
            if (tx.Get(Key(project, record.Name)) is not null)
            {
                throw new ApiException(409, "Instance \"" + record.Name + "\" already exists");
            }

            Validate(tx, project, record);
            record = WithNicMacs(tx, record);
            tx.PutJson(Key(project, record.Name), record, ApiJsonContext.Wire.Instance);
            StoragePoolService.AddVolume(tx, pool, project, record.Name);
            foreach (var snap in snapshots)
            {
                tx.PutJson(SnapshotPrefix(project, record.Name) + snap.Name, snap, ApiJsonContext.Wire.InstanceSnapshot);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
        revert.Success();
        SyncSnapshotsLink(project, record.Name, pool);
        EnsureRootfsLink(record.Name, _paths.Rootfs(record.Name, pool));
        _events.PublishLifecycle("instance-created", Url(record.Name), Context("type", "container"), requestor, project);
        return record;
    }

    /// <summary>
    /// <c>POST /1.0/instances/&lt;name&gt;</c> with <c>migration</c> and <c>pool</c> (lxc move -s): the volume and its
    /// snapshots move to another pool and the root disk follows; the instance must be stopped.
    /// </summary>
    public async Task MovePoolAsync(string project, string name, string targetPool, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        EnsureDeletable(project, name);
        if (!_pools.Exists(targetPool))
        {
            throw new ApiException(404, $"Storage pool \"{targetPool}\" not found");
        }

        var sourcePool = PoolOf(project, name);
        if (sourcePool == targetPool)
        {
            throw new ApiException(400, $"The instance is already on storage pool \"{targetPool}\"");
        }

        using var revert = new Reverter();
        var moved = new List<string>();
        var volume = _paths.Volume(name, targetPool);
        await _pools.CopyVolumeAsync(sourcePool, _paths.Volume(name, sourcePool), targetPool, volume, readOnly: false, cancellationToken).ConfigureAwait(false);
        revert.Add(() => _pools.DriverOf(targetPool).DeleteVolumeAsync(volume, CancellationToken.None).GetAwaiter().GetResult());
        var snapshots = _paths.SnapshotsDir(name, sourcePool);
        foreach (var snap in Directory.Exists(snapshots) ? Directory.GetDirectories(snapshots) : [])
        {
            var target = _paths.SnapshotVolume(name, Path.GetFileName(snap), targetPool);
            await _pools.CopyVolumeAsync(sourcePool, snap, targetPool, target, readOnly: true, cancellationToken).ConfigureAwait(false);
            revert.Add(() => _pools.DriverOf(targetPool).DeleteVolumeAsync(target, CancellationToken.None).GetAwaiter().GetResult());
        }

        await _store.TransactionAsync(tx =>
        {
            var current = Stored(tx, project, name);
            var devices = current.Devices.ToDictionary(kv => kv.Key, kv => new Dictionary<string, string>(kv.Value, StringComparer.Ordinal), StringComparer.Ordinal);
            var root = devices.FirstOrDefault(d => d.Value.GetValueOrDefault("type") == "disk" && d.Value.GetValueOrDefault("path") == "/").Key ?? "root";
            devices[root] = new Dictionary<string, string>(devices.GetValueOrDefault(root) ?? new() { ["path"] = "/", ["type"] = "disk" }, StringComparer.Ordinal) { ["pool"] = targetPool };
            tx.PutJson(Key(project, name), current with { Devices = devices }, ApiJsonContext.Wire.Instance);
            _pools.RemoveVolume(tx, project, name);
            StoragePoolService.AddVolume(tx, targetPool, project, name);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        revert.Success();
        await DeleteVolumesAsync(sourcePool, name, CancellationToken.None).ConfigureAwait(false);
        _events.PublishLifecycle("instance-updated", Url(name), requestor: requestor, project: project);
    }

    private async Task<string> TargetPoolAsync(string project, Instance record, CancellationToken cancellationToken)
    {
        var snapshot = _store.Snapshot();
        var profiles = record.Profiles.Select(p => snapshot.GetJson($"projects/{project}/profiles/{p}", ApiJsonContext.Wire.ProfilePut) ?? new ProfilePut());
        var (_, devices) = ConfigExpander.Expand(profiles, record.Config, record.Devices);
        return await _pools.PoolForNewInstanceAsync(devices, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>What a copy keeps from its source: LXD's rule drops volatile keys and lets the request win.</summary>
    private static Dictionary<string, string> MergeCopied(Dictionary<string, string>? requested, Dictionary<string, string> source)
    {
        var config = new Dictionary<string, string>(requested ?? [], StringComparer.Ordinal);
        foreach (var (key, value) in source.Where(kv => !kv.Key.StartsWith("volatile.", StringComparison.Ordinal)))
        {
            config.TryAdd(key, value);
        }

        foreach (var key in config.Keys.Where(k => k.StartsWith("volatile.", StringComparison.Ordinal)).ToList())
        {
            config.Remove(key);
        }

        return config;
    }

    private static Dictionary<string, Dictionary<string, string>> MergeCopied(Dictionary<string, Dictionary<string, string>>? requested, Dictionary<string, Dictionary<string, string>> source)
    {
        var devices = new Dictionary<string, Dictionary<string, string>>(requested ?? [], StringComparer.Ordinal);
        foreach (var (key, value) in source)
        {
            devices.TryAdd(key, value);
        }

        return devices;
    }

    /// <summary><c>"c1"</c> or <c>"c1/snap0"</c>.</summary>
    private static (string Instance, string? Snapshot) CopySource(InstanceSource source)
    {
        if (source.SourceName.Length == 0)
        {
            throw new ApiException(400, "A copy needs a source instance");
        }

        return source.SourceName.Split('/', 2) is [var instance, var snap] ? (instance, snap) : (source.SourceName, null);
    }

    private static string SourceProject(string project, InstanceSource source) => source.Project.Length > 0 ? source.Project : project;
}
