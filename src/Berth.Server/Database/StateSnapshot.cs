using System.Collections.Immutable;

namespace Berth.Server.Database;

/// <summary>An immutable copy of every key at one revision; the server's state is small, so reads never touch disk.</summary>
internal sealed class StateSnapshot : IStateReader
{
    public static readonly StateSnapshot Empty = new(ImmutableSortedDictionary.Create<string, KeyValue>(StringComparer.Ordinal), 0);

    // Built on first list; racing builders make equal arrays, and a reference write is atomic.
    private KeyValue[]? _sorted;

    public StateSnapshot(ImmutableSortedDictionary<string, KeyValue> items, long revision)
    {
        Items = items;
        Revision = revision;
    }

    public ImmutableSortedDictionary<string, KeyValue> Items { get; }

    public long Revision { get; }

    public KeyValue? Get(string key) => Items.TryGetValue(key, out var kv) ? kv : null;

    /// <summary>
    /// The keys under <paramref name="prefix"/>, found by binary search in a sorted array made once per snapshot:
    /// walking the sorted dictionary from its first key made each list cost the whole store, and a recursion=2
    /// instance list asks one list per instance.
    /// </summary>
    public IReadOnlyList<KeyValue> List(string prefix)
    {
        var sorted = _sorted ??= [.. Items.Values];
        var start = FirstAtOrAfter(sorted, prefix);
        var end = start;
        while (end < sorted.Length && sorted[end].Key.StartsWith(prefix, StringComparison.Ordinal))
        {
            end++;
        }

        return new ArraySegment<KeyValue>(sorted, start, end - start);
    }

    private static int FirstAtOrAfter(KeyValue[] sorted, string key)
    {
        int low = 0, high = sorted.Length;
        while (low < high)
        {
            var mid = (low + high) >>> 1;
            if (string.CompareOrdinal(sorted[mid].Key, key) < 0)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }

        return low;
    }
}
