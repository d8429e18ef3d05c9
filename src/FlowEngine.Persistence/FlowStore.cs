using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace FlowEngine.Persistence;

/// <summary>
/// Opens the database (creating the SQLite file and its folder on first use) and upgrades it with the shipped
/// migrations, so an older file keeps its data.
/// </summary>
public sealed class FlowStore
{
    // Contexts are pooled: a run opens one for every batch of records and every lookup, and a context's services
    // (resolved from EF's service provider) cost more to set up than most of those statements take. A disposed
    // context is reset (tracked entities, transaction, settings) and reused.
    private readonly PooledDbContextFactory<FlowEngineDbContext> _contexts;

    private FlowStore(DbContextOptions<FlowEngineDbContext> options) => _contexts = new(options);

    /// <summary>Opens and migrates the store.</summary>
    /// <remarks>
    /// On PostgreSQL the database is created when it is missing (the role needs CREATEDB for that) and the
    /// PostgreSQL migrations are applied; several nodes starting at once take turns (an advisory lock).
    /// </remarks>
    /// <exception cref="ArgumentException">The provider is unknown.</exception>
    /// <exception cref="StoreUnavailableException">The database cannot be reached or logged into; the message says what to check.</exception>
    public static async Task<FlowStore> OpenAsync(StoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.IsSqlite)
        {
            var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
            var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
        }
        else if (options.IsPostgreSql)
        {
            EnsureMigrationsAssembly();
        }

        var store = new FlowStore(options.Build());
        await using var db = store.CreateContext();
        try
        {
            if (options.IsPostgreSql)
            {
                await MigrateAloneAsync(db, options, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (options.IsPostgreSql && ex is Npgsql.NpgsqlException or TimeoutException or System.Net.Sockets.SocketException)
        {
            throw new StoreUnavailableException(PostgreSqlProblem(options, ex), ex);
        }

        if (db.Database.IsSqlite())
        {
            // WAL lets readers (the CLI, the server) look at executions while a run writes them.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        }

        return store;
    }

    // Nodes starting at once apply the migrations one at a time: EF's own migration lock on PostgreSQL lasts one
    // migration's transaction, so with several pending migrations a second node could apply one the first had applied
    // meanwhile. A session-level advisory lock around the whole MigrateAsync closes that gap (released with the session).
    private const long MigrationLockKey = 0x466c6f77456e67; // "FlowEng"

    private static async Task MigrateAloneAsync(FlowEngineDbContext db, StoreOptions options, CancellationToken cancellationToken)
    {
        await using var session = new Npgsql.NpgsqlConnection(options.ConnectionString);
        await session.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using (var take = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_lock({MigrationLockKey})", session))
        {
            await take.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        await using var release = new Npgsql.NpgsqlCommand($"SELECT pg_advisory_unlock({MigrationLockKey})", session);
        await release.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A message that says where PostgreSQL was looked for (password masked), what went wrong and what to do.</summary>
    internal static string PostgreSqlProblem(StoreOptions options, Exception ex)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder();
        try
        {
            builder.ConnectionString = options.ConnectionString;
        }
        catch (ArgumentException)
        {
            return $"FLOWENGINE_STORE is not a valid Npgsql connection string ({ex.GetType().Name}); expected e.g. 'Host=127.0.0.1;Port=5432;Database=flowengine;Username=flowengine;Password=…'";
        }

        var what = ex is Npgsql.PostgresException pg ? $"{pg.SqlState}: {pg.MessageText}" : ex.Message;
        if (!string.IsNullOrEmpty(builder.Password))
        {
            what = what.Replace(builder.Password, "********", StringComparison.Ordinal);
        }

        return ex is Npgsql.PostgresException { SqlState: "28P01" or "28000" }
            ? $"PostgreSQL at {builder.Host}:{builder.Port} refused user '{builder.Username}' for database '{builder.Database}': {what}; check the user and password in FLOWENGINE_STORE (see README, \"PostgreSQL (several nodes)\")"
            : $"cannot reach PostgreSQL at {builder.Host}:{builder.Port} (database '{builder.Database}', user '{builder.Username}'): {what}; is it running, and does FLOWENGINE_STORE name it? see README, \"PostgreSQL (several nodes)\"";
    }

    private static void EnsureMigrationsAssembly()
    {
        try
        {
            _ = System.Reflection.Assembly.Load(StoreOptions.PostgreSqlMigrationsAssembly);
        }
        catch (IOException ex)
        {
            throw new InvalidOperationException(
                $"the PostgreSQL store needs {StoreOptions.PostgreSqlMigrationsAssembly}.dll beside the application (it holds the PostgreSQL migrations); reference the FlowEngine.Persistence.PostgreSql project from the host",
                ex);
        }
    }

    /// <summary>A context from the pool; callers dispose it (which returns it).</summary>
    public FlowEngineDbContext CreateContext() => _contexts.CreateDbContext();

    /// <summary>The migrations applied to the database, oldest first.</summary>
    public async Task<IReadOnlyList<string>> AppliedMigrationsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = CreateContext();
        return (await db.Database.GetAppliedMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
    }

    /// <summary>The store's connection, for diagnostics: the SQLite file, or the PostgreSQL connection string with its password masked.</summary>
    public static string Describe(StoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.IsSqlite
            ? Path.GetFullPath(new SqliteConnectionStringBuilder(options.ConnectionString).DataSource)
            : $"{options.NormalizedProvider}: {options.MaskedConnectionString}";
    }
}
