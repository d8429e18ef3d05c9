using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Persistence;

/// <summary>
/// Opens the database (creating the SQLite file and its folder on first use) and upgrades it with the shipped
/// migrations, so an older file keeps its data.
/// </summary>
public sealed class FlowStore
{
    private readonly DbContextOptions<FlowEngineDbContext> _options;

    private FlowStore(DbContextOptions<FlowEngineDbContext> options) => _options = options;

    /// <summary>Opens and migrates the store.</summary>
    public static async Task<FlowStore> OpenAsync(StoreOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase))
        {
            var builder = new SqliteConnectionStringBuilder(options.ConnectionString);
            var folder = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
        }

        var store = new FlowStore(options.Build());
        await using var db = store.CreateContext();
        await db.Database.MigrateAsync(cancellationToken).ConfigureAwait(false);
        if (db.Database.IsSqlite())
        {
            // WAL lets readers (the CLI, the server) look at executions while a run writes them.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken).ConfigureAwait(false);
        }

        return store;
    }

    /// <summary>A new context; callers dispose it.</summary>
    public FlowEngineDbContext CreateContext() => new(_options);

    /// <summary>The migrations applied to the database, oldest first.</summary>
    public async Task<IReadOnlyList<string>> AppliedMigrationsAsync(CancellationToken cancellationToken = default)
    {
        await using var db = CreateContext();
        return (await db.Database.GetAppliedMigrationsAsync(cancellationToken).ConfigureAwait(false)).ToList();
    }

    /// <summary>The store's connection, for diagnostics.</summary>
    public static string Describe(StoreOptions options) => options.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase)
        ? Path.GetFullPath(new SqliteConnectionStringBuilder(options.ConnectionString).DataSource)
        : new DbConnectionStringBuilder { ConnectionString = options.ConnectionString } is var b && b.ContainsKey("Password")
            ? $"{options.Provider} (password hidden)"
            : $"{options.Provider}: {options.ConnectionString}";
}
