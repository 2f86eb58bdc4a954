using System.Runtime.InteropServices;

namespace Berth.Native;

internal static partial class Interop
{
    internal static partial class BerthLxc
    {
        internal const int SpawnSetsid = 1;
        internal const int SpawnControllingTty = 2;

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_spawn", StringMarshalling = StringMarshalling.Utf8)]
        internal static unsafe partial int Spawn(string path, nint* argv, nint* envp, int* fds, int nfds, int flags, out int pid, out int pidfd);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_wait_pidfd")]
        internal static partial int WaitPidFd(SafeHandle pidfd, out int code, out int status);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_pidfd_send_signal")]
        internal static partial int PidFdSendSignal(SafeHandle pidfd, int signal);
    }

    internal static partial class Libc
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "kill", SetLastError = true)]
        internal static partial int Kill(int pid, int signal);
    }
}
