using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Berth.Native;

/// <summary>
/// In-process liblxc calls that do not fork, through libberth-lxc.so (state, pids, freeze, stop, cgroup items,
/// devpts). Each call opens the container from <c>&lt;lxcpath&gt;/&lt;name&gt;/config</c>, asks its monitor over the
/// command socket and releases it. Calls on one instance are serialised. Forking calls (start, exec, ips) go
/// through <see cref="BerthFork"/>.
/// </summary>
/// <remarks>Errors: <see cref="FileNotFoundException"/> when the container has no config,
/// <see cref="ErrnoException"/> with <see cref="ErrnoException.IsNotRunning"/> when it must be running and is not.</remarks>
public sealed class LxcContainerControl
{
    private readonly Lock _lock = new();

    public LxcContainerControl(string lxcPath, string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(lxcPath);
        ArgumentException.ThrowIfNullOrEmpty(name);
        LxcPath = lxcPath;
        Name = name;
    }

    public string LxcPath { get; }

    public string Name { get; }

    /// <summary>liblxc's version as compiled into the shim ("5.0.2").</summary>
    public static string LxcVersion => Marshal.PtrToStringUTF8(Interop.BerthLxc.Version()) ?? "";

    /// <summary>STOPPED, STARTING, RUNNING, STOPPING, ABORTING, FREEZING, FROZEN or THAWED.</summary>
    public string GetState()
    {
        lock (_lock)
        {
            Check(Interop.BerthLxc.State(LxcPath, Name, out var p), "state");
            return Interop.BerthLxc.TakeString(p);
        }
    }

    /// <summary>The state and, unless STOPPED, the init's host pid (0 when it has none), in one liblxc call.</summary>
    public (string State, int Pid) GetStateAndPid()
    {
        lock (_lock)
        {
            Check(Interop.BerthLxc.StatePid(LxcPath, Name, out var p, out var pid), "state");
            return (Interop.BerthLxc.TakeString(p), pid);
        }
    }

    /// <summary>Host pid of the container's init.</summary>
    public int GetInitPid()
    {
        lock (_lock)
        {
            return Check(Interop.BerthLxc.InitPid(LxcPath, Name), "init_pid");
        }
    }

    /// <summary>A pidfd for the container's init (race-free signalling and exit notification).</summary>
    public SafeFileHandle OpenInitPidFd()
    {
        lock (_lock)
        {
            return new SafeFileHandle(Check(Interop.BerthLxc.InitPidFd(LxcPath, Name), "init_pidfd"), ownsHandle: true);
        }
    }

    /// <summary>An fd for the container's /dev/pts instance, for <see cref="ContainerPty.Open(SafeHandle)"/>.</summary>
    public SafeFileHandle OpenDevpts()
    {
        lock (_lock)
        {
            return new SafeFileHandle(Check(Interop.BerthLxc.DevptsFd(LxcPath, Name), "devpts_fd"), ownsHandle: true);
        }
    }

    public void Freeze()
    {
        lock (_lock)
        {
            Check(Interop.BerthLxc.Freeze(LxcPath, Name), "freeze");
        }
    }

    public void Unfreeze()
    {
        lock (_lock)
        {
            Check(Interop.BerthLxc.Unfreeze(LxcPath, Name), "unfreeze");
        }
    }

    /// <summary>Kills the container and returns once it is stopped.</summary>
    public void Stop()
    {
        lock (_lock)
        {
            Check(Interop.BerthLxc.Stop(LxcPath, Name), "stop");
        }
    }

    /// <summary>Sends lxc.signal.halt to init and waits; false when it is still running after the timeout.</summary>
    /// <remarks>Blocks the calling thread for up to <paramref name="timeout"/>; see <see cref="ShutdownAsync"/>.</remarks>
    public bool Shutdown(TimeSpan timeout)
    {
        lock (_lock)
        {
            var ret = Interop.BerthLxc.Shutdown(LxcPath, Name, (int)Math.Ceiling(timeout.TotalSeconds));
            if (ret == -Interop.IOErrors.ETIMEDOUT)
            {
                return false;
            }

            Check(ret, "shutdown");
            return true;
        }
    }

    /// <summary><see cref="Shutdown"/> on a dedicated thread, so a slow guest does not hold a pool thread.</summary>
    public Task<bool> ShutdownAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        return Task.Factory.StartNew(
            () => Shutdown(timeout), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>A cgroup file of the running container ("memory.limit_in_bytes"), without the trailing newline.</summary>
    public string GetCgroupItem(string key)
    {
        lock (_lock)
        {
            Check(Interop.BerthLxc.GetCgroupItem(LxcPath, Name, key, out var p), $"get_cgroup_item {key}");
            return Interop.BerthLxc.TakeString(p).TrimEnd('\n');
        }
    }

    public void SetCgroupItem(string key, string value)
    {
        lock (_lock)
        {
            Check(Interop.BerthLxc.SetCgroupItem(LxcPath, Name, key, value), $"set_cgroup_item {key}");
        }
    }

    /// <summary>A config key as the running monitor sees it ("lxc.uts.name").</summary>
    public string GetRunningConfigItem(string key)
    {
        lock (_lock)
        {
            Check(Interop.BerthLxc.GetRunningConfigItem(LxcPath, Name, key, out var p), $"get_running_config_item {key}");
            return Interop.BerthLxc.TakeString(p);
        }
    }

    /// <summary>Not available in liblxc 5.0 (no set_running_config_item): throws <see cref="NotSupportedException"/>.</summary>
    public void SetRunningConfigItem(string key, string value)
    {
        lock (_lock)
        {
            Check(Interop.BerthLxc.SetRunningConfigItem(LxcPath, Name, key, value), $"set_running_config_item {key}");
        }
    }

    /// <summary>
    /// Whether liblxc accepts a config file (raw.lxc lines) as container config: null when it does, else liblxc's
    /// error. Parsed on a container object under <paramref name="lxcPath"/> that is never created.
    /// </summary>
    public static string? CheckConfigFile(string lxcPath, string path)
    {
        var result = Interop.BerthLxc.CheckConfigFile(lxcPath, path);
        return result == 0 ? null : Interop.BerthLxc.LastError();
    }

    private int Check(int result, string what)
    {
        return Interop.IOErrors.ThrowIfError(result, $"{what} {Name}", withLxcError: true);
    }
}
