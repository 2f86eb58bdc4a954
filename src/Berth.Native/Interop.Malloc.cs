using System.Runtime.InteropServices;

namespace Berth.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "malloc_trim")]
        internal static partial int MallocTrim(nuint pad);
    }
}

/// <summary>The C heap (glibc's malloc) that liblxc, SQLite and the runtime's own native code allocate from.</summary>
public static class NativeHeap
{
    /// <summary>
    /// malloc_trim(0): gives the free pages of every malloc arena back to the kernel. glibc does that by itself only
    /// for free space at the top of an arena; free chunks below live ones stay resident until reused.
    /// </summary>
    /// <returns>Whether any memory was released.</returns>
    public static bool Trim() => Interop.Libc.MallocTrim(0) != 0;
}
