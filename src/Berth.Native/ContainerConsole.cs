using Microsoft.Win32.SafeHandles;

namespace Berth.Native;

/// <summary>
/// An attachment to a running container's console (tty 0) through liblxc's console_getfd, which asks the monitor
/// over its command socket (no fork) for the master of a proxy pty; the monitor keeps logging the console meanwhile.
/// Only one client can hold the console at a time; disposing releases it.
/// </summary>
public sealed class ContainerConsole : IDisposable
{
    private readonly SafeFileHandle _keep;

    private ContainerConsole(SafeFileHandle keep, SafeFileHandle master)
    {
        _keep = keep;
        Master = master;
    }

    public SafeFileHandle Master { get; }

    public static ContainerConsole Attach(string lxcPath, string name)
    {
        var keep = Interop.IOErrors.ThrowIfError(Interop.BerthLxc.ConsoleGetFd(lxcPath, name, 0, out var master), $"console {name}", withLxcError: true);
        return new ContainerConsole(new SafeFileHandle(keep, ownsHandle: true), new SafeFileHandle(master, ownsHandle: true));
    }

    /// <summary>Empties the console ring buffer of a running container (the log file is the caller's).</summary>
    public static void ClearBuffer(string lxcPath, string name) =>
        Interop.IOErrors.ThrowIfError(Interop.BerthLxc.ConsoleClear(lxcPath, name), $"console_log {name}", withLxcError: true);

    public void SetWindowSize(int cols, int rows) => ContainerPty.SetWindowSize(Master, cols, rows);

    /// <summary>A stream over a duplicate of the master (disposing it stops its reads).</summary>
    public FdStream OpenStream()
    {
        var fd = Interop.IOErrors.ThrowIfError(Interop.BerthLxc.DupCloexec(Master), "dup console master");
        return new FdStream(new SafeFileHandle(fd, ownsHandle: true));
    }

    public void Dispose()
    {
        Master.Dispose();
        _keep.Dispose();
    }
}
