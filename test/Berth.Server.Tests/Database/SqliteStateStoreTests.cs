using System.Text;
using Berth.Server.Database;
using Microsoft.Data.Sqlite;

namespace Berth.Server.Tests.Database;

public sealed class SqliteStateStoreTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Transaction_PutThenReopen_ValueAndRevisionsPersist()
    {
        var path = _dir.File("db/state.db");
        await using (var store = SqliteStateStore.Open(path))
        {
            await store.TransactionAsync(tx =>
            {
                tx.Put("a/1", Bytes("one"));
                tx.Put("a/2", Bytes("two"));
                return true;
            });
            await store.TransactionAsync(tx =>
            {
                tx.Put("a/1", Bytes("uno"));
                return true;
            });
            Assert.Equal(2, store.Revision);
        }

        await using var reopened = SqliteStateStore.Open(path);
        var one = reopened.Snapshot().Get("a/1")!;
        Assert.Equal("uno", Text(one.Value));
        Assert.Equal(1, one.CreateRevision);
        Assert.Equal(2, one.ModRevision);
        Assert.Equal(2, reopened.Revision);
        Assert.Equal(["a/1", "a/2"], reopened.Snapshot().List("a/").Select(kv => kv.Key));
    }

    [Fact]
    public async Task Transaction_WorkThrows_NothingIsWritten()
    {
        await using var store = SqliteStateStore.Open(_dir.File("state.db"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => store.TransactionAsync<bool>(tx =>
        {
            tx.Put("k", Bytes("v"));
            throw new InvalidOperationException("boom");
        }));

        Assert.Null(store.Snapshot().Get("k"));
        Assert.Equal(0, store.Revision);
    }

    [Fact]
    public async Task Transaction_ReadsItsOwnWritesAndDeletes()
    {
        await using var store = SqliteStateStore.Open(_dir.File("state.db"));
        await store.TransactionAsync(tx =>
        {
            tx.Put("p/a", Bytes("1"));
            return true;
        });

        var seen = await store.TransactionAsync(tx =>
        {
            tx.Put("p/b", Bytes("2"));
            Assert.True(tx.Delete("p/a"));
            Assert.False(tx.Delete("p/missing"));
            return tx.List("p/").Select(kv => kv.Key).ToArray();
        });

        Assert.Equal(["p/b"], seen);
        Assert.Null(store.Snapshot().Get("p/a"));
    }

    [Fact]
    public async Task Snapshot_TakenBeforeCommit_DoesNotChange()
    {
        await using var store = SqliteStateStore.Open(_dir.File("state.db"));
        var before = store.Snapshot();
        await store.TransactionAsync(tx =>
        {
            tx.Put("k", Bytes("v"));
            return true;
        });

        Assert.Null(before.Get("k"));
        Assert.NotNull(store.Snapshot().Get("k"));
    }

    [Fact]
    public async Task Watch_PrefixReceivesOnlyItsChanges()
    {
        await using var store = SqliteStateStore.Open(_dir.File("state.db"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var changes = new List<StateChange>();
        var watching = Task.Run(async () =>
        {
            await foreach (var change in store.WatchAsync("w/", cts.Token))
            {
                changes.Add(change);
                if (changes.Count == 2)
                {
                    break;
                }
            }
        });
        await Task.Delay(100);

        await store.TransactionAsync(tx =>
        {
            tx.Put("other/x", Bytes("x"));
            tx.Put("w/1", Bytes("1"));
            return true;
        });
        await store.TransactionAsync(tx => tx.Delete("w/1"));
        await watching;

        Assert.Equal(("w/1", "1"), (changes[0].Key, Text(changes[0].Value!)));
        Assert.Null(changes[1].Value);
        Assert.Equal(changes[0].Revision + 1, changes[1].Revision);
    }

    [Fact]
    public async Task ConcurrentTransactions_AreSerialised()
    {
        await using var store = SqliteStateStore.Open(_dir.File("state.db"));
        await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => store.TransactionAsync(tx =>
        {
            var current = tx.Get("counter") is { } kv ? int.Parse(Text(kv.Value)) : 0;
            tx.Put("counter", Bytes((current + 1).ToString()));
            return true;
        })));

        Assert.Equal("50", Text(store.Snapshot().Get("counter")!.Value));
        Assert.Equal(50, store.Revision);
    }

    [Fact]
    public async Task Open_NewDatabase_IsAtLatestSchemaInWalMode()
    {
        var path = _dir.File("state.db");
        await (await Task.FromResult(SqliteStateStore.Open(path))).DisposeAsync();

        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        Assert.Equal(SqliteMigrations.LatestVersion, SqliteMigrations.CurrentVersion(connection));
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", cmd.ExecuteScalar());
    }

    [Fact]
    public void Open_SchemaNewerThanDaemon_Refuses()
    {
        var path = _dir.File("state.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            SqliteMigrations.Execute(connection, null, $"PRAGMA user_version = {SqliteMigrations.LatestVersion + 1}");
        }

        var e = Assert.Throws<InvalidOperationException>(() => SqliteStateStore.Open(path));
        Assert.Contains("newer", e.Message, StringComparison.Ordinal);
    }

    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    private static string Text(byte[] b) => Encoding.UTF8.GetString(b);
}
