using System.Runtime.InteropServices;

namespace Berth.Native;

internal static partial class Interop
{
    internal static partial class Btrfs
    {
        // _IOW(0x94, 23, struct btrfs_ioctl_vol_args_v2) and _IOW(0x94, 15, struct btrfs_ioctl_vol_args), both 4096 bytes.
        internal const uint SnapCreateV2 = 0x50009417;
        internal const uint SnapDestroy = 0x5000940f;
        internal const ulong SubvolReadOnly = 1UL << 1;

        // _IOWR(0x94, 18, struct btrfs_ioctl_ino_lookup_args) (4096 bytes) and _IOR(0x94, 31, struct btrfs_ioctl_fs_info_args) (1024 bytes).
        internal const uint InoLookup = 0xd0009412;
        internal const uint FsInfo = 0x8400941f;
        internal const ulong FirstFreeObjectId = 256;

        /// <summary>struct btrfs_ioctl_ino_lookup_args: treeid, objectid, then the 4080-byte name.</summary>
        [StructLayout(LayoutKind.Sequential, Size = 4096)]
        internal unsafe struct InoLookupArgs
        {
            public ulong TreeId;
            public ulong ObjectId;
            public fixed byte Name[4080];
        }

        /// <summary>struct btrfs_ioctl_fs_info_args: max_id, num_devices, then the 16-byte fsid (1024 bytes in all).</summary>
        [StructLayout(LayoutKind.Sequential, Size = 1024)]
        internal unsafe struct FsInfoArgs
        {
            public ulong MaxId;
            public ulong NumDevices;
            public fixed byte Fsid[16];
        }
        internal const int OpenCloexec = 0x80000; // O_RDONLY | O_CLOEXEC (same value on x86_64 and arm64)

        /// <summary>struct btrfs_ioctl_vol_args_v2: fd, transid, flags, a 32-byte union, then the 4040-byte name.</summary>
        [StructLayout(LayoutKind.Sequential, Size = 4096)]
        internal unsafe struct VolArgsV2
        {
            public long Fd;
            public ulong TransId;
            public ulong Flags;
            public fixed ulong Unused[4];
            public fixed byte Name[4040];
        }

        /// <summary>struct btrfs_ioctl_vol_args: fd and the 4088-byte name.</summary>
        [StructLayout(LayoutKind.Sequential, Size = 4096)]
        internal unsafe struct VolArgs
        {
            public long Fd;
            public fixed byte Name[4088];
        }

        [LibraryImport(Libraries.Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Open(string path, int flags);

        [LibraryImport(Libraries.Libc, EntryPoint = "close")]
        internal static partial int Close(int fd);

        [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
        internal static unsafe partial int Ioctl(int fd, nuint request, void* arg);
    }
}

/// <summary>
/// btrfs subvolume snapshots and deletion by ioctl, as <c>btrfs subvolume snapshot/delete</c> do them, without a
/// process per call: snapshot, restore and copy of an instance with snapshots make several in a row.
/// </summary>
public static class BtrfsSubvolume
{
    /// <summary>Snapshots the subvolume <paramref name="source"/> as <paramref name="target"/> (its parent must exist).</summary>
    public static unsafe void Snapshot(string source, string target, bool readOnly)
    {
        ArgumentException.ThrowIfNullOrEmpty(target);
        var name = System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(target.TrimEnd('/')));
        if (name.Length == 0 || name.Length >= 4040)
        {
            throw new ArgumentException($"Invalid subvolume name in \"{target}\"", nameof(target));
        }

        var sourceFd = OpenDirectory(source);
        try
        {
            var parentFd = OpenDirectory(Path.GetDirectoryName(target.TrimEnd('/'))!);
            try
            {
                var args = new Interop.Btrfs.VolArgsV2 { Fd = sourceFd, Flags = readOnly ? Interop.Btrfs.SubvolReadOnly : 0 };
                name.CopyTo(new Span<byte>(args.Name, 4040));
                Interop.IOErrors.ThrowIfLibcError(Interop.Btrfs.Ioctl(parentFd, Interop.Btrfs.SnapCreateV2, &args), $"btrfs snapshot {source} {target}");
            }
            finally
            {
                _ = Interop.Btrfs.Close(parentFd);
            }
        }
        finally
        {
            _ = Interop.Btrfs.Close(sourceFd);
        }
    }

    /// <summary>Deletes the subvolume at <paramref name="path"/> (read-only ones too; the space is freed in the background).</summary>
    public static unsafe void Delete(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var name = System.Text.Encoding.UTF8.GetBytes(Path.GetFileName(path.TrimEnd('/')));
        if (name.Length == 0 || name.Length >= 4088)
        {
            throw new ArgumentException($"Invalid subvolume name in \"{path}\"", nameof(path));
        }

        var parentFd = OpenDirectory(Path.GetDirectoryName(path.TrimEnd('/'))!);
        try
        {
            var args = new Interop.Btrfs.VolArgs();
            name.CopyTo(new Span<byte>(args.Name, 4088));
            Interop.IOErrors.ThrowIfLibcError(Interop.Btrfs.Ioctl(parentFd, Interop.Btrfs.SnapDestroy, &args), $"btrfs subvolume delete {path}");
        }
        finally
        {
            _ = Interop.Btrfs.Close(parentFd);
        }
    }

    /// <summary>
    /// The bytes the subvolume at <paramref name="path"/> references, from its level-0 qgroup in sysfs
    /// (<c>/sys/fs/btrfs/&lt;fsid&gt;/qgroups/0_&lt;id&gt;/referenced</c>, kernel 5.9+): the figure <c>btrfs qgroup show</c> prints,
    /// without a process per look (<c>lxc list</c> asks it for every instance). Null when quotas or the file are missing.
    /// </summary>
    public static unsafe long? ReferencedBytes(string path)
    {
        var fd = Interop.Btrfs.Open(path, Interop.Btrfs.OpenCloexec);
        if (fd < 0)
        {
            return null;
        }

        try
        {
            var lookup = new Interop.Btrfs.InoLookupArgs { ObjectId = Interop.Btrfs.FirstFreeObjectId };
            var info = new Interop.Btrfs.FsInfoArgs();
            if (Interop.Btrfs.Ioctl(fd, Interop.Btrfs.InoLookup, &lookup) != 0 || Interop.Btrfs.Ioctl(fd, Interop.Btrfs.FsInfo, &info) != 0)
            {
                return null;
            }

            var fsid = new Guid(new ReadOnlySpan<byte>(info.Fsid, 16), bigEndian: true).ToString("D");
            var file = $"/sys/fs/btrfs/{fsid}/qgroups/0_{lookup.TreeId}/referenced";
            return File.Exists(file) && long.TryParse(File.ReadAllText(file).AsSpan().Trim(), out var bytes) ? bytes : null;
        }
        finally
        {
            _ = Interop.Btrfs.Close(fd);
        }
    }

    private static int OpenDirectory(string path) =>
        Interop.IOErrors.ThrowIfLibcError(Interop.Btrfs.Open(path, Interop.Btrfs.OpenCloexec), $"open {path}");
}
