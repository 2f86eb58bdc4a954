using System.Runtime.InteropServices;

namespace Berth.Native;

/// <summary>
/// A daemon started in the background of a shell that has a terminal (LXD's test suite does `lxd ... &amp;` under a
/// pseudo-terminal) must not keep that terminal as its stdin: .NET resets the terminal's modes around the child
/// processes it starts, and a background process that touches its controlling terminal is stopped by SIGTTOU, so
/// berthd froze (state T) at its next tool run and every client timed out.
/// </summary>
public static partial class DaemonStdin
{
    private const int ORdOnly = 0;

    /// <summary>Replaces stdin with /dev/null when it is a terminal; true when it did.</summary>
    public static bool DetachFromTerminal()
    {
        if (IsAtty(0) != 1)
        {
            return false;
        }

        var fd = Open("/dev/null", ORdOnly);
        if (fd < 0)
        {
            return false;
        }

        var done = Dup2(fd, 0) == 0;
        _ = Close(fd);
        return done;
    }

    [LibraryImport(Interop.Libraries.Libc, EntryPoint = "isatty")]
    private static partial int IsAtty(int fd);

    [LibraryImport(Interop.Libraries.Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport(Interop.Libraries.Libc, EntryPoint = "dup2", SetLastError = true)]
    private static partial int Dup2(int oldFd, int newFd);

    [LibraryImport(Interop.Libraries.Libc, EntryPoint = "close")]
    private static partial int Close(int fd);
}
