using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Persistence;

/// <summary>Which database the store uses.</summary>
public sealed record StoreOptions
{
    /// <summary>The default database file, relative to the working directory.</summary>
    public const string DefaultSqlitePath = ".flowengine/flowengine.db";

    /// <summary><c>sqlite</c> (default) or <c>postgresql</c>.</summary>
    public string Provider { get; init; } = "sqlite";

    /// <summary>The connection string; for SQLite a <c>Data Source=</c> string.</summary>
    public string ConnectionString { get; init; } = $"Data Source={DefaultSqlitePath}";

    /// <summary>Options for a SQLite file.</summary>
    public static StoreOptions Sqlite(string path) => new() { Provider = "sqlite", ConnectionString = $"Data Source={path}" };

    /// <summary>
    /// Reads the provider and connection string from <c>FLOWENGINE_STORE_PROVIDER</c> and
    /// <c>FLOWENGINE_STORE</c>; an explicit database path (the CLI's <c>--db</c>) wins over both.
    /// </summary>
    public static StoreOptions FromEnvironment(string? databasePath)
    {
        if (databasePath is not null)
        {
            return Sqlite(databasePath);
        }

        var provider = Environment.GetEnvironmentVariable("FLOWENGINE_STORE_PROVIDER") ?? "sqlite";
        var connection = Environment.GetEnvironmentVariable("FLOWENGINE_STORE");
        return connection is null ? new StoreOptions { Provider = provider } : new StoreOptions { Provider = provider, ConnectionString = connection };
    }

    internal DbContextOptions<FlowEngineDbContext> Build()
    {
        var builder = new DbContextOptionsBuilder<FlowEngineDbContext>();
        switch (Provider.ToLowerInvariant())
        {
            case "sqlite":
                builder.UseSqlite(ConnectionString);
                break;
            default:
                throw new ArgumentException(
                    $"store provider '{Provider}' is not available in this build; use 'sqlite' (PostgreSQL support is planned as its own provider project)");
        }

        return builder.Options;
    }
}
