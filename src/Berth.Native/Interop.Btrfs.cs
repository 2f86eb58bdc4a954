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

    private static int OpenDirectory(string path) =>
        Interop.IOErrors.ThrowIfLibcError(Interop.Btrfs.Open(path, Interop.Btrfs.OpenCloexec), $"open {path}");
}
