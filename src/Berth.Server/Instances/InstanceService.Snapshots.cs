using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;
using Berth.Server.Storage;
using Berth.Server.Util;

namespace Berth.Server.Instances;

/// <summary>
/// Instance snapshots: a record of the instance's config (<c>projects/&lt;p&gt;/snapshots/&lt;instance&gt;/&lt;snap&gt;</c>)
/// and a read-only copy of its volume (a btrfs read-only snapshot, a directory copy on dir).
/// </summary>
public sealed partial class InstanceService
{
    public static string SnapshotUrl(string name, string snapshot) => Url(name) + "/snapshots/" + Uri.EscapeDataString(snapshot);

    public IReadOnlyList<InstanceSnapshot> Snapshots(string project, string name)
    {
        var snapshot = _store.Snapshot();
        return Snapshots(snapshot, Stored(snapshot, project, name));
    }

    private static List<InstanceSnapshot> Snapshots(IStateReader reader, Instance instance) =>
        [.. reader.ListJson(SnapshotPrefix(instance.Project, instance.Name), ApiJsonContext.Wire.InstanceSnapshot)
            .Select(s => ExpandSnapshot(reader, instance, s.Value))
            .OrderBy(s => s.CreatedAt)];

    public InstanceSnapshot GetSnapshot(string project, string name, string snapshotName)
    {
        var snapshot = _store.Snapshot();
        var instance = Stored(snapshot, project, name);
        return ExpandSnapshot(snapshot, instance, StoredSnapshot(snapshot, project, name, snapshotName));
    }

    /// <summary>Checks a create request before an operation starts; returns the name the snapshot will get.</summary>
    public string ValidateSnapshotCreate(string project, string name, InstanceSnapshotsPost request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var reader = _store.Snapshot();
        Stored(reader, project, name);
        if (request.Stateful)
        {
            throw new ApiException(400, "Stateful snapshots need CRIU, which fails on this kernel (criu 3.17 vs kernel >= 6.13)");
        }

        var snapName = request.Name;
        if (snapName.Length == 0)
        {
            snapName = NextSnapshotName(reader, project, name, Get(project, name).ExpandedConfig.GetValueOrDefault("snapshots.pattern"));
        }

        ValidateSnapshotName(snapName);
        if (reader.Get(SnapshotPrefix(project, name) + snapName) is not null)
        {
            throw new ApiException(409, $"Snapshot \"{snapName}\" already exists");
        }

        return snapName;
    }

    public async Task CreateSnapshotAsync(string project, string name, string snapName, DateTimeOffset? expiresAt, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        var instance = Stored(_store.Snapshot(), project, name);
        var pool = PoolOf(project, name);
        var driver = _pools.DriverOf(pool);
        var target = _paths.SnapshotVolume(name, snapName, pool);
        if (Directory.Exists(target))
        {
            throw new ApiException(409, $"Snapshot \"{snapName}\" already exists");
        }

        using var revert = new Reverter();
        await driver.SnapshotVolumeAsync(_paths.Volume(name, pool), target, readOnly: true, cancellationToken).ConfigureAwait(false);
        revert.Add(() => driver.DeleteVolumeAsync(target, CancellationToken.None).GetAwaiter().GetResult());
        var record = new InstanceSnapshot
        {
            Name = snapName,
            Architecture = instance.Architecture,
            Config = instance.Config,
            Devices = instance.Devices,
            Profiles = instance.Profiles,
            Ephemeral = instance.Ephemeral,
            CreatedAt = _time.GetUtcNow(),
            ExpiresAt = expiresAt is { } given && given != DateTimeOffset.MinValue ? given
                : SnapshotExpiry.From(Get(project, name).ExpandedConfig.GetValueOrDefault("snapshots.expiry"), _time.GetUtcNow()) ?? DateTimeOffset.MinValue,
        };
        await _store.TransactionAsync(tx =>
        {
            Stored(tx, project, name);
            if (tx.Get(SnapshotPrefix(project, name) + snapName) is not null)
            {
                throw new ApiException(409, $"Snapshot \"{snapName}\" already exists");
            }

            tx.PutJson(SnapshotPrefix(project, name) + snapName, record, ApiJsonContext.Wire.InstanceSnapshot);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        revert.Success();
        SyncSnapshotsLink(project, name, pool);
        _events.PublishLifecycle("instance-snapshot-created", SnapshotUrl(name, snapName), requestor: requestor, project: project);
    }

    public async Task UpdateSnapshotAsync(string project, string name, string snapName, DateTimeOffset expiresAt, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        await _store.TransactionAsync(tx =>
        {
            var current = StoredSnapshot(tx, project, name, snapName);
            tx.PutJson(SnapshotPrefix(project, name) + snapName, current with { ExpiresAt = expiresAt }, ApiJsonContext.Wire.InstanceSnapshot);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("instance-snapshot-updated", SnapshotUrl(name, snapName), requestor: requestor, project: project);
    }

    public void ValidateSnapshotRename(string project, string name, string snapName, string newName)
    {
        var reader = _store.Snapshot();
        StoredSnapshot(reader, project, name, snapName);
        ValidateSnapshotName(newName);
        if (reader.Get(SnapshotPrefix(project, name) + newName) is not null)
        {
            throw new ApiException(409, $"Name \"{newName}\" already in use");
        }
    }

    public async Task RenameSnapshotAsync(string project, string name, string snapName, string newName, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ValidateSnapshotRename(project, name, snapName, newName);
        var pool = PoolOf(project, name);
        Directory.Move(_paths.SnapshotVolume(name, snapName, pool), _paths.SnapshotVolume(name, newName, pool));
        await _store.TransactionAsync(tx =>
        {
            var current = StoredSnapshot(tx, project, name, snapName);
            tx.Delete(SnapshotPrefix(project, name) + snapName);
            tx.PutJson(SnapshotPrefix(project, name) + newName, current with { Name = newName }, ApiJsonContext.Wire.InstanceSnapshot);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("instance-snapshot-renamed", SnapshotUrl(name, newName), Context("old_name", snapName), requestor, project);
    }

    public async Task DeleteSnapshotAsync(string project, string name, string snapName, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        var pool = PoolOf(project, name);
        await _store.TransactionAsync(tx =>
        {
            StoredSnapshot(tx, project, name, snapName);
            tx.Delete(SnapshotPrefix(project, name) + snapName);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        await _pools.DriverOf(pool).DeleteVolumeAsync(_paths.SnapshotVolume(name, snapName, pool), cancellationToken).ConfigureAwait(false);
        SyncSnapshotsLink(project, name, pool);
        _events.PublishLifecycle("instance-snapshot-deleted", SnapshotUrl(name, snapName), requestor: requestor, project: project);
    }

    /// <summary>
    /// Puts the instance back as it was in the snapshot: volume and config (volatile keys stay current). A running
    /// instance is stopped first and started again after, as LXD does.
    /// </summary>
    public async Task RestoreAsync(string project, string name, string snapName, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        var snap = StoredSnapshot(_store.Snapshot(), project, name, snapName);
        var wasRunning = Get(project, name).StatusCode != StatusCode.Stopped;
        var pool = PoolOf(project, name);
        var driver = _pools.DriverOf(pool);
        var volume = _paths.Volume(name, pool);
        var restored = volume + ".restored";
        await driver.DeleteVolumeAsync(restored, cancellationToken).ConfigureAwait(false);

        // The new volume is made from the snapshot while the instance is being stopped (each is a wait: a btrfs
        // commit, liblxc's monitor tearing the container down), so the instance is down for the longer one only.
        var made = Task.Run(() => driver.SnapshotVolumeAsync(_paths.SnapshotVolume(name, snapName, pool), restored, readOnly: false, cancellationToken), cancellationToken);
        if (wasRunning)
        {
            // LXD 5.0 stops a running instance for a restore with Stop, its kill (not a clean shutdown).
            using (OwnStop(name))
            {
                _runtime.Kill(name);
            }

            StopProxies(name);
        }

        try
        {
            await made.ConfigureAwait(false);
        }
        catch
        {
            await driver.DeleteVolumeAsync(restored, CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        // The old volume goes aside under a name of its own and is deleted in the background once the instance runs
        // again: deleting a subvolume with the instance's changes took 30-140 ms, as long as the rest of a restore.
        var aside = $"{volume}.restoring-{Guid.NewGuid():N}";
        Directory.Move(volume, aside);
        Directory.Move(restored, volume);
        try
        {
            await RecordAsync(project, name, current =>
            {
                var config = snap.Config.Where(kv => !kv.Key.StartsWith("volatile.", StringComparison.Ordinal)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
                foreach (var (key, value) in current.Config.Where(kv => kv.Key.StartsWith("volatile.", StringComparison.Ordinal)))
                {
                    config[key] = value;
                }

                return current with { Config = config, Devices = snap.Devices, Profiles = snap.Profiles, Ephemeral = snap.Ephemeral, Architecture = snap.Architecture };
            }, cancellationToken).ConfigureAwait(false);
            if (RootSizeOf(project, name) is { } size)
            {
                await driver.SetQuotaAsync(volume, size, cancellationToken).ConfigureAwait(false);
            }

            _events.PublishLifecycle("instance-restored", Url(name), Context("snapshot", snapName), requestor, project);
            if (wasRunning)
            {
                await StartContainerAsync(project, name, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _ = Task.Run(() => DeleteAsideAsync(driver, aside), CancellationToken.None);
        }
    }

    private static async Task DeleteAsideAsync(IStorageDriver driver, string aside)
    {
        try
        {
            await driver.DeleteVolumeAsync(aside, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ApiException or IOException or UnauthorizedAccessException)
        {
            // Nothing refers to it; what a delete could not remove is only space.
        }
    }

    private long? RootSizeOf(string project, string name) => RootSize(Get(project, name).ExpandedDevices);

    /// <summary>The <c>snapshots</c> field of a full instance: null when there are none, as LXD.</summary>
    /// <summary>An instance's snapshots for its recursion=2 view, read from the caller's snapshot of the store.</summary>
    private static List<JsonElement>? SnapshotsJson(IStateReader reader, Instance instance)
    {
        var list = Snapshots(reader, instance);
        return list.Count == 0 ? null : [.. list.Select(s => JsonSerializer.SerializeToElement(s, ApiJsonContext.Wire.InstanceSnapshot))];
    }

    private static void DeleteSnapshotRecords(IStateTransaction tx, string project, string name)
    {
        foreach (var kv in tx.List(SnapshotPrefix(project, name)).ToList())
        {
            tx.Delete(kv.Key);
        }
    }

    private static void RenameSnapshotRecords(IStateTransaction tx, string project, string name, string newName)
    {
        foreach (var kv in tx.List(SnapshotPrefix(project, name)).ToList())
        {
            tx.Delete(kv.Key);
            tx.Put(SnapshotPrefix(project, newName) + kv.Key[SnapshotPrefix(project, name).Length..], kv.Value);
        }
    }

    private static InstanceSnapshot ExpandSnapshot(IStateReader reader, Instance instance, InstanceSnapshot stored)
    {
        var profiles = stored.Profiles.Select(p => reader.GetJson($"projects/{instance.Project}/profiles/{p}", ApiJsonContext.Wire.ProfilePut) ?? new ProfilePut());
        var (config, devices) = ConfigExpander.Expand(profiles, stored.Config, stored.Devices);
        return stored with { ExpandedConfig = config, ExpandedDevices = devices };
    }

    private static void ValidateSnapshotName(string name)
    {
        if (name.Length == 0 || name.Contains('/', StringComparison.Ordinal))
        {
            throw new ApiException(400, "Invalid snapshot name: snapshot names may not be empty or contain \"/\"");
        }

        if (name is "." or ".." || name.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            throw new ApiException(400, $"Invalid snapshot name \"{name}\"");
        }
    }

    private static InstanceSnapshot StoredSnapshot(IStateReader reader, string project, string name, string snapName)
    {
        Stored(reader, project, name);
        return reader.GetJson(SnapshotPrefix(project, name) + snapName, ApiJsonContext.Wire.InstanceSnapshot) ?? throw new ApiException(404, "Snapshot not found");
    }

    private static string SnapshotPrefix(string project, string name) => $"projects/{project}/snapshots/{name}/";
}
