using Microsoft.Data.Sqlite;

namespace Berth.Server.Database;

/// <summary>
/// Append-only schema migrations, tracked in PRAGMA user_version. Never edit a shipped step: add a new one.
/// </summary>
internal static class SqliteMigrations
{
    /// <summary>Step i takes the schema from version i to version i + 1.</summary>
    public static IReadOnlyList<Action<SqliteConnection, SqliteTransaction>> Steps { get; } =
    [
        UpdateFromV0,
    ];

    public static int LatestVersion => Steps.Count;

    /// <summary>Brings the database up to <see cref="LatestVersion"/>; each step commits with its version.</summary>
    public static void Apply(SqliteConnection connection)
    {
        var version = CurrentVersion(connection);
        if (version > LatestVersion)
        {
            throw new InvalidOperationException($"Database schema version {version} is newer than this berthd ({LatestVersion})");
        }

        for (var step = version; step < LatestVersion; step++)
        {
            using var tx = connection.BeginTransaction();
            Steps[step](connection, tx);
            Execute(connection, tx, $"PRAGMA user_version = {step + 1}");
            tx.Commit();
        }
    }

    public static int CurrentVersion(SqliteConnection connection)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA user_version";
        return Convert.ToInt32(cmd.ExecuteScalar());
    }

    private static void UpdateFromV0(SqliteConnection connection, SqliteTransaction tx)
    {
        Execute(connection, tx, """
            CREATE TABLE kv (
                key TEXT PRIMARY KEY,
                value BLOB NOT NULL,
                create_revision INTEGER NOT NULL,
                mod_revision INTEGER NOT NULL
            ) WITHOUT ROWID;
            CREATE TABLE meta (
                name TEXT PRIMARY KEY,
                value INTEGER NOT NULL
            ) WITHOUT ROWID;
            INSERT INTO meta (name, value) VALUES ('revision', 0);
            """);
    }

    internal static void Execute(SqliteConnection connection, SqliteTransaction? tx, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
