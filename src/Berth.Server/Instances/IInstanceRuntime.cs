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
