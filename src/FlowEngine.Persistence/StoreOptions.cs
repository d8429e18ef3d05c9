using System.Data.Common;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Persistence;

/// <summary>Which database the store uses.</summary>
/// <remarks>
/// SQLite (one file, one node) is the default. PostgreSQL is for several server nodes sharing one database: the
/// store, and Quartz's clustered job store, live in it. EF Core migrations are provider-specific: the SQLite ones are
/// in this assembly, the PostgreSQL ones in <c>FlowEngine.Persistence.PostgreSql</c>.
/// </remarks>
public sealed record StoreOptions
{
    /// <summary>The default database file, relative to the working directory.</summary>
    public const string DefaultSqlitePath = ".flowengine/flowengine.db";

    /// <summary>The SQLite provider's name.</summary>
    public const string SqliteProvider = "sqlite";

    /// <summary>The PostgreSQL provider's name (<c>postgres</c> is accepted too).</summary>
    public const string PostgreSqlProvider = "postgresql";

    /// <summary>The assembly that holds the PostgreSQL migrations; hosts reference it so that it is deployed.</summary>
    public const string PostgreSqlMigrationsAssembly = "FlowEngine.Persistence.PostgreSql";

    /// <summary><c>sqlite</c> (default) or <c>postgresql</c> (alias <c>postgres</c>), in any case.</summary>
    public string Provider { get; init; } = SqliteProvider;

    /// <summary>
    /// The connection string: for SQLite a <c>Data Source=</c> string; for PostgreSQL an Npgsql one such as
    /// <c>Host=db.internal;Port=5432;Database=flowengine;Username=flowengine;Password=…</c>.
    /// </summary>
    public string ConnectionString { get; init; } = $"Data Source={DefaultSqlitePath}";

    /// <summary>Whether the provider is SQLite.</summary>
    public bool IsSqlite => NormalizedProvider == SqliteProvider;

    /// <summary>Whether the provider is PostgreSQL.</summary>
    public bool IsPostgreSql => NormalizedProvider == PostgreSqlProvider;

    /// <summary>
    /// The provider's canonical name (<c>sqlite</c> or <c>postgresql</c>), or the given name in lower case when it
    /// is not one FlowEngine knows.
    /// </summary>
    public string NormalizedProvider => NormalizeProvider(Provider);

    /// <summary>Options for a SQLite file.</summary>
    public static StoreOptions Sqlite(string path) => new() { Provider = SqliteProvider, ConnectionString = $"Data Source={path}" };

    /// <summary>Options for a PostgreSQL database (an Npgsql connection string).</summary>
    public static StoreOptions PostgreSql(string connectionString) => new() { Provider = PostgreSqlProvider, ConnectionString = connectionString };

    /// <summary>
    /// Reads the provider and connection string from <c>FLOWENGINE_STORE_PROVIDER</c> and
    /// <c>FLOWENGINE_STORE</c>; an explicit database path (the CLI's <c>--db</c>) wins over both and is always SQLite.
    /// </summary>
    /// <exception cref="StoreUnavailableException">PostgreSQL is chosen but <c>FLOWENGINE_STORE</c> is not set.</exception>
    public static StoreOptions FromEnvironment(string? databasePath)
    {
        if (databasePath is not null)
        {
            return Sqlite(databasePath);
        }

        var provider = Environment.GetEnvironmentVariable("FLOWENGINE_STORE_PROVIDER");
        provider = string.IsNullOrWhiteSpace(provider) ? SqliteProvider : provider.Trim();
        var connection = Environment.GetEnvironmentVariable("FLOWENGINE_STORE");
        if (string.IsNullOrWhiteSpace(connection))
        {
            if (NormalizeProvider(provider) == PostgreSqlProvider)
            {
                throw new StoreUnavailableException(
                    "FLOWENGINE_STORE_PROVIDER is 'postgresql' but FLOWENGINE_STORE is not set; set it to an Npgsql connection string such as 'Host=127.0.0.1;Port=5432;Database=flowengine;Username=flowengine;Password=…' (see README, \"PostgreSQL (several nodes)\")");
            }

            return new StoreOptions { Provider = provider };
        }

        return new StoreOptions { Provider = provider, ConnectionString = connection };
    }

    /// <summary>The connection string with any password replaced by <c>********</c>, for messages and logs.</summary>
    public string MaskedConnectionString => Mask(ConnectionString);

    /// <summary>Replaces the password (and any other secret key) of a connection string with <c>********</c>.</summary>
    public static string Mask(string connectionString)
    {
        try
        {
            var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
            foreach (var key in builder.Keys.Cast<string>().ToList())
            {
                if (key.Contains("password", StringComparison.OrdinalIgnoreCase) || key.Equals("pwd", StringComparison.OrdinalIgnoreCase)
                    || key.Contains("passfile", StringComparison.OrdinalIgnoreCase))
                {
                    builder[key] = "********";
                }
            }

            return builder.ConnectionString;
        }
        catch (ArgumentException)
        {
            // Not parseable: show nothing of it rather than risk a password.
            return "(connection string not shown: it could not be parsed)";
        }
    }

    /// <summary>The provider and the connection string with its password masked: safe to log.</summary>
    public override string ToString() => $"{NormalizedProvider}: {MaskedConnectionString}";

    internal static string NormalizeProvider(string provider) => provider.Trim().ToLowerInvariant() switch
    {
        "sqlite" => SqliteProvider,
        "postgresql" or "postgres" or "npgsql" => PostgreSqlProvider,
        var other => other,
    };

    internal DbContextOptions<FlowEngineDbContext> Build()
    {
        var builder = new DbContextOptionsBuilder<FlowEngineDbContext>();
        switch (NormalizedProvider)
        {
            case SqliteProvider:
                builder.UseSqlite(ConnectionString).AddInterceptors(SqliteConnectionSettings.Instance);
                break;
            case PostgreSqlProvider:
                ConfigurePostgreSql(builder, ConnectionString);
                break;
            default:
                throw new ArgumentException(
                    $"unknown store provider '{Provider}'; use 'sqlite' (the default) or 'postgresql' (FLOWENGINE_STORE_PROVIDER)");
        }

        return builder.Options;
    }

    /// <summary>The PostgreSQL set-up shared by the store and the design-time factory.</summary>
    internal static void ConfigurePostgreSql(DbContextOptionsBuilder builder, string connectionString) =>
        builder.UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(PostgreSqlMigrationsAssembly));
}
