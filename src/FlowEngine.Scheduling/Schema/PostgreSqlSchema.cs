using Npgsql;

namespace FlowEngine.Scheduling.Schema;

/// <summary>
/// Creates Quartz's tables in the PostgreSQL database when they are missing, with Quartz's own script
/// (<c>quartz_tables_postgres.sql</c>, embedded; the project README says where it comes from).
/// </summary>
/// <remarks>
/// Every statement is <c>CREATE … IF NOT EXISTS</c> and none drops anything, so it runs on each start. It runs in one
/// transaction (PostgreSQL's DDL is transactional) under an advisory lock, so several nodes starting at once take
/// turns instead of racing on the same <c>CREATE</c>, and a start that fails half way leaves nothing half made.
/// </remarks>
internal static class PostgreSqlSchema
{
    /// <summary>
    /// The table prefix on PostgreSQL: lower case, as PostgreSQL folds the script's unquoted names, so that Quartz's
    /// catalog look-ups find the tables.
    /// </summary>
    public const string TablePrefix = "qrtz_";

    internal const string ResourceName = "FlowEngine.Scheduling.Schema.quartz_tables_postgres.sql";

    // An arbitrary key that only this creation uses ("FEQRTZ" in ASCII).
    private const long AdvisoryLockKey = 0x46_45_51_52_54_5A;

    /// <summary>Creates whatever Quartz table is missing.</summary>
    /// <returns>Where the database is, password masked, for the log.</returns>
    public static async Task<string> EnsureCreatedAsync(string connectionString, CancellationToken cancellationToken)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var where = $"postgresql://{builder.Host}:{builder.Port}/{builder.Database}";
        await using var connection = new NpgsqlConnection(connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            var message = ex is PostgresException pg ? $"{pg.SqlState}: {pg.MessageText}" : ex.Message;
            if (!string.IsNullOrEmpty(builder.Password))
            {
                message = message.Replace(builder.Password, "********", StringComparison.Ordinal);
            }

            throw new InvalidOperationException(
                $"the scheduler cannot reach PostgreSQL at {builder.Host}:{builder.Port} (database '{builder.Database}', user '{builder.Username}'): {message}; is it running, and does FLOWENGINE_STORE name it? see README, \"PostgreSQL (several nodes)\"",
                ex);
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var command = new NpgsqlCommand($"SELECT pg_advisory_xact_lock({AdvisoryLockKey})", connection, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        foreach (var statement in Statements())
        {
            await using var command = new NpgsqlCommand(statement, connection, transaction);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return where;
    }

    /// <summary>The script's statements, with the table prefix filled in.</summary>
    internal static IReadOnlyList<string> Statements() => QuartzScript.Statements(ReadScript(), TablePrefix);

    internal static string ReadScript() => QuartzScript.Read(ResourceName);
}
