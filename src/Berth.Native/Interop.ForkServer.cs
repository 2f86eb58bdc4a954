using System.Runtime.InteropServices;

namespace Berth.Native;

internal static partial class Interop
{
    internal static partial class BerthLxc
    {
        /// <summary>One datagram with <paramref name="count"/> fds attached (SCM_RIGHTS): 0 or -errno.</summary>
        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_send_fds")]
        internal static unsafe partial int SendFds(SafeHandle socket, byte* buffer, nuint length, int* fds, int count);

        /// <summary>socketpair(AF_UNIX, SOCK_SEQPACKET or SOCK_STREAM, SOCK_CLOEXEC): 0 or -errno.</summary>
        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_unix_pair")]
        internal static unsafe partial int UnixPair(int* fds, int seqpacket);
    }
}
