using System.Runtime.InteropServices;

namespace Berth.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "chown", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Chown(string path, int owner, int group);
    }
}

/// <summary>File ownership changes the BCL does not offer.</summary>
public static class FileOwnership
{
    /// <summary>chown(2); -1 leaves that id unchanged.</summary>
    public static void Chown(string path, int uid, int gid)
    {
        if (Interop.Libc.Chown(path, uid, gid) != 0)
        {
            throw new IOException($"chown {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }
}
