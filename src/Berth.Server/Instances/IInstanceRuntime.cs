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
    private readonly ConcurrentDictionary<string, (int Pid, long Start)> _inits = new(StringComparer.Ordinal);

    public Task<int> StartAsync(string name, CancellationToken cancellationToken) => BerthFork.StartAsync(paths.LxcPath, name, cancellationToken);

    public string State(string name)
    {
        if (!File.Exists(paths.ConfigFile(name)))
        {
            return "STOPPED";
        }

        try
        {
            return Control(name).GetState();
        }
        catch (FileNotFoundException)
        {
            return "STOPPED";
        }
    }

    public (string State, int Pid) StateAndPid(string name)
    {
        if (!File.Exists(paths.ConfigFile(name)))
        {
            return ("STOPPED", 0);
        }

        try
        {
            // The init pid is a second monitor round trip: a pid learnt before that still runs with the same start
            // time is still this container's init.
            if (_inits.TryGetValue(name, out var known))
            {
                var state = Control(name).GetState();
                if (state == "STOPPED")
                {
                    _inits.TryRemove(name, out _);
                    return (state, 0);
                }

                if (ProcessStart.Of(known.Pid) == known.Start)
                {
                    return (state, known.Pid);
                }
            }

            var (current, pid) = Control(name).GetStateAndPid();
            if (pid > 0 && ProcessStart.Of(pid) is > 0 and var start)
            {
                _inits[name] = (pid, start);
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
        try
        {
            return Control(name).GetInitPid();
        }
        catch (Exception e) when (e is ErrnoException or FileNotFoundException)
        {
            return 0;
        }
    }

    public void Kill(string name) => Control(name).Stop();

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
}
