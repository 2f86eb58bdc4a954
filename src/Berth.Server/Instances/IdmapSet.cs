using System.Text.Json;

namespace Berth.Server.Instances;

/// <summary>
/// An instance's uid/gid map (LXD's <c>volatile.idmap.*</c> JSON), for translating ids between the container and
/// the host. Ids without a mapping read as the kernel's overflow id (65534), as inside the container.
/// </summary>
public sealed class IdmapSet(IReadOnlyList<IdmapEntry> entries)
{
    public const long OverflowId = 65534;

    public IReadOnlyList<IdmapEntry> Entries { get; } = entries;

    /// <summary>The instance's map from its volatile keys, else the host's default range.</summary>
    public static IdmapSet ForInstance(IReadOnlyDictionary<string, string> config)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (var key in new[] { "volatile.idmap.current", "volatile.idmap.next", "volatile.last_state.idmap" })
        {
            if (config.TryGetValue(key, out var json) && Parse(json) is { Entries.Count: > 0 } set)
            {
                return set;
            }
        }

        return new IdmapSet(IdmapRange.ForRoot().Entries());
    }

    public static IdmapSet? Parse(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            var entries = new List<IdmapEntry>();
            foreach (var e in doc.RootElement.EnumerateArray())
            {
                entries.Add(new IdmapEntry(
                    e.TryGetProperty("Isuid", out var u) && u.ValueKind == JsonValueKind.True,
                    e.TryGetProperty("Isgid", out var g) && g.ValueKind == JsonValueKind.True,
                    e.GetProperty("Hostid").GetInt64(),
                    e.GetProperty("Nsid").GetInt64(),
                    e.GetProperty("Maprange").GetInt64()));
            }

            return new IdmapSet(entries);
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    /// <summary>The host id of container id <paramref name="id"/>, or null when it is not mapped.</summary>
    public long? ToHost(long id, bool uid)
    {
        foreach (var e in Entries.Where(e => uid ? e.Isuid : e.Isgid))
        {
            if (id >= e.Nsid && id < e.Nsid + e.Maprange)
            {
                return e.Hostid + (id - e.Nsid);
            }
        }

        return null;
    }

    /// <summary>The container id of host id <paramref name="hostId"/> (the overflow id when not mapped).</summary>
    public long ToContainer(long hostId, bool uid)
    {
        foreach (var e in Entries.Where(e => uid ? e.Isuid : e.Isgid))
        {
            if (hostId >= e.Hostid && hostId < e.Hostid + e.Maprange)
            {
                return e.Nsid + (hostId - e.Hostid);
            }
        }

        return OverflowId;
    }
}
