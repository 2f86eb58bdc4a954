using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Config;
using Berth.Server.Database;
using Berth.Server.Events;
using Berth.Server.Instances;
using Berth.Server.Util;

namespace Berth.Server.Storage;

/// <summary>
/// Custom storage volumes: records at <c>storage-volumes/&lt;pool&gt;/&lt;project&gt;/custom/&lt;name&gt;</c>, data at
/// <c>&lt;pool&gt;/custom/&lt;project&gt;_&lt;name&gt;</c> (LXD's layout), attached to instances as <c>disk</c> devices
/// with <c>pool=</c> and <c>source=</c>. Instance volumes are listed alongside as type <c>container</c>.
/// </summary>
public sealed partial class StorageVolumeService
{
    private const string Prefix = "storage-volumes/";
    private static readonly string[] KnownKeys = ["size", "security.shifted", "security.unmapped", "snapshots.expiry", "snapshots.pattern", "snapshots.schedule"];
    private readonly IStateStore _store;
    private readonly EventHub _events;
    private readonly InstancePaths _paths;
    private readonly StoragePoolService _pools;
    private readonly TimeProvider _time;
    private readonly IInstanceRuntime _runtime;

    public StorageVolumeService(IStateStore store, EventHub events, InstancePaths paths, StoragePoolService pools, TimeProvider time, IInstanceRuntime runtime)
    {
        _runtime = runtime;
        _store = store;
        _events = events;
        _paths = paths;
        _pools = pools;
        _time = time;
    }

    public static string Url(string pool, string type, string name, string project)
    {
        var url = $"/1.0/storage-pools/{Uri.EscapeDataString(pool)}/volumes/{type}/{Uri.EscapeDataString(name)}";
        return project == "default" ? url : url + "?project=" + Uri.EscapeDataString(project);
    }

    public static string ETagOf(StorageVolumePut volume)
    {
        ArgumentNullException.ThrowIfNull(volume);
        return ETag.Compute(w =>
        {
            JsonSerializer.Serialize(w, volume.Config, ApiJsonContext.Wire.DictionaryStringString);
            w.WriteStringValue(volume.Description);
        });
    }

    /// <summary>The host directory holding a custom volume's files.</summary>
    public string VolumePath(string pool, string project, string name) => Path.Combine(_paths.PoolPath(pool), "custom", $"{project}_{name}");

    /// <summary>Volumes of a pool in a project: instance volumes (type container) and custom ones; <paramref name="type"/> filters.</summary>
    public IReadOnlyList<StorageVolume> List(string pool, string project, string? type)
    {
        _pools.Get(pool);
        if (type is not null and not ("custom" or "container" or "image"))
        {
            throw new ApiException(400, $"Invalid storage volume type \"{type}\"");
        }

        var snapshot = _store.Snapshot();
        var users = UsersByVolume(snapshot, pool, project);
        var result = new List<StorageVolume>();
        foreach (var kv in snapshot.List($"{Prefix}{pool}/{project}/"))
        {
            var parts = kv.Key[(Prefix.Length + pool.Length + project.Length + 2)..].Split('/');
            if (parts.Length != 2 || (type is not null && parts[0] != type))
            {
                continue;
            }

            var record = parts[0] == "custom" ? null : InstanceVolumeRecord(kv);
            result.Add(record is null ? WithUsers(users, Read(kv)) : new StorageVolume
            {
                Name = parts[1],
                Type = "container",
                Config = record.Config,
                Description = record.Description,
                UsedBy = [InstanceService.Url(parts[1]) + ProjectSuffix(project)],
            });
        }

        return result;
    }

    public StorageVolume Get(string pool, string project, string type, string name)
    {
        if (type != "custom")
        {
            return List(pool, project, type).FirstOrDefault(v => v.Name == name) ?? throw new ApiException(404, "Storage volume not found");
        }

        _pools.Get(pool);
        var snapshot = _store.Snapshot();
        return WithUsers(snapshot, pool, project, Stored(snapshot, pool, project, name));
    }

    /// <summary>Makes an empty custom volume (sync, as LXD); a copy source goes through <see cref="CopyAsync"/>.</summary>
    public async Task CreateAsync(string pool, string project, StorageVolumesPost request, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var config = ValidateCreate(pool, project, request);
        var driver = _pools.DriverOf(pool);
        var path = VolumePath(pool, project, request.Name);
        using var revert = new Reverter();
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await driver.CreateVolumeAsync(path, cancellationToken).ConfigureAwait(false);
        revert.Add(() => driver.DeleteVolumeAsync(path, CancellationToken.None).GetAwaiter().GetResult());
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        await ApplySizeAsync(driver, path, config, cancellationToken).ConfigureAwait(false);
        await InsertAsync(pool, project, request, config, cancellationToken).ConfigureAwait(false);
        revert.Success();
        _events.PublishLifecycle("storage-volume-created", Url(pool, "custom", request.Name, project), requestor: requestor, project: project);
    }

    /// <summary>Checks a create request before any work, so a copy's operation only starts when it can succeed.</summary>
    public Dictionary<string, string> ValidateCreate(string pool, string project, StorageVolumesPost request)
    {
        ArgumentNullException.ThrowIfNull(request);
        _pools.Get(pool);
        if (request.Type is not ("" or "custom"))
        {
            throw new ApiException(400, $"Only custom volumes can be created, not \"{request.Type}\"");
        }

        if (request.ContentType is "block" or "iso")
        {
            throw new ApiException(400, $"Content type \"{request.ContentType}\" needs virtual machines, which this host cannot run (no KVM)");
        }

        if (request.ContentType is not (null or "" or "filesystem"))
        {
            throw new ApiException(400, $"Invalid content type \"{request.ContentType}\"");
        }

        ValidateName(request.Name);
        var config = new Dictionary<string, string>(request.Config ?? [], StringComparer.Ordinal);
        ValidateConfig(pool, config);
        if (_store.Snapshot().Get(Key(pool, project, request.Name)) is not null)
        {
            throw new ApiException(409, $"Volume by that name already exists");
        }

        return config;
    }

    public async Task UpdateAsync(string pool, string project, string name, StorageVolumePut request, bool merge, bool hasDescription, string? ifMatch, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var current = Get(pool, project, "custom", name);
        ETag.Check(ifMatch, ETagOf(current));
        if (!string.IsNullOrEmpty(request.Restore))
        {
            await RestoreAsync(pool, project, name, request.Restore, requestor, cancellationToken).ConfigureAwait(false);
            return;
        }

        var config = merge ? new Dictionary<string, string>(current.Config, StringComparer.Ordinal) : [];
        foreach (var (key, value) in request.Config ?? [])
        {
            config[key] = value;
        }

        ValidateConfig(pool, config);
        CheckShiftingChange(pool, project, name, current, config);
        if (config.GetValueOrDefault("size") != current.Config.GetValueOrDefault("size"))
        {
            await ApplySizeAsync(_pools.DriverOf(pool), VolumePath(pool, project, name), config, cancellationToken).ConfigureAwait(false);
        }

        var updated = current with { Config = config, Description = merge && !hasDescription ? current.Description : request.Description, UsedBy = [] };
        await _store.TransactionAsync(tx =>
        {
            Stored(tx, pool, project, name);
            tx.PutJson(Key(pool, project, name), updated, ApiJsonContext.Wire.StorageVolume);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("storage-volume-updated", Url(pool, "custom", name, project), requestor: requestor, project: project);
    }

    public async Task DeleteAsync(string pool, string project, string name, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        var volume = Get(pool, project, "custom", name);
        if (volume.UsedBy.Count > 0)
        {
            throw new ApiException(400, "The storage volume is still in use");
        }

        var driver = _pools.DriverOf(pool);
        foreach (var snap in Snapshots(pool, project, name))
        {
            await driver.DeleteVolumeAsync(SnapshotPath(pool, project, name, snap.Name), cancellationToken).ConfigureAwait(false);
        }

        Directories.DeleteIfEmpty(SnapshotsDir(pool, project, name));
        await DeleteBackupsAsync(pool, project, name).ConfigureAwait(false);
        await driver.DeleteVolumeAsync(VolumePath(pool, project, name), cancellationToken).ConfigureAwait(false);
        await _store.TransactionAsync(tx =>
        {
            tx.Delete(Key(pool, project, name));
            foreach (var kv in tx.List(SnapshotPrefix(pool, project, name)))
            {
                tx.Delete(kv.Key);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("storage-volume-deleted", Url(pool, "custom", name, project), requestor: requestor, project: project);
    }

    /// <summary>
    /// The host path a <c>disk</c> device with <c>pool=</c> mounts: the custom volume named by <c>source</c>.
    /// A missing volume is an error at start, as in LXD.
    /// </summary>
    public string DiskSource(string project, IReadOnlyDictionary<string, string> device)
    {
        ArgumentNullException.ThrowIfNull(device);
        var pool = device.GetValueOrDefault("pool") ?? "";
        var source = device.GetValueOrDefault("source") ?? "";
        if (_store.Snapshot().Get(Key(pool, project, source)) is null)
        {
            throw new ApiException(404, $"Storage volume \"{source}\" not found in pool \"{pool}\"");
        }

        return VolumePath(pool, project, source);
    }

    public static void ValidateName(string name) => StoragePoolService.ValidateName(name, "storage volume");

    private void ValidateConfig(string pool, Dictionary<string, string> config)
    {
        foreach (var (key, value) in config)
        {
            if (!KnownKeys.Contains(key) && !key.StartsWith("user.", StringComparison.Ordinal) && !key.StartsWith("volatile.", StringComparison.Ordinal))
            {
                throw new ApiException(400, $"Invalid config key \"{key}\" for a custom volume");
            }

            if (key is "security.shifted" or "security.unmapped" && value is not ("true" or "false" or ""))
            {
                throw new ApiException(400, $"Invalid value for \"{key}\": \"{value}\" is not a boolean");
            }
        }

        if (config.TryGetValue("size", out var size) && size.Length > 0)
        {
            var bytes = ParseSize(size);
            if (!_pools.DriverOf(pool).Info.Quotas)
            {
                throw new ApiException(400, $"The \"{_pools.DriverOf(pool).Name}\" driver cannot limit a volume's size (use a btrfs pool)");
            }

            if (bytes < 1024 * 1024)
            {
                throw new ApiException(400, $"Volume size \"{size}\" is too small (at least 1MiB)");
            }
        }
    }

    private static async Task ApplySizeAsync(IStorageDriver driver, string path, Dictionary<string, string> config, CancellationToken cancellationToken)
    {
        var size = config.GetValueOrDefault("size");
        if (driver.Info.Quotas)
        {
            await driver.SetQuotaAsync(path, string.IsNullOrEmpty(size) ? null : ParseSize(size), cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task InsertAsync(string pool, string project, StorageVolumesPost request, Dictionary<string, string> config, CancellationToken cancellationToken)
    {
        var volume = new StorageVolume { Name = request.Name, Config = config, Description = request.Description };
        await _store.TransactionAsync(tx =>
        {
            if (tx.Get(Key(pool, project, request.Name)) is not null)
            {
                throw new ApiException(409, "Volume by that name already exists");
            }

            tx.PutJson(Key(pool, project, request.Name), volume, ApiJsonContext.Wire.StorageVolume);
            return true;
        }, cancellationToken).ConfigureAwait(false);
    }

    private static StorageVolume WithUsers(IStateReader reader, string pool, string project, StorageVolume volume) =>
        WithUsers(UsersByVolume(reader, pool, project), volume);

    private static StorageVolume WithUsers(Dictionary<string, List<string>> users, StorageVolume volume) =>
        volume with { UsedBy = users.GetValueOrDefault(volume.Name) ?? [], Type = "custom" };

    /// <summary>
    /// For every custom volume of the pool, the profiles and instances whose devices mount it, read in one pass
    /// over the project (an instance counts when one of its profiles mounts it).
    /// </summary>
    private static Dictionary<string, List<string>> UsersByVolume(IStateReader reader, string pool, string project)
    {
        IEnumerable<string> Mounted(Dictionary<string, Dictionary<string, string>> devices) =>
            devices.Values.Where(d => d.GetValueOrDefault("type") == "disk" && d.GetValueOrDefault("pool") == pool && d.GetValueOrDefault("source") is { Length: > 0 })
                .Select(d => d["source"]);

        var users = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        void Add(string volume, string url) => (users.TryGetValue(volume, out var list) ? list : users[volume] = []).Add(url);
        var byProfile = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var kv in reader.List($"projects/{project}/profiles/"))
        {
            var profile = JsonSerializer.Deserialize(kv.Value, ApiJsonContext.Wire.ProfilePut);
            var name = kv.Key.Split('/')[^1];
            byProfile[name] = profile is null ? [] : [.. Mounted(profile.Devices)];
            foreach (var volume in byProfile[name])
            {
                Add(volume, "/1.0/profiles/" + Uri.EscapeDataString(name) + ProjectSuffix(project));
            }
        }

        foreach (var (key, instance) in reader.ListJson($"projects/{project}/instances/", ApiJsonContext.Wire.Instance))
        {
            var url = InstanceService.Url(key.Split('/')[^1]) + ProjectSuffix(project);
            foreach (var volume in Mounted(instance.Devices).Concat(instance.Profiles.SelectMany(p => byProfile.GetValueOrDefault(p) ?? [])).Distinct(StringComparer.Ordinal))
            {
                Add(volume, url);
            }
        }

        foreach (var list in users.Values)
        {
            list.Sort(StringComparer.Ordinal);
        }

        return users;
    }

    private static long ParseSize(string size) =>
        ValueChecks.TryParseByteSize(size, out var bytes) && bytes >= 0 ? bytes : throw new ApiException(400, $"Invalid value for \"size\": \"{size}\"");

    private static StorageVolume Read(KeyValue kv) => JsonSerializer.Deserialize(kv.Value, ApiJsonContext.Wire.StorageVolume)!;

    private static StorageVolume Stored(IStateReader reader, string pool, string project, string name) =>
        reader.GetJson(Key(pool, project, name), ApiJsonContext.Wire.StorageVolume) ?? throw new ApiException(404, "Storage volume not found");

    private bool IsRunning(string instance) => _runtime.State(instance) is not ("STOPPED" or "");

    private static string ProjectSuffix(string project) => project == "default" ? "" : "?project=" + Uri.EscapeDataString(project);

    private static string Key(string pool, string project, string name) => $"{Prefix}{pool}/{project}/custom/{name}";
}
