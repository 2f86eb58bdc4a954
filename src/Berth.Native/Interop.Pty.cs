using System.Runtime.InteropServices;

namespace Berth.Native;

internal static partial class Interop
{
    internal static partial class BerthLxc
    {
        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_pty_open_devpts")]
        internal static partial int PtyOpenDevpts(SafeHandle devpts, out int master, out int slave);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_pty_open_host")]
        internal static partial int PtyOpenHost(out int master, out int slave);

        [LibraryImport(Libraries.BerthLxc, EntryPoint = "berth_pty_set_size")]
        internal static partial int PtySetSize(SafeHandle master, int cols, int rows);
    }
}
