using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;

namespace Berth.Server.Database;

/// <summary>
/// The embedded backend: one SQLite file in WAL mode with synchronous=FULL, so a commit is on disk before
/// <see cref="TransactionAsync{T}"/> returns. Writers are serialised; readers use an in-memory snapshot.
/// </summary>
internal sealed class SqliteStateStore : IStateStore
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly Lock _watchersLock = new();
    private readonly List<Watcher> _watchers = [];
    private volatile StateSnapshot _snapshot;
    private bool _disposed;

    private SqliteStateStore(SqliteConnection connection, StateSnapshot snapshot)
    {
        _connection = connection;
        _snapshot = snapshot;
    }

    public long Revision => _snapshot.Revision;

    /// <summary>Opens (creating if needed) the database at <paramref name="path"/> and applies migrations.</summary>
    public static SqliteStateStore Open(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
        }.ToString());
        connection.Open();
        try
        {
            SqliteMigrations.Execute(connection, null, "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;");
            SqliteMigrations.Apply(connection);
            return new SqliteStateStore(connection, Load(connection));
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public IStateReader Snapshot() => _snapshot;

    public async Task<T> TransactionAsync<T>(Func<IStateTransaction, CancellationToken, Task<T>> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var current = _snapshot;
            var tx = new BufferedTransaction(current);
            var result = await work(tx, cancellationToken).ConfigureAwait(false);
            if (tx.Writes.Count > 0)
            {
                Commit(current, tx);
            }

            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async IAsyncEnumerable<StateChange> WatchAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var watcher = new Watcher(prefix);
        lock (_watchersLock)
        {
            _watchers.Add(watcher);
        }

        try
        {
            await foreach (var change in watcher.Channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return change;
            }
        }
        finally
        {
            lock (_watchersLock)
            {
                _watchers.Remove(watcher);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _writeLock.WaitAsync().ConfigureAwait(false);
        try
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            lock (_watchersLock)
            {
                foreach (var watcher in _watchers)
                {
                    watcher.Channel.Writer.TryComplete();
                }
            }

            _connection.Dispose();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    private void Commit(StateSnapshot current, BufferedTransaction tx)
    {
        var revision = current.Revision + 1;
        var builder = current.Items.ToBuilder();
        var changes = new List<StateChange>(tx.Writes.Count);
        using (var sqlTx = _connection.BeginTransaction())
        {
            using var put = _connection.CreateCommand();
            put.Transaction = sqlTx;
            put.CommandText = "INSERT INTO kv (key, value, create_revision, mod_revision) VALUES ($k, $v, $c, $m) " +
                              "ON CONFLICT(key) DO UPDATE SET value = excluded.value, mod_revision = excluded.mod_revision";
            var pk = put.Parameters.Add("$k", SqliteType.Text);
            var pv = put.Parameters.Add("$v", SqliteType.Blob);
            var pc = put.Parameters.Add("$c", SqliteType.Integer);
            var pm = put.Parameters.Add("$m", SqliteType.Integer);

            using var del = _connection.CreateCommand();
            del.Transaction = sqlTx;
            del.CommandText = "DELETE FROM kv WHERE key = $k";
            var dk = del.Parameters.Add("$k", SqliteType.Text);

            foreach (var (key, value) in tx.Writes)
            {
                if (value is null)
                {
                    if (!builder.Remove(key))
                    {
                        continue;
                    }

                    dk.Value = key;
                    del.ExecuteNonQuery();
                }
                else
                {
                    var created = builder.TryGetValue(key, out var old) ? old.CreateRevision : revision;
                    pk.Value = key;
                    pv.Value = value;
                    pc.Value = created;
                    pm.Value = revision;
                    put.ExecuteNonQuery();
                    builder[key] = new KeyValue(key, value, created, revision);
                }

                changes.Add(new StateChange(key, value, revision));
            }

            using var meta = _connection.CreateCommand();
            meta.Transaction = sqlTx;
            meta.CommandText = "UPDATE meta SET value = $r WHERE name = 'revision'";
            meta.Parameters.AddWithValue("$r", revision);
            meta.ExecuteNonQuery();
            sqlTx.Commit();
        }

        _snapshot = new StateSnapshot(builder.ToImmutable(), revision);
        Notify(changes);
    }

    private void Notify(List<StateChange> changes)
    {
        lock (_watchersLock)
        {
            foreach (var watcher in _watchers)
            {
                foreach (var change in changes)
                {
                    if (change.Key.StartsWith(watcher.Prefix, StringComparison.Ordinal))
                    {
                        watcher.Channel.Writer.TryWrite(change);
                    }
                }
            }
        }
    }

    private static StateSnapshot Load(SqliteConnection connection)
    {
        var builder = ImmutableSortedDictionary.CreateBuilder<string, KeyValue>(StringComparer.Ordinal);
        using (var cmd = connection.CreateCommand())
        {
            cmd.CommandText = "SELECT key, value, create_revision, mod_revision FROM kv";
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
            {
                var key = reader.GetString(0);
                builder[key] = new KeyValue(key, (byte[])reader.GetValue(1), reader.GetInt64(2), reader.GetInt64(3));
            }
        }

        using var rev = connection.CreateCommand();
        rev.CommandText = "SELECT value FROM meta WHERE name = 'revision'";
        return new StateSnapshot(builder.ToImmutable(), Convert.ToInt64(rev.ExecuteScalar()));
    }

    private sealed class Watcher(string prefix)
    {
        public string Prefix { get; } = prefix;

        public Channel<StateChange> Channel { get; } = System.Threading.Channels.Channel.CreateUnbounded<StateChange>();
    }
}
