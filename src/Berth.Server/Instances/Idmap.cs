namespace Berth.Server.Instances;

/// <summary>One uid or gid range mapped into a container (LXD's volatile.idmap.* JSON uses these field names).</summary>
public sealed record IdmapEntry(bool Isuid, bool Isgid, long Hostid, long Nsid, long Maprange);

/// <summary>
/// The host range unprivileged containers map root into: root's entry in /etc/subuid and /etc/subgid, or
/// LXD's default (1000000, 1000000000) when there is none.
/// </summary>
public sealed record IdmapRange(long Base, long Size)
{
    public static IdmapRange Default { get; } = new(1_000_000, 1_000_000_000);

    public static IdmapRange ForRoot(string subuidPath = "/etc/subuid", string subgidPath = "/etc/subgid")
    {
        var uid = Read(subuidPath);
        var gid = Read(subgidPath);
        if (uid is null || gid is null)
        {
            return Default;
        }

        // One range for both, so files keep matching uids and gids.
        var start = Math.Max(uid.Base, gid.Base);
        var end = Math.Min(uid.Base + uid.Size, gid.Base + gid.Size);
        return end - start >= 65536 ? new IdmapRange(start, end - start) : Default;
    }

    public IReadOnlyList<IdmapEntry> Entries() =>
        [new IdmapEntry(true, false, Base, 0, Size), new IdmapEntry(false, true, Base, 0, Size)];

    private static IdmapRange? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        foreach (var line in File.ReadLines(path))
        {
            var fields = line.Split(':');
            if (fields.Length == 3 && fields[0] is "root" or "0" && long.TryParse(fields[1], out var start) && long.TryParse(fields[2], out var count))
            {
                return new IdmapRange(start, count);
            }
        }

        return null;
    }
}
