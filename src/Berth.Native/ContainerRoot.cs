using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Berth.Native;

/// <summary>What <see cref="ContainerRoot.Stat(string)"/> reports: the entry itself (symlinks are not followed).</summary>
public sealed record ContainerFileInfo(UnixFileType Type, int Uid, int Gid, int Mode, long Size, DateTimeOffset Modified);

/// <summary>The kinds of entries the files API knows; <see cref="Other"/> are devices, fifos and sockets.</summary>
public enum UnixFileType
{
    File,
    Directory,
    Symlink,
    Other,
}

/// <summary>
/// A container's root directory, held open, under which every client path is resolved by the kernel with
/// openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): "..", absolute symlinks and symlinks with "../.." all stay
/// inside it, so nothing a container (or a client) puts in a path can reach the host. The last component is never
/// followed; creations and removals act on (parent fd, name). Ids here are as seen from the host.
/// </summary>
public sealed class ContainerRoot : IDisposable
{
    private const int Resolve = Interop.BerthLxc.ResolveInRoot | Interop.BerthLxc.ResolveNoMagicLinks;
    private readonly SafeFileHandle _root;

    private ContainerRoot(SafeFileHandle root) => _root = root;

    /// <summary>Opens <paramref name="path"/> (a rootfs directory or <c>/proc/&lt;pid&gt;/root</c>) as the root.</summary>
    public static ContainerRoot Open(string path)
    {
        var fd = Interop.BerthLxc.OpenAt2(-100, path, Interop.BerthLxc.OPath | Interop.BerthLxc.ODirectory, 0, 0);
        return new ContainerRoot(Handle(fd, "open container root"));
    }

    /// <summary>The path as components with "." and ".." folded lexically, as LXD's filepath.Clean does.</summary>
    public static IReadOnlyList<string> Components(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = new List<string>();
        foreach (var part in path.Split('/'))
        {
            if (part is "" or ".")
            {
                continue;
            }

            if (part == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(part);
        }

        return parts;
    }

    /// <summary>The entry at <paramref name="path"/>, or null when it (or a parent) does not exist.</summary>
    public ContainerFileInfo? Stat(string path)
    {
        using var fd = TryOpenPath(path);
        return fd is null ? null : Stat(fd);
    }

    /// <summary>Target of the symlink at <paramref name="path"/>.</summary>
    public unsafe string ReadLink(string path)
    {
        using var fd = OpenPath(path);
        var buffer = new byte[4096];
        fixed (byte* p = buffer)
        {
            var n = Check(Interop.BerthLxc.ReadlinkFd(fd, p, buffer.Length), "readlink", path);
            return Encoding.UTF8.GetString(buffer, 0, n);
        }
    }

    /// <summary>Opens the regular file at <paramref name="path"/> for reading.</summary>
    public SafeFileHandle OpenRead(string path)
    {
        using var fd = OpenPath(path);
        RequireType(fd, UnixFileType.File, path);
        return Reopen(fd, Interop.BerthLxc.ORdOnly, path);
    }

    /// <summary>Names in the directory at <paramref name="path"/>.</summary>
    public IReadOnlyList<string> List(string path)
    {
        using var fd = OpenPath(path);
        RequireType(fd, UnixFileType.Directory, path);
        using var dir = Reopen(fd, Interop.BerthLxc.ORdOnly | Interop.BerthLxc.ODirectory, path);
        return [.. Directory.EnumerateFileSystemEntries($"/proc/self/fd/{dir.DangerousGetHandle()}").Select(Path.GetFileName).OfType<string>()];
    }

    /// <summary>
    /// Opens the regular file at <paramref name="path"/> for writing (truncated, or for appending), creating it with
    /// <paramref name="mode"/> when missing. <paramref name="created"/> says which.
    /// </summary>
    public SafeFileHandle OpenWrite(string path, bool append, int mode, FsIds creator, out bool created)
    {
        var (parent, name) = OpenParent(path);
        using (parent)
        {
            var flags = Interop.BerthLxc.OWrOnly | (append ? Interop.BerthLxc.OAppend : Interop.BerthLxc.OTrunc);
            var fd = Interop.BerthLxc.CreateAt(parent, name, flags | Interop.BerthLxc.OExcl, mode, creator.Uid, creator.Gid);
            if (fd >= 0)
            {
                created = true;
                return new SafeFileHandle(fd, ownsHandle: true);
            }

            if (fd != -17)
            {
                throw Interop.IOErrors.GetException(-fd, $"create {path}");
            }

            created = false;
            using var existing = Handle(Interop.BerthLxc.OpenAt2(parent, name, Interop.BerthLxc.OPath | Interop.BerthLxc.ONoFollow, 0, Resolve), path);
            RequireType(existing, UnixFileType.File, path);
            return Reopen(existing, flags, path);
        }
    }

    /// <summary>Creates the directory at <paramref name="path"/>; false when a directory is already there.</summary>
    public bool CreateDirectory(string path, int mode, FsIds creator)
    {
        var (parent, name) = OpenParent(path);
        using (parent)
        {
            var ret = Interop.BerthLxc.MkdirAt(parent, name, mode, creator.Uid, creator.Gid);
            if (ret == -17)
            {
                using var existing = Handle(Interop.BerthLxc.OpenAt2(parent, name, Interop.BerthLxc.OPath | Interop.BerthLxc.ONoFollow, 0, Resolve), path);
                RequireType(existing, UnixFileType.Directory, path);
                return false;
            }

            Check(ret, "mkdir", path);
            return true;
        }
    }

    /// <summary>Creates a symlink at <paramref name="path"/>, replacing a symlink already there.</summary>
    public void CreateSymlink(string path, string target, FsIds creator)
    {
        var (parent, name) = OpenParent(path);
        using (parent)
        {
            var ret = Interop.BerthLxc.SymlinkAt(target, parent, name, creator.Uid, creator.Gid);
            if (ret == -17)
            {
                using (var existing = Handle(Interop.BerthLxc.OpenAt2(parent, name, Interop.BerthLxc.OPath | Interop.BerthLxc.ONoFollow, 0, Resolve), path))
                {
                    RequireType(existing, UnixFileType.Symlink, path);
                }

                Check(Interop.BerthLxc.UnlinkAt(parent, name, 0), "unlink", path);
                ret = Interop.BerthLxc.SymlinkAt(target, parent, name, creator.Uid, creator.Gid);
            }

            Check(ret, "symlink", path);
        }
    }

    /// <summary>chown of the entry itself (a symlink is not followed); -1 keeps an id.</summary>
    public void SetOwner(string path, int uid, int gid)
    {
        using var fd = OpenPath(path);
        Check(Interop.BerthLxc.Fchown(fd, uid, gid), "chown", path);
    }

    /// <summary>chmod of a file or directory (symlinks have no mode of their own).</summary>
    public void SetMode(string path, int mode)
    {
        using var fd = OpenPath(path);
        if (Stat(fd).Type != UnixFileType.Symlink)
        {
            Check(Interop.BerthLxc.FchmodPath(fd, mode), "chmod", path);
        }
    }

    /// <summary>Removes a file, symlink or empty directory.</summary>
    public void Delete(string path)
    {
        var (parent, name) = OpenParent(path);
        using (parent)
        {
            var ret = Interop.BerthLxc.UnlinkAt(parent, name, 0);
            if (ret == -21)
            {
                ret = Interop.BerthLxc.UnlinkAt(parent, name, 1);
            }

            Check(ret, "remove", path);
        }
    }

    public void Dispose() => _root.Dispose();

    private static ContainerFileInfo Stat(SafeFileHandle fd)
    {
        Interop.IOErrors.ThrowIfError(Interop.BerthLxc.Fstat(fd, out var st), "stat");
        var type = (st.Mode & 0xF000) switch
        {
            0x8000 => UnixFileType.File,
            0x4000 => UnixFileType.Directory,
            0xA000 => UnixFileType.Symlink,
            _ => UnixFileType.Other,
        };
        var modified = DateTimeOffset.FromUnixTimeSeconds(st.MtimeSec).AddTicks(st.MtimeNsec / 100);
        return new ContainerFileInfo(type, (int)st.Uid, (int)st.Gid, (int)(st.Mode & 0xFFF), st.Size, modified);
    }

    private static void RequireType(SafeFileHandle fd, UnixFileType type, string path)
    {
        var actual = Stat(fd).Type;
        if (actual != type)
        {
            throw new InvalidDataException($"\"{path}\" is a {actual.ToString().ToLowerInvariant()}, not a {type.ToString().ToLowerInvariant()}");
        }
    }

    /// <summary>Opens the inode an O_PATH fd pins, by its own /proc/self/fd link (never by name again).</summary>
    private static SafeFileHandle Reopen(SafeFileHandle fd, int flags, string path) =>
        Handle(Interop.BerthLxc.OpenAt2(-100, $"/proc/self/fd/{fd.DangerousGetHandle()}", flags, 0, 0), path);

    private SafeFileHandle? TryOpenPath(string path)
    {
        var relative = string.Join('/', Components(path));
        var fd = Interop.BerthLxc.OpenAt2(_root, relative.Length == 0 ? "." : relative, Interop.BerthLxc.OPath | Interop.BerthLxc.ONoFollow, 0, Resolve);
        return fd == -Interop.IOErrors.ENOENT || fd == -20 ? null : Handle(fd, path);
    }

    private SafeFileHandle OpenPath(string path) => TryOpenPath(path) ?? throw new FileNotFoundException($"{path}: not found");

    private (SafeFileHandle Parent, string Name) OpenParent(string path)
    {
        var parts = Components(path);
        if (parts.Count == 0)
        {
            throw new InvalidDataException("The root directory cannot be replaced or removed");
        }

        var parent = string.Join('/', parts.Take(parts.Count - 1));
        var fd = Interop.BerthLxc.OpenAt2(_root, parent.Length == 0 ? "." : parent, Interop.BerthLxc.OPath | Interop.BerthLxc.ODirectory, 0, Resolve);
        return (Handle(fd, "/" + parent), parts[^1]);
    }

    private static SafeFileHandle Handle(int fd, string what) =>
        new(Interop.IOErrors.ThrowIfError(fd, what), ownsHandle: true);

    private static int Check(int result, string what, string path) => Interop.IOErrors.ThrowIfError(result, $"{what} {path}");
}

/// <summary>The host fsuid/fsgid to create entries as (container root through an idmapped mount), or none.</summary>
public readonly record struct FsIds(int Uid, int Gid)
{
    public static FsIds None { get; } = new(-1, -1);
}
