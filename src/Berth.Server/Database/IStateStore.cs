namespace Berth.Server.Database;

/// <summary>One stored key with the revisions that created and last modified it (etcd's model).</summary>
public sealed record KeyValue(string Key, byte[] Value, long CreateRevision, long ModRevision);

/// <summary>A change seen by a watcher: <see cref="Value"/> is null for a delete.</summary>
public sealed record StateChange(string Key, byte[]? Value, long Revision);

/// <summary>A consistent read-only view of the store at one revision.</summary>
public interface IStateReader
{
    long Revision { get; }

    KeyValue? Get(string key);

    /// <summary>Every key that starts with <paramref name="prefix"/>, in key order.</summary>
    IReadOnlyList<KeyValue> List(string prefix);
}

/// <summary>
/// A read-write transaction. Reads see the state at its start plus its own writes. Work functions may be
/// run more than once (an optimistic backend retries on conflict), so they must act only through the transaction.
/// </summary>
public interface IStateTransaction : IStateReader
{
    void Put(string key, byte[] value);

    /// <summary>Deletes <paramref name="key"/>; returns false when it did not exist.</summary>
    bool Delete(string key);
}

/// <summary>
/// The only way the server touches persistent state: a revisioned key-value store with transactions and watches,
/// implemented on embedded SQLite (<see cref="SqliteStateStore"/>) and shaped to fit etcd for clusters.
/// A committed transaction is durable: a crash right after commit loses nothing.
/// </summary>
public interface IStateStore : IAsyncDisposable
{
    long Revision { get; }

    /// <summary>A lock-free snapshot for reads; never blocks and is never blocked by writers.</summary>
    IStateReader Snapshot();

    Task<T> TransactionAsync<T>(Func<IStateTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default);

    /// <summary>Changes under <paramref name="prefix"/> committed after the call, until cancelled.</summary>
    IAsyncEnumerable<StateChange> WatchAsync(string prefix, CancellationToken cancellationToken);
}
