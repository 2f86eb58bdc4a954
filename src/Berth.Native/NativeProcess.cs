using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Berth.Native;

/// <summary>How a process ended: <see cref="ExitCode"/> when it exited, <see cref="Signal"/> when it was killed.</summary>
public readonly record struct ProcessExit(int? ExitCode, int? Signal)
{
    /// <summary>Shell convention: the exit code, or 128 + signal.</summary>
    public int Code => ExitCode ?? 128 + (Signal ?? 0);

    public override string ToString() => ExitCode is { } c ? $"exit {c}" : $"signal {Signal}";
}

/// <summary>
/// A child process started with posix_spawn (clone(CLONE_VM|CLONE_VFORK): the daemon's heap is never copied) and
/// tracked through a pidfd. A dedicated thread blocks in waitid(P_PIDFD) from the moment it is spawned, so the
/// child is always reaped, whether or not anyone awaits <see cref="WaitForExitAsync"/>.
/// </summary>
public sealed class NativeProcess : IDisposable
{
    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGKILL = 9;
    public const int SIGUSR1 = 10;
    public const int SIGUSR2 = 12;
    public const int SIGTERM = 15;
    public const int SIGWINCH = 28;

    private readonly SafeFileHandle _pidfd;
    private readonly TaskCompletionSource<ProcessExit> _exit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private NativeProcess(int pid, SafeFileHandle pidfd)
    {
        Pid = pid;
        _pidfd = pidfd;

        // The waiter's ref keeps the pidfd open even if Dispose runs first; it is released after the reap.
        var added = false;
        _pidfd.DangerousAddRef(ref added);
        var waiter = new Thread(WaitForExit, maxStackSize: 128 * 1024)
        {
            IsBackground = true,
            Name = $"wait {pid}",
        };
        waiter.Start();
    }

    public int Pid { get; }

    public bool HasExited => _exit.Task.IsCompleted;

    /// <summary>
    /// Spawns <paramref name="path"/>. <paramref name="fdMap"/>[i] becomes the child's fd i (0..15); null means
    /// /dev/null. No other fd is inherited (all of berthd's are O_CLOEXEC). The signal mask is cleared and all
    /// dispositions reset (.NET ignores SIGPIPE). <paramref name="envp"/> null passes berthd's environment.
    /// </summary>
    /// <remarks><paramref name="setsid"/> starts a new session (detached from berthd's terminal and process group);
    /// <paramref name="controllingTty"/> makes the tty mapped to fd 0 the child's controlling terminal (implies
    /// setsid; it is reopened through /proc/self/fd in the child).</remarks>
    public static unsafe NativeProcess Spawn(
        string path,
        IReadOnlyList<string> argv,
        IReadOnlyList<string>? envp,
        IReadOnlyList<SafeHandle?> fdMap,
        bool setsid = false,
        bool controllingTty = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(argv);
        ArgumentNullException.ThrowIfNull(fdMap);
        if (argv.Count == 0)
        {
            throw new ArgumentException("argv needs at least argv[0]", nameof(argv));
        }

        if (fdMap.Count > 16)
        {
            throw new ArgumentException("at most 16 fds can be mapped", nameof(fdMap));
        }

        if (controllingTty && (fdMap.Count == 0 || fdMap[0] is null))
        {
            throw new ArgumentException("controllingTty needs a tty mapped to fd 0", nameof(fdMap));
        }

        envp ??= Environment.GetEnvironmentVariables().Cast<System.Collections.DictionaryEntry>()
            .Select(e => $"{e.Key}={e.Value}").ToList();

        var strings = new List<nint>(argv.Count + envp.Count);
        var refs = new List<SafeHandle>(fdMap.Count);
        try
        {
            var argvPtr = stackalloc nint[argv.Count + 1];
            var envpPtr = stackalloc nint[envp.Count + 1];
            for (var i = 0; i < argv.Count; i++)
            {
                strings.Add(argvPtr[i] = Marshal.StringToCoTaskMemUTF8(argv[i]));
            }

            for (var i = 0; i < envp.Count; i++)
            {
                strings.Add(envpPtr[i] = Marshal.StringToCoTaskMemUTF8(envp[i]));
            }

            argvPtr[argv.Count] = 0;
            envpPtr[envp.Count] = 0;

            var fds = stackalloc int[Math.Max(1, fdMap.Count)];
            for (var i = 0; i < fdMap.Count; i++)
            {
                fds[i] = -1;
                if (fdMap[i] is { } h)
                {
                    var added = false;
                    h.DangerousAddRef(ref added);
                    refs.Add(h);
                    fds[i] = (int)h.DangerousGetHandle();
                }
            }

            var flags = (setsid ? Interop.BerthLxc.SpawnSetsid : 0)
                | (controllingTty ? Interop.BerthLxc.SpawnControllingTty : 0);
            var ret = Interop.BerthLxc.Spawn(path, argvPtr, envpPtr, fds, fdMap.Count, flags, out var pid, out var pidfd);
            Interop.IOErrors.ThrowIfError(ret, $"spawn {path}");
            if (pidfd < 0)
            {
                // pidfd_open failed (cannot happen on kernels >= 5.3): kill rather than leave an unreapable child.
                Interop.Libc.Kill(pid, SIGKILL);
                throw new ErrnoException(-pidfd, $"pidfd_open {pid}: {Marshal.GetPInvokeErrorMessage(-pidfd)}");
            }

            return new NativeProcess(pid, new SafeFileHandle(pidfd, ownsHandle: true));
        }
        finally
        {
            foreach (var p in strings)
            {
                Marshal.FreeCoTaskMem(p);
            }

            foreach (var h in refs)
            {
                h.DangerousRelease();
            }
        }
    }

    /// <summary>kill(2) by pid; prefer the instance <see cref="Kill(int)"/> for our own children.</summary>
    public static void Kill(int pid, int signal)
    {
        Interop.IOErrors.ThrowIfLibcError(Interop.Libc.Kill(pid, signal), $"kill {pid}");
    }

    /// <summary>Signals the child through its pidfd (never a recycled pid); a no-op once it has been reaped.</summary>
    public void Kill(int signal)
    {
        if (HasExited || _pidfd.IsClosed)
        {
            return;
        }

        var ret = Interop.BerthLxc.PidFdSendSignal(_pidfd, signal);
        if (ret != -Interop.IOErrors.ESRCH)
        {
            Interop.IOErrors.ThrowIfError(ret, $"pidfd_send_signal {Pid}");
        }
    }

    public Task<ProcessExit> WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        return _exit.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Releases the pidfd once the child has been reaped; the child itself is not killed.</summary>
    public void Dispose()
    {
        _pidfd.Dispose();
    }

    private void WaitForExit()
    {
        try
        {
            var ret = Interop.BerthLxc.WaitPidFd(_pidfd, out var code, out var status);
            Interop.IOErrors.ThrowIfError(ret, $"waitid {Pid}");
            _exit.TrySetResult(code == 1 ? new ProcessExit(status, null) : new ProcessExit(null, status));
        }
        catch (IOException e)
        {
            _exit.TrySetException(e);
        }
        finally
        {
            _pidfd.DangerousRelease();
        }
    }
}
