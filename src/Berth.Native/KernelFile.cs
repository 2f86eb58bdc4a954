using System.Runtime.InteropServices;

namespace Berth.Native;

/// <summary>
/// A /proc or cgroupfs file kept open to be read again and again (<see cref="KernelFiles.Read(KernelFile, out int)"/>):
/// a container's state is a handful of such files, and opening them was the largest kernel cost of listing 50
/// running containers with their state.
/// </summary>
public sealed class KernelFile : SafeHandle
{
    private KernelFile(int fd)
        : base(-1, ownsHandle: true) => SetHandle(fd);

    public override bool IsInvalid => handle == -1;

    /// <summary>The open file, or null with <paramref name="errno"/> set when it cannot be opened.</summary>
    public static KernelFile? Open(string path, out int errno)
    {
        var fd = KernelFiles.OpenReadOnly(path);
        errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        return fd < 0 ? null : new KernelFile(fd);
    }

    protected override bool ReleaseHandle() => Interop.KernelFiles.Close((int)handle) == 0;
}
