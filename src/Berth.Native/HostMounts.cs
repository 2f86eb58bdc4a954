using System.Runtime.InteropServices;

namespace Berth.Native;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(Libraries.Libc, EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Mount(string? source, string target, string? fsType, ulong flags, nint data);

        [LibraryImport(Libraries.Libc, EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Umount2(string target, int flags);

        // mount_setattr(2) has no glibc wrapper on older releases: the raw syscall (same number on every architecture).
        [LibraryImport(Libraries.Libc, EntryPoint = "syscall", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static unsafe partial long MountSetattr(long number, int dirfd, string path, uint flags, ulong* attr, nuint size);
    }
}

/// <summary>Bind mounts made in the host's mount namespace (host-path disks prepared before they reach a container).</summary>
public static class HostMounts
{
    private const ulong MsRdonly = 1;
    private const ulong MsRemount = 32;
    private const ulong MsBind = 4096;
    private const ulong MsRec = 16384;
    private const int MntDetach = 2;
    private const int Einval = 22;
    private const int Enoent = 2;
    private const int Enodev = 19;
    private const int Enosys = 38;
    private const long SysMountSetattr = 442;
    private const int AtFdCwd = -100;
    private const uint AtRecursive = 0x8000;
    private const ulong MountAttrRdonly = 1;

    /// <summary>
    /// Mounts the filesystem on the block device <paramref name="device"/> onto the directory <paramref name="target"/>,
    /// trying each block-backed type the kernel knows (<c>/proc/filesystems</c>), as <c>mount -t auto</c> does.
    /// </summary>
    public static void MountFilesystem(string device, string target, bool readOnly)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(target);
        var types = File.ReadAllLines("/proc/filesystems").Where(l => !l.StartsWith("nodev", StringComparison.Ordinal)).Select(l => l.Trim()).Where(t => t.Length > 0);
        foreach (var type in types)
        {
            if (Interop.Libc.Mount(device, target, type, readOnly ? MsRdonly : 0, 0) == 0)
            {
                return;
            }

            // EINVAL: not this type's superblock; ENODEV: the type is not usable here. Anything else is the answer.
            var errno = Marshal.GetLastPInvokeError();
            if (errno is not (Einval or Enodev))
            {
                throw new IOException($"mount {device} ({type}) onto {target}: {Marshal.GetPInvokeErrorMessage(errno)}");
            }
        }

        throw new IOException($"mount {device} onto {target}: no filesystem the kernel knows is on it");
    }

    /// <summary>
    /// Binds <paramref name="source"/> onto <paramref name="target"/> (which must exist): with its submounts when
    /// <paramref name="recursive"/>, and read-only throughout (submounts too) when <paramref name="readOnly"/>.
    /// </summary>
    public static unsafe void Bind(string source, string target, bool recursive, bool readOnly)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        if (Interop.Libc.Mount(source, target, null, MsBind | (recursive ? MsRec : 0), 0) != 0)
        {
            throw new IOException($"bind mount {source} onto {target}: {Marshal.GetLastPInvokeErrorMessage()}");
        }

        if (!readOnly)
        {
            return;
        }

        // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd }.
        var attr = stackalloc ulong[4];
        attr[0] = MountAttrRdonly;
        if (Interop.Libc.MountSetattr(SysMountSetattr, AtFdCwd, target, recursive ? AtRecursive : 0, attr, 32) == 0)
        {
            return;
        }

        var error = Marshal.GetLastPInvokeError();
        if (error == Enosys && Interop.Libc.Mount(null, target, null, MsBind | MsRemount | MsRdonly, 0) == 0)
        {
            return;
        }

        var message = Marshal.GetLastPInvokeErrorMessage();
        Interop.Libc.Umount2(target, MntDetach);
        throw new IOException($"read-only remount of {target}: {message}");
    }

    /// <summary>
    /// Detaches whatever is mounted at <paramref name="target"/> (with its submounts, and mounts stacked there by an
    /// earlier run); nothing mounted is fine.
    /// </summary>
    public static void Detach(string target)
    {
        ArgumentNullException.ThrowIfNull(target);
        for (var i = 0; i < 16; i++)
        {
            if (Interop.Libc.Umount2(target, MntDetach) == 0)
            {
                continue;
            }

            if (Marshal.GetLastPInvokeError() is Einval or Enoent)
            {
                return;
            }

            throw new IOException($"umount {target}: {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }
}
