using System.Runtime.InteropServices;

namespace Berth.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int OCloexec = 0x80000;

        [LibraryImport(Libraries.Libc, EntryPoint = "pipe2", SetLastError = true)]
        internal static unsafe partial int Pipe2(int* fds, int flags);
    }

    internal static partial class BerthLxc
    {
        internal const int NoWait = -2;

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_read")]
        internal static unsafe partial nint Read(SafeHandle fd, byte* buffer, nuint length, SafeHandle cancelFd);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_write")]
        internal static unsafe partial nint Write(SafeHandle fd, byte* buffer, nuint length, SafeHandle cancelFd);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_write")]
        internal static unsafe partial nint WriteNoWait(SafeHandle fd, byte* buffer, nuint length, int noWait);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_eventfd")]
        internal static partial int EventFd();

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_eventfd_signal")]
        internal static partial int EventFdSignal(SafeHandle fd);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_set_nonblocking")]
        internal static partial int SetNonBlocking(SafeHandle fd);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_dup_cloexec")]
        internal static partial int DupCloexec(SafeHandle fd);
    }
}
