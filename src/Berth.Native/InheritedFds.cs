using System.Globalization;
using System.Runtime.InteropServices;

namespace Berth.Native;

/// <summary>
/// Descriptors berthd inherited from whoever started it (a shell's, or <c>flock</c>'s lock file) are marked
/// close-on-exec, so the long-lived helpers berthd starts (lxcfs, dnsmasq, forwarders) do not keep them open: an
/// lxcfs holding a test lock's descriptor kept that lock taken long after the test and its berthd had gone.
/// </summary>
public static partial class InheritedFds
{
    private const int FGetfd = 1;
    private const int FSetfd = 2;
    private const int FdCloexec = 1;

    /// <summary>Marks every open descriptor above stderr close-on-exec; returns how many were changed.</summary>
    public static int MarkCloseOnExec()
    {
        var changed = 0;
        string[] entries;
        try
        {
            entries = Directory.GetFileSystemEntries("/proc/self/fd");
        }
        catch (IOException)
        {
            return 0;
        }

        foreach (var entry in entries)
        {
            if (!int.TryParse(Path.GetFileName(entry), NumberStyles.None, CultureInfo.InvariantCulture, out var fd) || fd <= 2)
            {
                continue;
            }

            if (!IsCloseOnExec(fd) && SetCloseOnExec(fd, true))
            {
                changed++;
            }
        }

        return changed;
    }

    /// <summary>Whether <paramref name="fd"/> is close-on-exec (false if it is not open).</summary>
    public static bool IsCloseOnExec(int fd) => Fcntl(fd, FGetfd, 0) is var flags && flags >= 0 && (flags & FdCloexec) != 0;

    /// <summary>Sets or clears <paramref name="fd"/>'s close-on-exec flag; false if it is not open.</summary>
    public static bool SetCloseOnExec(int fd, bool on)
    {
        var flags = Fcntl(fd, FGetfd, 0);
        return flags >= 0 && Fcntl(fd, FSetfd, on ? flags | FdCloexec : flags & ~FdCloexec) == 0;
    }

    [LibraryImport(Interop.Libraries.Libc, EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int cmd, int arg);
}
