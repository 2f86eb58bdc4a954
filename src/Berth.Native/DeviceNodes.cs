using System.Runtime.InteropServices;

namespace Berth.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

        [LibraryImport(Libraries.Libc, EntryPoint = "mknod", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Mknod(string path, uint mode, ulong dev);

        [LibraryImport(Libraries.Libc, EntryPoint = "chmod", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Chmod(string path, uint mode);
    }
}

/// <summary>What a device node is: character or block, and its numbers.</summary>
public readonly record struct DeviceNumber(bool IsChar, int Major, int Minor);

/// <summary>Device nodes: their numbers (statx, whose layout is the same on every architecture) and mknod.</summary>
public static class DeviceNodes
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const uint SIfChr = 0x2000;
    private const uint SIfBlk = 0x6000;
    private const uint SIfMt = 0xF000;

    /// <summary>The device a node at <paramref name="path"/> stands for (symlinks followed); null when it is not a device node or is missing.</summary>
    public static unsafe DeviceNumber? Stat(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var buffer = stackalloc byte[256];
        if (Interop.Libc.Statx(AtFdCwd, path, 0, StatxType, buffer) != 0)
        {
            return null;
        }

        // struct statx: stx_mode (u16) at 28, stx_rdev_major/minor (u32) at 128/132.
        var type = *(ushort*)(buffer + 28) & SIfMt;
        if (type != SIfChr && type != SIfBlk)
        {
            return null;
        }

        return new DeviceNumber(type == SIfChr, (int)*(uint*)(buffer + 128), (int)*(uint*)(buffer + 132));
    }

    /// <summary>The device of the filesystem holding <paramref name="path"/> (its st_dev); null when it cannot be stat'ed.</summary>
    public static unsafe DeviceNumber? FilesystemDevice(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var buffer = stackalloc byte[256];
        if (Interop.Libc.Statx(AtFdCwd, path, 0, 0, buffer) != 0)
        {
            return null;
        }

        // struct statx: stx_dev_major/minor (u32) at 136/140, always filled.
        return new DeviceNumber(false, (int)*(uint*)(buffer + 136), (int)*(uint*)(buffer + 140));
    }

    /// <summary>mknod(2) then chmod, so the mode is exact whatever the umask.</summary>
    public static void Create(string path, DeviceNumber device, int mode)
    {
        ArgumentNullException.ThrowIfNull(path);
        var major = (ulong)device.Major;
        var minor = (ulong)device.Minor;
        // glibc's makedev.
        var dev = ((major & 0xfffff000UL) << 32) | ((major & 0xfffUL) << 8) | ((minor & 0xffffff00UL) << 12) | (minor & 0xffUL);
        var perm = (uint)mode & 0xFFF;
        if (Interop.Libc.Mknod(path, (device.IsChar ? SIfChr : SIfBlk) | perm, dev) != 0)
        {
            throw new IOException($"mknod {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        if (Interop.Libc.Chmod(path, perm) != 0)
        {
            throw new IOException($"chmod {path}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }
}
