using System.Collections.Concurrent;
using Berth.Native;

namespace Berth.Server.Instances;

/// <summary>
/// A running container's cgroup files, read directly: its cgroup is found from its init's /proc/&lt;pid&gt;/cgroup
/// (cut at liblxc's <c>lxc.payload.*</c> directory, so a systemd guest's init.scope does not narrow it) under the
/// host's mounts (v1 per controller, or the v2 tree). liblxc's get_cgroup_item builds a container and asks its
/// monitor per value; a state of a container read that way cost several ms, and <c>lxc list</c> reads them all.
/// </summary>
internal sealed class CgroupFiles : IDisposable
{
    private const int NoSuchFile = 2; // ENOENT

    private static readonly Lazy<IReadOnlyList<(string MountPoint, string[] Controllers, bool V2)>> Mounts = new(ReadMounts);

    private readonly Dictionary<string, string> _v1Paths;
    private readonly string? _v2Path;

    // File name -> the file kept open (keepOpen): read again with pread, never opened twice. Null: opened per read.
    private readonly ConcurrentDictionary<string, KernelFile>? _open;
    private volatile bool _disposed;

    private CgroupFiles(Dictionary<string, string> v1Paths, string? v2Path, bool keepOpen)
    {
        _v1Paths = v1Paths;
        _v2Path = v2Path;
        _open = keepOpen ? new(StringComparer.Ordinal) : null;
    }

    /// <summary>
    /// The cgroups of the container whose init is <paramref name="pid"/>; null when that cannot be read. With
    /// <paramref name="keepOpen"/>, each file read stays open until <see cref="Dispose"/>.
    /// </summary>
    public static CgroupFiles? Of(int pid, bool keepOpen = false)
    {
        if (pid <= 0 || KernelFiles.Read($"/proc/{pid}/cgroup") is not { } text)
        {
            return null;
        }

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var v1 = new Dictionary<string, string>(StringComparer.Ordinal);
        string? v2 = null;
        foreach (var line in lines)
        {
            var parts = line.Split(':', 3);
            if (parts.Length != 3)
            {
                continue;
            }

            var path = ContainerRoot(parts[2]);
            if (path is null)
            {
                continue;
            }

            if (parts[1].Length == 0)
            {
                v2 = path;
            }

            foreach (var controller in parts[1].Split(',', StringSplitOptions.RemoveEmptyEntries))
            {
                v1[controller] = path;
            }
        }

        return v1.Count == 0 && v2 is null ? null : new CgroupFiles(v1, v2, keepOpen);
    }

    /// <summary>The content of <paramref name="file"/> (e.g. <c>memory.usage_in_bytes</c>), trimmed; null if absent.</summary>
    public string? Read(string file)
    {
        if (_open is not null && _open.TryGetValue(file, out var kept))
        {
            // A file of a removed cgroup (the container stopped) fails to read (ENODEV): no state from it.
            return KernelFiles.Read(kept, out _)?.Trim();
        }

        var controller = file[..file.IndexOf('.', StringComparison.Ordinal)];
        foreach (var (mountPoint, controllers, v2) in Mounts.Value)
        {
            var path = v2 ? _v2Path : controllers.Contains(controller, StringComparer.Ordinal) ? _v1Paths.GetValueOrDefault(controller) : null;
            if (path is null)
            {
                continue;
            }

            if (KernelFile.Open(mountPoint + path + "/" + file, out var errno) is { } opened)
            {
                if (_open is not null)
                {
                    return Keep(file, opened);
                }

                using (opened)
                {
                    return KernelFiles.Read(opened, out _)?.Trim();
                }
            }

            if (errno != NoSuchFile)
            {
                return null;
            }

            // Not in this hierarchy (a v2 file on the v1 side of a hybrid host, say): try the next.
        }

        return null;
    }

    public void Dispose()
    {
        _disposed = true;
        foreach (var file in _open?.Values ?? [])
        {
            file.Dispose();
        }
    }

    /// <summary>Keeps <paramref name="opened"/> (unless another reader kept the same file first) and reads it.</summary>
    private string? Keep(string file, KernelFile opened)
    {
        var kept = _open!.GetOrAdd(file, opened);
        if (!ReferenceEquals(kept, opened))
        {
            opened.Dispose();
        }

        // Kept after a dispose on another thread: close it here (a read of a closed file yields null, no state).
        if (_disposed)
        {
            kept.Dispose();
        }

        return KernelFiles.Read(kept, out _)?.Trim();
    }

    /// <summary><c>/a/lxc.payload.c/init.scope</c> → <c>/a/lxc.payload.c</c>; null when not a liblxc payload.</summary>
    internal static string? ContainerRoot(string path)
    {
        var at = path.IndexOf("/lxc.payload.", StringComparison.Ordinal);
        if (at < 0)
        {
            return null;
        }

        var end = path.IndexOf('/', at + 1);
        return end < 0 ? path : path[..end];
    }

    private static List<(string, string[], bool)> ReadMounts()
    {
        var mounts = new List<(string, string[], bool)>();
        foreach (var line in File.ReadLines("/proc/self/mountinfo"))
        {
            var sep = line.IndexOf(" - ", StringComparison.Ordinal);
            if (sep < 0)
            {
                continue;
            }

            var tail = line[(sep + 3)..].Split(' ');
            var mountPoint = line[..sep].Split(' ')[4];
            if (tail[0] == "cgroup" && tail.Length > 2)
            {
                mounts.Add((mountPoint, tail[2].Split(','), false));
            }
            else if (tail[0] == "cgroup2")
            {
                mounts.Add((mountPoint, [], true));
            }
        }

        return mounts;
    }
}
