using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Database;
using Berth.Server.Util;

namespace Berth.Server.Storage;

/// <summary>
/// Instance volumes (type <c>container</c>) and their snapshots as storage volumes: their description can be
/// edited here as in LXD (<c>lxc storage volume edit &lt;pool&gt; container/&lt;name&gt;[/&lt;snapshot&gt;]</c>); the
/// data, size and snapshots themselves are managed through the instance.
/// </summary>
public sealed partial class StorageVolumeService
{
    /// <summary>The writable part of an instance volume's record (<c>{}</c> until edited).</summary>
    private static StorageVolumePut InstanceVolumeRecord(KeyValue kv) =>
        (kv.Value.Length == 0 ? null : JsonSerializer.Deserialize(kv.Value, ApiJsonContext.Wire.StorageVolumePut)) ?? new StorageVolumePut();

    public async Task UpdateInstanceVolumeAsync(string pool, string project, string name, StorageVolumePut request, bool merge, bool hasDescription, string? ifMatch, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var current = Get(pool, project, "container", name);
        ETag.Check(ifMatch, ETagOf(current));
        var config = merge ? new Dictionary<string, string>(current.Config, StringComparer.Ordinal) : [];
        foreach (var (key, value) in request.Config ?? [])
        {
            config[key] = value;
        }

        CheckInstanceVolumeConfig(current.Config, config);
        var updated = new StorageVolumePut { Config = current.Config, Description = merge && !hasDescription ? current.Description : request.Description };
        await _store.TransactionAsync(tx =>
        {
            if (tx.Get(InstanceVolumeKey(pool, project, name)) is null)
            {
                throw new ApiException(404, "Storage volume not found");
            }

            tx.PutJson(InstanceVolumeKey(pool, project, name), updated, ApiJsonContext.Wire.StorageVolumePut);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("storage-volume-updated", Url(pool, "container", name, project), requestor: requestor, project: project);
    }

    /// <summary>A snapshot of an instance volume: the instance snapshot's dates, the volume's description.</summary>
    public StorageVolumeSnapshot GetInstanceVolumeSnapshot(string pool, string project, string name, string snapshot)
    {
        Get(pool, project, "container", name);
        var reader = _store.Snapshot();
        var snap = reader.GetJson($"projects/{project}/snapshots/{name}/{snapshot}", ApiJsonContext.Wire.InstanceSnapshot)
            ?? throw new ApiException(404, "Storage volume snapshot not found");
        var record = reader.GetJson(InstanceVolumeKey(pool, project, name) + "/snapshots/" + snapshot, ApiJsonContext.Wire.StorageVolumeSnapshot);

        // A record left from an earlier snapshot of the same name (deleted since) does not apply.
        var own = record is not null && record.CreatedAt == snap.CreatedAt;
        return new StorageVolumeSnapshot
        {
            Name = snapshot,
            Config = own ? record!.Config : [],
            Description = own ? record!.Description : "",
            CreatedAt = snap.CreatedAt,
            ExpiresAt = snap.ExpiresAt,
        };
    }

    public IReadOnlyList<StorageVolumeSnapshot> InstanceVolumeSnapshots(string pool, string project, string name)
    {
        Get(pool, project, "container", name);
        var prefix = $"projects/{project}/snapshots/{name}/";
        return [.. _store.Snapshot().List(prefix).Select(kv => GetInstanceVolumeSnapshot(pool, project, name, kv.Key[prefix.Length..])).OrderBy(s => s.CreatedAt)];
    }

    public async Task UpdateInstanceVolumeSnapshotAsync(string pool, string project, string name, string snapshot, string description, CancellationToken cancellationToken)
    {
        var current = GetInstanceVolumeSnapshot(pool, project, name, snapshot);
        await _store.TransactionAsync(tx =>
        {
            tx.PutJson(InstanceVolumeKey(pool, project, name) + "/snapshots/" + snapshot, current with { Description = description }, ApiJsonContext.Wire.StorageVolumeSnapshot);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Only the description of an instance volume changes here; its config (size...) follows the instance's root disk.</summary>
    private static void CheckInstanceVolumeConfig(Dictionary<string, string> current, Dictionary<string, string> requested)
    {
        var changed = requested.Where(kv => current.GetValueOrDefault(kv.Key) != kv.Value).Select(kv => kv.Key)
            .Concat(current.Keys.Where(k => !requested.ContainsKey(k))).FirstOrDefault();
        if (changed is not null)
        {
            throw new ApiException(400, $"Changing \"{changed}\" on an instance volume is not supported by this berthd yet: set it on the instance's root disk device");
        }
    }

    private static string InstanceVolumeKey(string pool, string project, string name) => $"{Prefix}{pool}/{project}/container/{name}";
}
