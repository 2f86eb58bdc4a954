using System.Collections.Immutable;

namespace Berth.Server.Database;

/// <summary>An immutable copy of every key at one revision; the server's state is small, so reads never touch disk.</summary>
internal sealed class StateSnapshot : IStateReader
{
    public static readonly StateSnapshot Empty = new(ImmutableSortedDictionary.Create<string, KeyValue>(StringComparer.Ordinal), 0);

    public StateSnapshot(ImmutableSortedDictionary<string, KeyValue> items, long revision)
    {
        Items = items;
        Revision = revision;
    }

    public ImmutableSortedDictionary<string, KeyValue> Items { get; }

    public long Revision { get; }

    public KeyValue? Get(string key) => Items.TryGetValue(key, out var kv) ? kv : null;

    public IReadOnlyList<KeyValue> List(string prefix)
    {
        var result = new List<KeyValue>();
        foreach (var (key, kv) in Items)
        {
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                result.Add(kv);
            }
            else if (result.Count > 0)
            {
                break; // keys are sorted: the prefix range has ended
            }
        }

        return result;
    }
}
