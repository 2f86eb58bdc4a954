using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Berth.Native;

/// <summary>
/// A pty pair for interactive exec. LXD's way: <see cref="Open(SafeHandle)"/> opens <c>ptmx</c> inside the
/// container's own devpts instance (from <see cref="LxcContainerControl.OpenDevpts"/>), unlocks it (TIOCSPTLCK)
/// and gets the slave with TIOCGPTPEER, so <c>tty</c> inside prints <c>/dev/pts/N</c>.
/// <see cref="OpenOnHost"/> is the fallback (posix_openpt on the host; inside, <c>tty</c> says "not a tty").
/// Hand <see cref="Slave"/> to the child as fds 0/1/2, then <see cref="CloseSlave"/> so the master sees EOF when
/// the last process using the tty exits.
/// </summary>
public sealed class ContainerPty : IDisposable
{
    private ContainerPty(int master, int slave)
    {
        Master = new SafeFileHandle(master, ownsHandle: true);
        Slave = new SafeFileHandle(slave, ownsHandle: true);
    }

    public SafeFileHandle Master { get; }

    public SafeFileHandle Slave { get; }

    public static ContainerPty Open(SafeHandle devpts)
    {
        ArgumentNullException.ThrowIfNull(devpts);
        Interop.IOErrors.ThrowIfError(Interop.BerthLxc.PtyOpenDevpts(devpts, out var master, out var slave), "open container pty");
        return new ContainerPty(master, slave);
    }

    public static ContainerPty OpenOnHost()
    {
        Interop.IOErrors.ThrowIfError(Interop.BerthLxc.PtyOpenHost(out var master, out var slave), "open host pty");
        return new ContainerPty(master, slave);
    }

    /// <summary>TIOCSWINSZ on the master; the kernel sends SIGWINCH to the tty's foreground process group.</summary>
    public void SetWindowSize(int cols, int rows)
    {
        SetWindowSize(Master, cols, rows);
    }

    public static void SetWindowSize(SafeHandle master, int cols, int rows)
    {
        ArgumentNullException.ThrowIfNull(master);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        Interop.IOErrors.ThrowIfError(Interop.BerthLxc.PtySetSize(master, cols, rows), "TIOCSWINSZ");
    }

    /// <summary>A stream over a duplicate of the master (independent lifetime; disposing it stops reads).</summary>
    public FdStream OpenMasterStream()
    {
        var fd = Interop.IOErrors.ThrowIfError(Interop.BerthLxc.DupCloexec(Master), "dup pty master");
        return new FdStream(new SafeFileHandle(fd, ownsHandle: true));
    }

    public void CloseSlave()
    {
        Slave.Dispose();
    }

    public void Dispose()
    {
        Slave.Dispose();
        Master.Dispose();
    }
}
