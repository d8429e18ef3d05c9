using Microsoft.Data.Sqlite;

namespace FlowEngine.Scheduling.Schema;

/// <summary>
/// Creates Quartz's tables in the SQLite file when they are missing, with Quartz's own script
/// (<c>quartz_tables_sqlite.sql</c>, embedded; the project README says where it comes from).
/// </summary>
/// <remarks>
/// Every statement in the script is <c>CREATE … IF NOT EXISTS</c> and none drops anything, so running it on
/// each start is safe: a file that already has the tables (and jobs in them) is left as it is, and so are the
/// tables FlowEngine's EF Core store keeps in the same file. The script runs in one transaction, so a start
/// that fails half way leaves no half-made schema behind.
/// </remarks>
internal static class SqliteSchema
{
    /// <summary>Quartz's default table prefix, which the store is configured with too.</summary>
    public const string TablePrefix = "QRTZ_";

    internal const string ResourceName = "FlowEngine.Scheduling.Schema.quartz_tables_sqlite.sql";

    /// <summary>Opens (creating if needed) the file and creates whatever Quartz table is missing.</summary>
    /// <returns>The full path of the database file.</returns>
    public static async Task<string> EnsureCreatedAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        var path = Path.GetFullPath(builder.DataSource);
        var folder = Path.GetDirectoryName(path);
        if (!string.IsNullOrEmpty(folder))
        {
            Directory.CreateDirectory(folder);
        }

        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);

        // As FlowEngine's store does: WAL lets the EF store read while the scheduler writes, and back.
        await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);

        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var statement in Statements())
        {
            await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return path;
    }

    /// <summary>The script's statements, with the table prefix filled in.</summary>
    internal static IReadOnlyList<string> Statements() => QuartzScript.Statements(ReadScript(), TablePrefix);

    internal static string ReadScript() => QuartzScript.Read(ResourceName);

    private static async Task ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
