using System.Collections.Concurrent;
using Berth.Native;

namespace Berth.Server.Instances;

/// <summary>
/// liblxc through the native layer: forking calls (start) in the <c>berth-fork</c> helper process, the rest
/// in-process through the non-forking shim.
/// </summary>
internal sealed class LxcRuntime(InstancePaths paths) : IInstanceRuntime
{
    private readonly ConcurrentDictionary<string, KnownInit> _inits = new(StringComparer.Ordinal);
    private readonly Lock _changes = new(); // Remember and Forget: the entry they replace or drop is disposed exactly once

    public async Task<int> StartAsync(string name, CancellationToken cancellationToken)
    {
        Forget(name);
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
        if (_inits.TryGetValue(name, out var known) && known.Alive && FreezerState(known.Cgroups) is { } running)
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
                Forget(name);
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
        if (_inits.TryGetValue(name, out var known) && known.Alive)
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
        Forget(name);
        Control(name).Stop();
    }

    public async Task<bool> ShutdownAsync(string name, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var stopped = await Control(name).ShutdownAsync(timeout, cancellationToken).ConfigureAwait(false);
        if (stopped)
        {
            Forget(name);
        }

        return stopped;
    }

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
        if (KnownInit.Of(pid) is not { } known)
        {
            Forget(name);
            return;
        }

        lock (_changes)
        {
            _inits.TryGetValue(name, out var replaced);
            _inits[name] = known;
            replaced?.Dispose();
        }
    }

    /// <summary>Drops what is known of a container's init and closes the files kept open for it.</summary>
    private void Forget(string name)
    {
        lock (_changes)
        {
            if (_inits.TryRemove(name, out var known))
            {
                known.Dispose();
            }
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
