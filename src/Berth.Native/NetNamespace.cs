using System.Runtime.InteropServices;

namespace Berth.Native;

/// <summary>Network namespaces: a thread that enters one creates its sockets there (sockets made before stay where they are).</summary>
public static class NetNamespace
{
    // The daemon's own namespace (the thread-group leader's), to return to after making a socket elsewhere.
    private static readonly Lazy<SafeHandle> Home = new(() => File.OpenHandle("/proc/self/ns/net", FileMode.Open, FileAccess.Read));

    /// <summary>Moves the calling thread into the network namespace of process <paramref name="pid"/>.</summary>
    public static void EnterThread(int pid)
    {
        using var handle = File.OpenHandle($"/proc/{pid}/ns/net", FileMode.Open, FileAccess.Read);
        Interop.IOErrors.ThrowIfLibcError(Interop.Libc.Setns((int)handle.DangerousGetHandle(), Interop.Libc.CloneNewNet), $"setns into the network namespace of {pid}");
    }

    /// <summary>
    /// A socket made in <paramref name="pid"/>'s network namespace by the calling thread, which enters it and
    /// returns home before anything else runs on it (no thread is created: a thread per state read cost more than
    /// the read). -1 when the process is gone. The daemon cannot go on with a thread left in a container's
    /// namespace, so a failed return is fatal.
    /// </summary>
    public static int OpenSocketIn(int pid, int domain, int type, int protocol)
    {
        var home = Home.Value;
        // A plain open: File.OpenHandle adds fstat and flock, and `lxc list` opens one of these per container.
        var target = Interop.KernelFiles.Open($"/proc/{pid}/ns/net", OpenReadOnlyCloexec);
        if (target < 0)
        {
            return -1;
        }

        try
        {
            if (Interop.Libc.Setns(target, Interop.Libc.CloneNewNet) != 0)
            {
                return -1;
            }

            var fd = Interop.Libc.Socket(domain, type, protocol);
            if (Interop.Libc.Setns((int)home.DangerousGetHandle(), Interop.Libc.CloneNewNet) != 0)
            {
                Environment.FailFast($"setns back to the daemon's network namespace failed (errno {Marshal.GetLastPInvokeError()})");
            }

            return fd;
        }
        finally
        {
            _ = Interop.KernelFiles.Close(target);
        }
    }

    private const int OpenReadOnlyCloexec = 0x80000; // O_RDONLY | O_CLOEXEC
}
