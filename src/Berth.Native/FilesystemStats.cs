using System.Runtime.InteropServices;

namespace Berth.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "statfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static unsafe partial int Statfs(string path, long* buffer);
    }
}

/// <summary>statfs(2) of a path: the filesystem's magic type and its sizes in bytes.</summary>
public readonly record struct FilesystemStats(long Type, ulong SizeBytes, ulong FreeBytes, ulong AvailableBytes)
{
    /// <summary>The stats of the filesystem holding <paramref name="path"/>; null when it cannot be read.</summary>
    public static unsafe FilesystemStats? Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);

        // struct statfs on 64-bit Linux: fifteen 8-byte words; f_type, f_bsize, f_blocks, f_bfree, f_bavail first.
        var words = stackalloc long[15];
        if (Interop.Libc.Statfs(path, words) != 0)
        {
            return null;
        }

        var blockSize = (ulong)words[1];
        return new FilesystemStats(words[0], (ulong)words[2] * blockSize, (ulong)words[3] * blockSize, (ulong)words[4] * blockSize);
    }
}
