using System.Text.Json;
using Berth.Api;
using Berth.Api.Json;
using Berth.Server.Config;
using Berth.Server.Database;
using Berth.Server.Storage;
using Berth.Server.Util;

namespace Berth.Server.Instances;

public sealed partial class InstanceService
{
    private static readonly TimeSpan DefaultStopTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Checks what can be checked before an operation is created, so bad input is a synchronous error.</summary>
    public void ValidateCreate(string project, InstancesPost request)
    {
        ArgumentNullException.ThrowIfNull(request);
        InstanceNames.Validate(request.Name);
        if (request.Type is not ("" or "container"))
        {
            throw new ApiException(400, $"Instance type \"{request.Type}\" is not supported (no KVM on this host: containers only)");
        }

        var snapshot = _store.Snapshot();
        if (IsRefresh(project, request))
        {
            ValidateRefresh(project, request);
            return;
        }

        if (snapshot.Get(Key(project, request.Name)) is not null)
        {
            throw new ApiException(409, "Instance \"" + request.Name + "\" already exists");
        }

        Validate(snapshot, project, NewRecord(project, request, null));
        CheckDevicesOnHost(request.Devices ?? [], null);
        if (request.Source.Type == "copy")
        {
            ValidateCopy(project, request);
        }
        else if (request.Source.Type is not ("image" or "none" or ""))
        {
            throw new ApiException(501, $"Creating instances from source type \"{request.Source.Type}\" is not supported by this berthd yet");
        }
    }

    /// <summary>Creates the instance from a local image (or empty), undoing everything if a step fails.</summary>
    public async Task<Instance> CreateAsync(string project, InstancesPost request, Image? image, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var revert = new Reverter();
        var record = NewRecord(project, request, image);
        var pool = await CreateVolumeAsync(project, record, image, revert, cancellationToken).ConfigureAwait(false);
        await _store.TransactionAsync(tx =>
        {
            if (tx.Get(Key(project, request.Name)) is not null)
            {
                throw new ApiException(409, "Instance \"" + request.Name + "\" already exists");
            }

            Validate(tx, project, record);
            record = WithNicMacs(tx, record);
            tx.PutJson(Key(project, request.Name), record, ApiJsonContext.Wire.Instance);
            StoragePoolService.AddVolume(tx, pool, project, request.Name);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        revert.Success();
        EnsureRootfsLink(request.Name, _paths.Rootfs(request.Name, pool));
        _events.PublishLifecycle("instance-created", Url(request.Name), Context("type", "container"), requestor, project);
        return record;
    }

    public async Task StartAsync(string project, string name, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        var instance = Get(project, name);
        if (instance.StatusCode != StatusCode.Stopped)
        {
            throw new ApiException(400, "The instance is already running");
        }

        await StartContainerAsync(project, name, cancellationToken).ConfigureAwait(false);
        await RecordAsync(project, name, i => i with
        {
            LastUsedAt = _time.GetUtcNow(),
            Config = With(i.Config, "volatile.last_state.power", "RUNNING"),
        }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("instance-started", Url(name), requestor: requestor, project: project);
    }

    /// <summary>What every start does, also the one after a restore: host-side NICs, the liblxc config, the container, then proxies.</summary>
    private async Task StartContainerAsync(string project, string name, CancellationToken cancellationToken)
    {
        await PrepareNicsAsync(project, name, cancellationToken).ConfigureAwait(false);
        var instance = Get(project, name);
        WriteLxcConfig(instance);
        ClearStopMarker(name);
        EnsureTraversable(instance);
        await StartRuntimeAsync(name, cancellationToken).ConfigureAwait(false);
        try
        {
            await ShapeNicsAsync(project, name, cancellationToken).ConfigureAwait(false);
            await StartProxiesAsync(project, name, cancellationToken).ConfigureAwait(false);
        }
        catch (ApiException)
        {
            using (OwnStop(name))
            {
                _runtime.Kill(name);
            }

            throw;
        }
    }

    /// <summary>A clean shutdown within the timeout, then a kill; <paramref name="force"/> kills at once.</summary>
    public Task StopAsync(string project, string name, bool force, int timeoutSeconds, EventLifecycleRequestor? requestor, CancellationToken cancellationToken) =>
        StopAsync(project, name, force, timeoutSeconds, "STOPPED", requestor, cancellationToken);

    /// <summary>A stop that records <paramref name="lastPower"/> (RUNNING at host shutdown, so autostart brings it back).</summary>
    private async Task StopAsync(string project, string name, bool force, int timeoutSeconds, string lastPower, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        var instance = Get(project, name);
        if (instance.StatusCode == StatusCode.Stopped)
        {
            throw new ApiException(400, "The instance is already stopped");
        }

        if (instance.StatusCode == StatusCode.Frozen)
        {
            _runtime.Unfreeze(name);
        }

        var clean = await StopRuntimeAsync(name, force, timeoutSeconds, cancellationToken).ConfigureAwait(false);
        StopProxies(name);
        ReleaseHostDisks(name);
        await RecordAsync(project, name, i => i with { Config = With(i.Config, "volatile.last_state.power", lastPower) }, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle(clean ? "instance-shutdown" : "instance-stopped", Url(name), requestor: requestor, project: project);
        if (instance.Ephemeral)
        {
            await DeleteAsync(project, name, requestor, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A clean shutdown within the timeout, then a kill (<paramref name="force"/>: a kill at once); true if clean.</summary>
    private async Task<bool> StopRuntimeAsync(string name, bool force, int timeoutSeconds, CancellationToken cancellationToken)
    {
        using var own = OwnStop(name);
        var clean = !force && await _runtime.ShutdownAsync(name, timeoutSeconds > 0 ? TimeSpan.FromSeconds(timeoutSeconds) : DefaultStopTimeout, cancellationToken).ConfigureAwait(false);
        if (!clean)
        {
            _runtime.Kill(name);
        }

        return clean;
    }

    public async Task RestartAsync(string project, string name, bool force, int timeoutSeconds, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        var instance = Get(project, name);
        if (instance.StatusCode != StatusCode.Stopped)
        {
            await StopRuntimeAsync(name, force, timeoutSeconds, cancellationToken).ConfigureAwait(false);
        }

        await PrepareNicsAsync(project, name, cancellationToken).ConfigureAwait(false);
        WriteLxcConfig(Get(project, name));
        await StartRuntimeAsync(name, cancellationToken).ConfigureAwait(false);
        await ShapeNicsAsync(project, name, cancellationToken).ConfigureAwait(false);
        await StartProxiesAsync(project, name, cancellationToken).ConfigureAwait(false);
        _events.PublishLifecycle("instance-restarted", Url(name), requestor: requestor, project: project);
    }

    public void Freeze(string project, string name, EventLifecycleRequestor? requestor)
    {
        if (Get(project, name).StatusCode != StatusCode.Running)
        {
            throw new ApiException(400, "The instance isn't running");
        }

        _runtime.Freeze(name);
        _events.PublishLifecycle("instance-paused", Url(name), requestor: requestor, project: project);
    }

    public void Unfreeze(string project, string name, EventLifecycleRequestor? requestor)
    {
        if (Get(project, name).StatusCode != StatusCode.Frozen)
        {
            throw new ApiException(400, "The instance isn't paused");
        }

        _runtime.Unfreeze(name);
        _events.PublishLifecycle("instance-resumed", Url(name), requestor: requestor, project: project);
    }

    public void EnsureDeletable(string project, string name)
    {
        if (Get(project, name).StatusCode != StatusCode.Stopped)
        {
            throw new ApiException(400, "The instance is currently running, stop it first");
        }
    }

    public async Task DeleteAsync(string project, string name, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        EnsureDeletable(project, name);
        var pool = PoolOf(project, name);
        await _store.TransactionAsync(tx =>
        {
            if (!tx.Delete(Key(project, name)))
            {
                throw new ApiException(404, "Instance not found");
            }

            _pools.RemoveVolume(tx, project, name);
            DeleteSnapshotRecords(tx, project, name);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        StopProxies(name);
        ReleaseHostDisks(name);
        await DeleteVolumesAsync(pool, name, cancellationToken).ConfigureAwait(false);
        await DeleteBackupsAsync(project, name, pool).ConfigureAwait(false);
        SyncSnapshotsLink(project, name, pool);
        _networks.RemoveStaticHosts(name);
        if (Directory.Exists(_paths.LxcDir(name)))
        {
            Directory.Delete(_paths.LxcDir(name), recursive: true);
        }

        _events.PublishLifecycle("instance-deleted", Url(name), requestor: requestor, project: project);
    }

    public async Task RenameAsync(string project, string name, string newName, EventLifecycleRequestor? requestor, CancellationToken cancellationToken)
    {
        InstanceNames.Validate(newName);
        EnsureDeletable(project, name);
        ReleaseHostDisks(name);
        var pool = PoolOf(project, name);
        if (Directory.Exists(_paths.Volume(newName, pool)))
        {
            throw new ApiException(409, $"Name \"{newName}\" already in use");
        }

        await _store.TransactionAsync(tx =>
        {
            var current = Stored(tx, project, name);
            if (tx.Get(Key(project, newName)) is not null)
            {
                throw new ApiException(409, $"Name \"{newName}\" already in use");
            }

            tx.Delete(Key(project, name));
            tx.PutJson(Key(project, newName), current with { Name = newName }, ApiJsonContext.Wire.Instance);
            _pools.RemoveVolume(tx, project, name);
            StoragePoolService.AddVolume(tx, pool, project, newName);
            RenameSnapshotRecords(tx, project, name, newName);
            RenameBackupRecords(tx, project, name, newName);
            return true;
        }, cancellationToken).ConfigureAwait(false);
        Directory.Move(_paths.Volume(name, pool), _paths.Volume(newName, pool));
        MoveBackupFiles(pool, project, name, newName);
        _networks.RemoveStaticHosts(name);
        if (File.Exists(Path.Combine(_paths.Volume(newName, pool), "metadata.yaml")))
        {
            // The instance is stopped (rename needs it), so the image's "rename" templates can apply now.
            TemplateApplier.Apply(_paths.Volume(newName, pool), _paths.Rootfs(newName, pool), "rename", newName);
        }

        if (Directory.Exists(_paths.SnapshotsDir(name, pool)))
        {
            Directory.Move(_paths.SnapshotsDir(name, pool), _paths.SnapshotsDir(newName, pool));
        }

        SyncSnapshotsLink(project, name, pool);
        SyncSnapshotsLink(project, newName, pool);
        if (Directory.Exists(_paths.LxcDir(name)))
        {
            Directory.Delete(_paths.LxcDir(name), recursive: true);
        }

        EnsureRootfsLink(newName, _paths.Rootfs(newName, pool));
        _events.PublishLifecycle("instance-renamed", Url(newName), Context("old_name", name), requestor, project);
    }

    public InstanceState State(string project, string name)
    {
        // One runtime look per state: `lxc list` asks this for every instance.
        var (runtimeState, pid) = _runtime.StateAndPid(name);
        var snapshot = _store.Snapshot();
        var stored = snapshot.GetJson(Key(project, name), ApiJsonContext.Wire.Instance);
        var instance = stored is null ? null : Expand(snapshot, stored, runtimeState);
        return StateOf(instance, runtimeState, pid, name);
    }

    /// <summary>The state of <paramref name="instance"/> (null: no record, only the runtime's view) from one runtime look.</summary>
    private InstanceState StateOf(Instance? instance, string runtimeState, int pid, string? name = null)
    {
        name ??= instance!.Name;
        var status = StatusOf(runtimeState);
        var state = new InstanceState { Status = StatusCode.Name(status), StatusCode = status };
        if (instance is not null)
        {
            state.Disk = DiskState(instance);
        }

        if (status == StatusCode.Stopped)
        {
            return state;
        }

        var v2 = _settings.Value.Cgroups == CgroupVersion.V2;
        state.Pid = pid;
        string? Item(string key) => _runtime.RunningCgroupItem(name, pid, key);
        state.Processes = ParseLong(Item("pids.current"));
        state.Memory.Usage = ParseLong(Item(v2 ? "memory.current" : "memory.usage_in_bytes"));
        state.Memory.UsagePeak = ParseLong(Item(v2 ? "memory.peak" : "memory.max_usage_in_bytes"));
        state.Cpu.Usage = v2 ? CpuStatUsage(Item("cpu.stat")) : ParseLong(Item("cpuacct.usage"));
        state.Network = NetworkState.Read(state.Pid);
        if (instance is not null)
        {
            NicState.Fill(state.Pid, state.Network, instance);
        }
        return state;
    }

    private void WriteLxcConfig(Instance instance)
    {
        var settings = _settings.Value;
        var rootfs = RootfsOf(instance);
        var context = new LxcRenderContext(instance.Name, rootfs, _paths.LogFile(instance.Name), _paths.ConsoleLog(instance.Name),
            settings.Cgroups, settings.Idmap, _lxcfs.EnsureRunning(), settings.HostMemoryBytes, settings.HostCpus)
        { Cpus = ResolveCpus(instance), UnixNodes = PrepareDevices(instance), DeviceNodeDir = DeviceNodeDir(instance.Name), Nics = LxcNics(instance), Devices = PrepareHostDisks(instance, MountableDevices(instance)), SeccompProfilePath = WriteSeccompProfile(instance), SeccompProxySocket = SeccompProxySocket(instance) };
        var text = LxcConfigRenderer.Render(instance.ExpandedConfig, context) + "lxc.signal.halt = " + HaltSignal(rootfs) + "\n" + StopHookLine(instance.Project, instance.Name);
        EnsureRootfsLink(instance.Name, rootfs);

        var temp = _paths.ConfigFile(instance.Name) + ".tmp";
        File.WriteAllText(temp, text);
        File.Move(temp, _paths.ConfigFile(instance.Name), overwrite: true);
    }

    /// <summary>The instance's seccomp policy next to its lxc config (read by liblxc at start and at every attach); null when none.</summary>
    private string? WriteSeccompProfile(Instance instance)
    {
        // The container's lxc dir may not exist yet (an imported or migrated instance's first start).
        var path = Path.Combine(Directory.CreateDirectory(_paths.LxcDir(instance.Name)).FullName, "seccomp");
        if (SeccompPolicy.Render(instance.ExpandedConfig, instance.Architecture) is not { } policy)
        {
            File.Delete(path);
            return null;
        }

        File.WriteAllText(path, policy);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return path;
    }

    /// <summary>Starts the container whose config is written; on failure its host-side disk binds go too.</summary>
    private async Task StartRuntimeAsync(string name, CancellationToken cancellationToken)
    {
        try
        {
            await _runtime.StartAsync(name, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ReleaseHostDisks(name);
            throw;
        }
    }

    /// <summary>
    /// An unprivileged container's root (a high host uid) must be able to reach its rootfs: a parent dir without
    /// o+x (mktemp -d makes 0700) makes liblxc fail obscurely, so say what is wrong instead.
    /// </summary>
    private void EnsureTraversable(Instance instance)
    {
        if (instance.ExpandedConfig.GetValueOrDefault("security.privileged") is "true" or "1")
        {
            return;
        }

        for (var dir = Path.GetDirectoryName(RootfsOf(instance)); !string.IsNullOrEmpty(dir) && dir != "/"; dir = Path.GetDirectoryName(dir))
        {
            if (!File.GetUnixFileMode(dir).HasFlag(UnixFileMode.OtherExecute))
            {
                throw new ApiException(400, $"The unprivileged container cannot reach its root filesystem: \"{dir}\" is not searchable by others (chmod o+x {dir})");
            }
        }
    }

    /// <summary>The signal the image's init shuts down on: systemd SIGRTMIN+3, busybox init SIGUSR2, else SIGPWR.</summary>
    private static string HaltSignal(string rootfs)
    {
        var target = new FileInfo(Path.Combine(rootfs, "sbin", "init")).LinkTarget ?? "";
        return target.Contains("systemd", StringComparison.Ordinal) ? "SIGRTMIN+3"
            : target.Contains("busybox", StringComparison.Ordinal) ? "SIGUSR2"
            : "SIGPWR";
    }

    private Instance NewRecord(string project, InstancesPost request, Image? image)
    {
        var config = new Dictionary<string, string>(request.Config ?? [], StringComparer.Ordinal);
        if (image is not null)
        {
            foreach (var (key, value) in image.Properties)
            {
                config.TryAdd("image." + key, value);
            }

            config["volatile.base_image"] = image.Fingerprint;
        }

        var idmap = JsonSerializer.Serialize(_settings.Value.Idmap.Entries().Select(e => new Dictionary<string, JsonElement>
        {
            ["Isuid"] = JsonSerializer.SerializeToElement(e.Isuid, ApiJsonContext.Wire.Boolean),
            ["Isgid"] = JsonSerializer.SerializeToElement(e.Isgid, ApiJsonContext.Wire.Boolean),
            ["Hostid"] = JsonSerializer.SerializeToElement(e.Hostid, ApiJsonContext.Wire.Int64),
            ["Nsid"] = JsonSerializer.SerializeToElement(e.Nsid, ApiJsonContext.Wire.Int64),
            ["Maprange"] = JsonSerializer.SerializeToElement(e.Maprange, ApiJsonContext.Wire.Int64),
        }).Select(d => JsonSerializer.SerializeToElement(d, ApiJsonContext.Wire.DictionaryStringJsonElement)).ToList(), ApiJsonContext.Wire.ListJsonElement);
        config["volatile.idmap.base"] = "0";
        config["volatile.idmap.next"] = idmap;
        config["volatile.last_state.idmap"] = idmap;
        config["volatile.uuid"] = Guid.NewGuid().ToString();
        return new Instance
        {
            Name = request.Name,
            Architecture = image?.Architecture ?? (request.Architecture.Length > 0 ? request.Architecture : "x86_64"),
            Config = config,
            Devices = DeviceSchema.WithoutEmptyValues(request.Devices),
            Profiles = request.Profiles ?? ["default"],
            Ephemeral = request.Ephemeral,
            Description = request.Description,
            CreatedAt = _time.GetUtcNow(),
            LastUsedAt = DateTimeOffset.MinValue,
            Project = project,
        };
    }

    private async Task RecordAsync(string project, string name, Func<Instance, Instance> change, CancellationToken cancellationToken) =>
        await _store.TransactionAsync(tx =>
        {
            if (tx.GetJson(Key(project, name), ApiJsonContext.Wire.Instance) is { } current)
            {
                tx.PutJson(Key(project, name), change(current), ApiJsonContext.Wire.Instance);
            }

            return true;
        }, cancellationToken).ConfigureAwait(false);

    private static Dictionary<string, string> With(Dictionary<string, string> config, string key, string value) =>
        new(config, StringComparer.Ordinal) { [key] = value };

    private static Dictionary<string, JsonElement> Context(string key, string value) =>
        new() { [key] = JsonSerializer.SerializeToElement(value, ApiJsonContext.Wire.String) };

    private static long ParseLong(string? value) => long.TryParse(value?.Trim(), out var n) ? n : 0;

    private static long CpuStatUsage(string? stat)
    {
        foreach (var line in (stat ?? "").Split('\n'))
        {
            if (line.StartsWith("usage_usec ", StringComparison.Ordinal) && long.TryParse(line[11..], out var usec))
            {
                return usec * 1000;
            }
        }

        return 0;
    }
}
