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

    void Kill(string name);

    Task<bool> ShutdownAsync(string name, TimeSpan timeout, CancellationToken cancellationToken);

    void Freeze(string name);

    void Unfreeze(string name);

    string? CgroupItem(string name, string key);

    void SetCgroupItem(string name, string key, string value);

    /// <summary>Mounts a host path into the running container (hot-plug): options <c>ro</c>, <c>idmap</c>, <c>rbind</c>.</summary>
    Task MountAsync(string name, string source, string target, IEnumerable<string> options, CancellationToken cancellationToken);

    /// <summary>Detaches the mount at <paramref name="target"/> inside the running container.</summary>
    Task UmountAsync(string name, string target, CancellationToken cancellationToken);
}

/// <summary>
/// liblxc through the native layer: forking calls (start) in the <c>berth-fork</c> helper process, the rest
/// in-process through the non-forking shim.
/// </summary>
internal sealed class LxcRuntime(InstancePaths paths) : IInstanceRuntime
{
    public Task<int> StartAsync(string name, CancellationToken cancellationToken) => BerthFork.StartAsync(paths.LxcPath, name, cancellationToken);

    public Task MountAsync(string name, string source, string target, IEnumerable<string> options, CancellationToken cancellationToken) =>
        BerthFork.MountAsync(InitPid(name), source, target, options, cancellationToken);

    public Task UmountAsync(string name, string target, CancellationToken cancellationToken) =>
        BerthFork.UmountAsync(InitPid(name), target, cancellationToken);

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

    private LxcContainerControl Control(string name) => new(paths.LxcPath, name);
}
