using System.Runtime.InteropServices;

namespace Berth.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int CloneNewNet = 0x40000000;

        [LibraryImport(Libraries.Libc, EntryPoint = "setns", SetLastError = true)]
        internal static partial int Setns(int fd, int nstype);
    }
}
