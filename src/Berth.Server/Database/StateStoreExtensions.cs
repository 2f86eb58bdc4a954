using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Berth.Server.Database;

/// <summary>Typed JSON values over the byte store, so callers never see the storage format.</summary>
public static class StateStoreExtensions
{
    public static T? GetJson<T>(this IStateReader reader, string key, JsonTypeInfo<T> type)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var kv = reader.Get(key);
        return kv is null ? default : JsonSerializer.Deserialize(kv.Value, type);
    }

    public static IEnumerable<(string Key, T Value)> ListJson<T>(this IStateReader reader, string prefix, JsonTypeInfo<T> type)
    {
        ArgumentNullException.ThrowIfNull(reader);
        foreach (var kv in reader.List(prefix))
        {
            yield return (kv.Key, JsonSerializer.Deserialize(kv.Value, type)!);
        }
    }

    public static void PutJson<T>(this IStateTransaction tx, string key, T value, JsonTypeInfo<T> type)
    {
        ArgumentNullException.ThrowIfNull(tx);
        tx.Put(key, JsonSerializer.SerializeToUtf8Bytes(value, type));
    }

    /// <summary>A transaction whose work is synchronous.</summary>
    public static Task<T> TransactionAsync<T>(this IStateStore store, Func<IStateTransaction, T> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.TransactionAsync((tx, _) => Task.FromResult(work(tx)), cancellationToken);
    }
}
