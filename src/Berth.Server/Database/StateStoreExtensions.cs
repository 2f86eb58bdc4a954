using System.Runtime.CompilerServices;
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

    /// <summary>
    /// The value at <paramref name="key"/>, deserialised once per stored version and shared by every reader of that
    /// version: never modify it. For hot read-only paths (a recursion=2 list reads every instance, its profiles and
    /// its pool each time).
    /// </summary>
    public static T? GetSharedJson<T>(this IStateReader reader, string key, JsonTypeInfo<T> type)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(reader);
        return reader.Get(key) is { } kv ? SharedJson<T>.Of(kv, type) : null;
    }

    /// <summary><see cref="ListJson"/> with shared values, as <see cref="GetSharedJson"/>: never modify them.</summary>
    public static IEnumerable<(string Key, T Value)> ListSharedJson<T>(this IStateReader reader, string prefix, JsonTypeInfo<T> type)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(reader);
        return reader.List(prefix).Select(kv => (kv.Key, SharedJson<T>.Of(kv, type)));
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

    /// <summary>
    /// Values by the stored record they came from: a record is immutable and replaced on every write, so an entry
    /// lives as long as some snapshot holds its record, and a new version is a new key.
    /// </summary>
    private static class SharedJson<T>
        where T : class
    {
        // object, not T: the table's TValue asks trimming to keep a parameterless constructor, which T need not have.
        private static readonly ConditionalWeakTable<KeyValue, object> Values = new();

        public static T Of(KeyValue kv, JsonTypeInfo<T> type) =>
            (T)Values.GetValue(kv, k => JsonSerializer.Deserialize(k.Value, type) ?? throw new InvalidDataException($"null value at {k.Key}"));
    }
}
