namespace Berth.Server.Database;

/// <summary>Collects a transaction's writes over a snapshot so the backend can commit them in one go.</summary>
internal sealed class BufferedTransaction : IStateTransaction
{
    private readonly StateSnapshot _base;
    private readonly SortedDictionary<string, byte[]?> _writes = new(StringComparer.Ordinal);

    public BufferedTransaction(StateSnapshot snapshot) => _base = snapshot;

    public long Revision => _base.Revision;

    /// <summary>Writes in key order; a null value is a delete.</summary>
    public IReadOnlyDictionary<string, byte[]?> Writes => _writes;

    public KeyValue? Get(string key)
    {
        if (_writes.TryGetValue(key, out var value))
        {
            return value is null ? null : new KeyValue(key, value, _base.Get(key)?.CreateRevision ?? 0, 0);
        }

        return _base.Get(key);
    }

    public IReadOnlyList<KeyValue> List(string prefix)
    {
        var merged = new SortedDictionary<string, KeyValue>(StringComparer.Ordinal);
        foreach (var kv in _base.List(prefix))
        {
            merged[kv.Key] = kv;
        }

        foreach (var (key, value) in _writes)
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (value is null)
            {
                merged.Remove(key);
            }
            else
            {
                merged[key] = new KeyValue(key, value, _base.Get(key)?.CreateRevision ?? 0, 0);
            }
        }

        return [.. merged.Values];
    }

    public void Put(string key, byte[] value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        _writes[key] = value;
    }

    public bool Delete(string key)
    {
        var existed = Get(key) is not null;
        _writes[key] = null;
        return existed;
    }
}
