using System.Collections.Concurrent;
using Berth.Native;

namespace Berth.Server.Instances;

/// <summary>What berthd asks of the container runtime; liblxc behind it, a fake in daemon tests.</summary>
public interface IInstanceRuntime
{
    /// <summary>Starts a container whose config file is already written; returns its init pid.</summary>
    Task<int> StartAsync(string name, CancellationToken cancellationToken);

    /// <summary>liblxc's state name: STOPPED, STARTING, RUNNING, STOPPING, FROZEN...</summary>
    string State(string name);

    int InitPid(string name);

    /// <summary><see cref="State"/> and, unless stopped, <see cref="InitPid"/> (0 when none).</summary>
    (string State, int Pid) StateAndPid(string name)
    {
        var state = State(name);
        return (state, state == "STOPPED" ? 0 : InitPid(name));
    }

    void Kill(string name);

    Task<bool> ShutdownAsync(string name, TimeSpan timeout, CancellationToken cancellationToken);

    void Freeze(string name);

    void Unfreeze(string name);

    string? CgroupItem(string name, string key);

    /// <summary><see cref="CgroupItem"/> of a running container whose init is <paramref name="pid"/> (a state read).</summary>
    string? RunningCgroupItem(string name, int pid, string key) => CgroupItem(name, key);

    void SetCgroupItem(string name, string key, string value);

    /// <summary>Null when liblxc accepts <paramref name="rawLxc"/> as container config, else why not (LXD re-reads raw.lxc with liblxc when it changes).</summary>
    string? CheckRawLxc(string rawLxc) => null;

    /// <summary>Bind-mounts a host path into the running container (hot-plug); options as berth-fork mount takes them.</summary>
    Task MountAsync(string name, string source, string target, string options, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Hot-plug is not supported by this runtime");

    Task UnmountAsync(string name, string target, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Hot-plug is not supported by this runtime");
}

/// <summary>
/// liblxc through the native layer: forking calls (start) in the <c>berth-fork</c> helper process, the rest
/// in-process through the non-forking shim.
/// </summary>
internal sealed class LxcRuntime(InstancePaths paths) : IInstanceRuntime
{
    private readonly ConcurrentDictionary<string, (int Pid, long Start, CgroupFiles? Cgroups)> _inits = new(StringComparer.Ordinal);

    public async Task<int> StartAsync(string name, CancellationToken cancellationToken)
    {
        _inits.TryRemove(name, out _);
        var pid = await BerthFork.StartAsync(paths.LxcPath, name, cancellationToken).ConfigureAwait(false);
        Remember(name, pid);
        return pid;
    }

    public string State(string name) => StateAndPid(name).State;

    public (string State, int Pid) StateAndPid(string name)
    {
        if (!File.Exists(paths.ConfigFile(name)))
        {
            return ("STOPPED", 0);
        }

        // A running container's state without its monitor: while the init learnt at start (or from the monitor
        // once) still runs with the same start time, the container runs, frozen or not as its freezer cgroup says.
        // A round trip to each monitor is what made a state read slow on a busy host (`lxc list` asks for all).
        if (_inits.TryGetValue(name, out var known) && ProcessStart.Of(known.Pid) == known.Start &&
            FreezerState(known.Cgroups) is { } running)
        {
            return (running, known.Pid);
        }

        try
        {
            // Not known, or that init is gone (stopped, or restarted by its monitor with a new init): ask the monitor.
            var (current, pid) = Control(name).GetStateAndPid();
            if (current is "RUNNING" or "FROZEN" or "FREEZING" or "THAWED")
            {
                Remember(name, pid);
            }
            else
            {
                _inits.TryRemove(name, out _);
            }

            return (current, pid);
        }
        catch (FileNotFoundException)
        {
            return ("STOPPED", 0);
        }
    }

    public int InitPid(string name)
    {
        if (_inits.TryGetValue(name, out var known) && ProcessStart.Of(known.Pid) == known.Start)
        {
            return known.Pid;
        }

        try
        {
            return Control(name).GetInitPid();
        }
        catch (Exception e) when (e is ErrnoException or FileNotFoundException)
        {
            return 0;
        }
    }

    public void Kill(string name)
    {
        _inits.TryRemove(name, out _);
        Control(name).Stop();
    }

    public Task<bool> ShutdownAsync(string name, TimeSpan timeout, CancellationToken cancellationToken) =>
        Control(name).ShutdownAsync(timeout, cancellationToken);

    public void Freeze(string name) => Control(name).Freeze();

    public void Unfreeze(string name) => Control(name).Unfreeze();

    public string? CgroupItem(string name, string key)
    {
        try
        {
            return Control(name).GetCgroupItem(key);
        }
        catch (Exception e) when (e is ErrnoException or FileNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Read from the cgroup files directly (found once per init), else through liblxc.</summary>
    public string? RunningCgroupItem(string name, int pid, string key)
    {
        var files = _inits.TryGetValue(name, out var known) && known.Pid == pid ? known.Cgroups : CgroupFiles.Of(pid);
        return files?.Read(key) ?? CgroupItem(name, key);
    }

    public void SetCgroupItem(string name, string key, string value) => Control(name).SetCgroupItem(key, value);

    public string? CheckRawLxc(string rawLxc)
    {
        var file = Path.Combine(Path.GetTempPath(), $"berth-raw-lxc-{Guid.NewGuid():N}");
        File.WriteAllText(file, rawLxc.EndsWith('\n') ? rawLxc : rawLxc + "\n");
        try
        {
            return LxcContainerControl.CheckConfigFile(paths.LxcPath, file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    public Task MountAsync(string name, string source, string target, string options, CancellationToken cancellationToken) =>
        BerthFork.MountAsync(Control(name).GetInitPid(), source, target, options, cancellationToken);

    public Task UnmountAsync(string name, string target, CancellationToken cancellationToken) =>
        BerthFork.UnmountAsync(Control(name).GetInitPid(), target, cancellationToken);

    private LxcContainerControl Control(string name) => new(paths.LxcPath, name);

    private void Remember(string name, int pid)
    {
        if (pid > 0 && ProcessStart.Of(pid) is > 0 and var start)
        {
            // An init's cgroup stays the one liblxc made for it (a systemd guest's moves are below it).
            _inits[name] = (pid, start, CgroupFiles.Of(pid));
        }
        else
        {
            _inits.TryRemove(name, out _);
        }
    }

    /// <summary>
    /// liblxc's state of a running container from its freezer: cgroup v1's <c>freezer.state</c> (THAWED, FREEZING,
    /// FROZEN) or v2's <c>cgroup.freeze</c>; null when neither can be read (then the monitor is asked).
    /// </summary>
    private static string? FreezerState(CgroupFiles? files)
    {
        if (files is null)
        {
            return null;
        }

        if (files.Read("freezer.state") is { } v1)
        {
            return v1 switch
            {
                "FROZEN" => "FROZEN",
                "FREEZING" => "FREEZING",
                _ => "RUNNING",
            };
        }

        return files.Read("cgroup.freeze") switch
        {
            "1" => "FROZEN",
            "0" => "RUNNING",
            _ => null,
        };
    }
}
