using Berth.Server.Database;
using Microsoft.Data.Sqlite;

namespace Berth.Server.Tests.Database;

public sealed class SqliteMigrationsTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void UpdateFromV0_CreatesKvAndRevisionZero()
    {
        using var connection = new SqliteConnection($"Data Source={_dir.File("m.db")};Pooling=False");
        connection.Open();

        SqliteMigrations.Apply(connection);

        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT value FROM meta WHERE name = 'revision'";
        Assert.Equal(0L, cmd.ExecuteScalar());
        cmd.CommandText = "SELECT count(*) FROM kv";
        Assert.Equal(0L, cmd.ExecuteScalar());
    }

    [Fact]
    public void Apply_Twice_IsANoOp()
    {
        using var connection = new SqliteConnection($"Data Source={_dir.File("m.db")};Pooling=False");
        connection.Open();
        SqliteMigrations.Apply(connection);
        SqliteMigrations.Execute(connection, null, "INSERT INTO kv VALUES ('k', x'00', 1, 1)");

        SqliteMigrations.Apply(connection);

        using var cmd = connection.CreateCommand();
        cmd.CommandText = "SELECT count(*) FROM kv";
        Assert.Equal(1L, cmd.ExecuteScalar());
        Assert.Equal(SqliteMigrations.LatestVersion, SqliteMigrations.CurrentVersion(connection));
    }
}
