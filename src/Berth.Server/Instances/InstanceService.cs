using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Config;
using Berth.Server.Database;
using Berth.Server.Events;
using Berth.Server.Images;
using Berth.Server.Profiles;
using Berth.Server.Storage;
using Berth.Server.Util;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Server.Instances;

/// <summary>
/// Instances: records in the state store, root filesystems on the pool, lifecycle through the runtime.
/// Records hold the instance's own config; expanded config and status are computed when read.
/// </summary>
public sealed partial class InstanceService : IProfileUsers
{
    private readonly IStateStore _store;
    private readonly EventHub _events;
    private readonly InstancePaths _paths;
    private readonly IInstanceRuntime _runtime;
    private readonly ImageService _images;
    private readonly ImageUnpacker _unpacker;
    private readonly TimeProvider _time;
    private readonly Lazy<LxcRenderSettings> _settings;
    private readonly StoragePoolService _pools;
    private readonly StorageVolumeService _volumes;
    private readonly Host.LxcfsDaemon _lxcfs;
    private readonly Host.SeccompProxy _seccompProxy;
    private readonly Networks.NetworkService _networks;
    private readonly ILogger _logger;

    public InstanceService(IStateStore store, EventHub events, InstancePaths paths, IInstanceRuntime runtime, ImageService images, ImageUnpacker unpacker, TimeProvider time, StoragePoolService pools, StorageVolumeService volumes, Networks.NetworkService networks, ILogger<InstanceService>? logger = null)
    {
        _logger = logger ?? NullLogger<InstanceService>.Instance;
        _volumes = volumes;
        _networks = networks;
        _pools = pools;
        _store = store;
        _events = events;
        _paths = paths;
        _runtime = runtime;
        _images = images;
        _unpacker = unpacker;
        _time = time;
        _settings = new Lazy<LxcRenderSettings>(LxcRenderSettings.Detect);
        _lxcfs = new Host.LxcfsDaemon(Path.GetDirectoryName(paths.LxcPath)!);
        _seccompProxy = new Host.SeccompProxy(Path.Combine(Path.GetDirectoryName(paths.LxcPath)!, "seccomp.socket"), () => Native.BerthLibexec.ForkHelperPath);
        Directory.CreateDirectory(paths.LxcPath);
    }

    public static string Url(string name) => "/1.0/instances/" + Uri.EscapeDataString(name);

    public static Dictionary<string, List<string>> Resources(string name) => new()
    {
        ["containers"] = ["/1.0/containers/" + Uri.EscapeDataString(name)],
        ["instances"] = [Url(name)],
    };

    public static string ETagOf(InstancePut instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return ETag.Compute(w =>
        {
            w.WriteStringValue(instance.Architecture);
            JsonSerializer.Serialize(w, instance.Config, ApiJsonContext.Wire.DictionaryStringString);
            JsonSerializer.Serialize(w, instance.Devices, ApiJsonContext.Wire.DictionaryStringDictionaryStringString);
            w.WriteBooleanValue(instance.Ephemeral);
            JsonSerializer.Serialize(w, instance.Profiles, ApiJsonContext.Wire.ListString);
        });
    }

    public IReadOnlyList<string> Names(string project) =>
        [.. _store.Snapshot().List(Prefix(project)).Select(kv => kv.Key[Prefix(project).Length..])];

    public IReadOnlyList<Instance> List(string project)
    {
        var snapshot = _store.Snapshot();
        return [.. snapshot.ListJson(Prefix(project), ApiJsonContext.Wire.Instance).Select(i => Expand(snapshot, i.Value))];
    }

    public Instance Get(string project, string name)
    {
        var snapshot = _store.Snapshot();
        return Expand(snapshot, Stored(snapshot, project, name));
    }

    public bool Exists(string project, string name) => _store.Snapshot().Get(Key(project, name)) is not null;

    public IReadOnlyList<string> UsersOf(string project, string profile) =>
        [.. _store.Snapshot().ListJson(Prefix(project), ApiJsonContext.Wire.Instance)
            .Where(i => i.Value.Profiles.Contains(profile, StringComparer.Ordinal))
            .Select(i => Url(i.Value.Name))];

    public void Rename(IStateTransaction tx, string project, string oldName, string newName)
    {
        ArgumentNullException.ThrowIfNull(tx);
        foreach (var (key, instance) in tx.ListJson(Prefix(project), ApiJsonContext.Wire.Instance).ToList())
        {
            if (instance.Profiles.Contains(oldName, StringComparer.Ordinal))
            {
                tx.PutJson(key, instance with { Profiles = [.. instance.Profiles.Select(p => p == oldName ? newName : p)] }, ApiJsonContext.Wire.Instance);
            }
        }
    }

    /// <summary>PUT: config, devices, profiles, description and ephemeral replaced; volatile keys kept from the record.</summary>
    public async Task UpdateAsync(string project, string name, InstancePut put, string? ifMatch, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(put);
        Instance? previous = null;
        await _store.TransactionAsync(tx =>
        {
            var current = Stored(tx, project, name);
            previous = current;
            ETag.Check(ifMatch, ETagOf(current));
            // An empty value means unset, as in LXD (which never stores one).
            var config = new Dictionary<string, string>((put.Config ?? []).Where(kv => kv.Value.Length > 0), StringComparer.Ordinal);
            foreach (var (key, value) in current.Config.Where(kv => kv.Key.StartsWith("volatile.", StringComparison.Ordinal)))
            {
                config.TryAdd(key, value);
            }

            var updated = current with
            {
                Config = config,
                Devices = DeviceSchema.WithoutEmptyValues(put.Devices),
                Profiles = put.Profiles ?? [],
                Description = put.Description ?? "",
                Ephemeral = put.Ephemeral,
            };
            CheckProfilesForUpdate(tx, project, updated.Profiles);
            LxdValidation.InstanceUpdate(updated.Config, updated.Devices);
            Validate(tx, project, updated);
            CheckRawLxcChange(tx, current, updated);
            CheckDevicesOnHost(updated.Devices, current.Devices);
            updated = WithNicMacs(tx, updated);
            tx.PutJson(Key(project, name), updated, ApiJsonContext.Wire.Instance);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        await ApplyLiveAsync(project, name, previous!, cancellationToken).ConfigureAwait(false);
        await ApplyProxyChangesAsync(project, name, previous!, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("instance-updated", Url(name), requestor: requestor, project: project);
    }

    public InstanceFull GetFull(string project, string name)
    {
        var snapshot = _store.Snapshot();
        return FullOf(snapshot, Stored(snapshot, project, name));
    }

    /// <summary>
    /// Every instance with its state: one runtime look per instance serves both its status and its state (each
    /// look is a round trip to the container's monitor, which on a busy host waits for the monitor to be scheduled).
    /// </summary>
    public IReadOnlyList<InstanceFull> ListFull(string project)
    {
        // Shared records: FullOf only reads them (Expand copies, the answer is serialised).
        var snapshot = _store.Snapshot();
        return [.. snapshot.ListSharedJson(Prefix(project), ApiJsonContext.Wire.Instance).Select(i => FullOf(snapshot, i.Value))];
    }

    private InstanceFull FullOf(IStateReader snapshot, Instance stored)
    {
        var (runtimeState, pid) = _runtime.StateAndPid(stored.Name);
        var instance = Expand(snapshot, stored, runtimeState);
        return Full(instance, StateOf(instance, runtimeState, pid), SnapshotsJson(snapshot, stored));
    }

    private static InstanceFull Full(Instance instance, InstanceState state, List<JsonElement>? snapshots) => new()
    {
        Architecture = instance.Architecture,
        Config = instance.Config,
        Devices = instance.Devices,
        Ephemeral = instance.Ephemeral,
        Profiles = instance.Profiles,
        Stateful = instance.Stateful,
        Description = instance.Description,
        CreatedAt = instance.CreatedAt,
        ExpandedConfig = instance.ExpandedConfig,
        ExpandedDevices = instance.ExpandedDevices,
        Name = instance.Name,
        Status = instance.Status,
        StatusCode = instance.StatusCode,
        LastUsedAt = instance.LastUsedAt,
        Location = instance.Location,
        Type = instance.Type,
        Project = instance.Project,
        Backups = [],
        Snapshots = snapshots,
        State = state,
    };

    private Instance Expand(IStateReader snapshot, Instance stored) => Expand(snapshot, stored, _runtime.State(stored.Name));

    /// <summary>The stored record with its profiles applied and <paramref name="runtimeState"/> as its status.</summary>
    private static Instance Expand(IStateReader snapshot, Instance stored, string runtimeState)
    {
        // Shared profile records: ConfigExpander only reads them.
        var profiles = stored.Profiles.Select(p => snapshot.GetSharedJson($"projects/{stored.Project}/profiles/{p}", ApiJsonContext.Wire.ProfilePut) ?? new ProfilePut());
        var (config, devices) = ConfigExpander.Expand(profiles, stored.Config, stored.Devices);
        var status = StatusOf(runtimeState);
        return stored with
        {
            ExpandedConfig = config,
            ExpandedDevices = devices,
            Status = StatusCode.Name(status),
            StatusCode = status,
        };
    }

    /// <summary>LXD 5.0.2's answers to a PUT/PATCH naming a profile twice or one that does not exist.</summary>
    private static void CheckProfilesForUpdate(IStateReader reader, string project, List<string> profiles)
    {
        if (profiles.Distinct(StringComparer.Ordinal).Count() != profiles.Count)
        {
            throw new ApiException(400, "Duplicate profile found in request");
        }

        if (profiles.Any(p => reader.Get($"projects/{project}/profiles/{p}") is null))
        {
            throw new ApiException(404, "Profile not found");
        }
    }

    private static void Validate(IStateReader reader, string project, InstancePut instance)
    {
        foreach (var profile in instance.Profiles)
        {
            if (reader.Get($"projects/{project}/profiles/{profile}") is null)
            {
                throw new ApiException(400, $"Requested profile \"{profile}\" doesn't exist");
            }
        }

        InstanceConfigSchema.Validate(instance.Config, isProfile: false);
        DeviceSchema.Validate(instance.Devices, isProfile: false);
        foreach (var (device, nic) in instance.Devices.Where(d => d.Value.GetValueOrDefault("type") == "nic"))
        {
            if (nic.GetValueOrDefault("network") is { Length: > 0 } network && reader.Get("networks/" + network) is null)
            {
                throw new ApiException(400, $"Failed to load network \"{network}\" for device \"{device}\": Network not found");
            }
        }
    }

    internal static int StatusOf(string lxcState) => lxcState switch
    {
        "RUNNING" or "STARTING" or "STOPPING" or "ABORTING" or "FREEZING" or "THAWED" => StatusCode.Running,
        "FROZEN" => StatusCode.Frozen,
        _ => StatusCode.Stopped,
    };

    private static Instance Stored(IStateReader reader, string project, string name) =>
        reader.GetJson(Key(project, name), ApiJsonContext.Wire.Instance) ?? throw new ApiException(404, "Instance not found");

    private static string Prefix(string project) => $"projects/{project}/instances/";

    private static string Key(string project, string name) => Prefix(project) + name;
}
