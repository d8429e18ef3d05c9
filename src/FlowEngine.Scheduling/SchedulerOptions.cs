using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace FlowEngine.Scheduling;

/// <summary>Where the scheduler keeps its jobs, and how it runs them.</summary>
public sealed record SchedulerOptions
{
    /// <summary>The SQLite provider: one node, in the same file as the rest of FlowEngine.</summary>
    public const string SqliteProvider = "sqlite";

    /// <summary>The PostgreSQL provider, for several server nodes sharing work; not available yet.</summary>
    public const string PostgreSqlProvider = "postgresql";

    /// <summary>
    /// The database's connection string. For SQLite a <c>Data Source=path</c> string naming the same file
    /// FlowEngine's store uses, so jobs live beside the definitions they start.
    /// </summary>
    public required string ConnectionString { get; init; }

    /// <summary><see cref="SqliteProvider"/> (default) or <see cref="PostgreSqlProvider"/>.</summary>
    public string Provider { get; init; } = SqliteProvider;

    /// <summary>
    /// The scheduler's name. Quartz keys every row by it, so a scheduler started under another name does not
    /// see these jobs.
    /// </summary>
    /// <value>Defaults to <c>FlowEngine</c>.</value>
    public string InstanceName { get; init; } = "FlowEngine";

    /// <summary>
    /// The clock the scheduler runs on; <see langword="null"/> for the system clock. Tests pass a
    /// <c>FakeTimeProvider</c> and advance it to make jobs fire.
    /// </summary>
    public TimeProvider? Time { get; init; }

    /// <summary>
    /// Whether several nodes share the job store, each scheduled fire running once across them. Needs
    /// PostgreSQL: SQLite is single-node (one writer, one process), and asking for a cluster on it is refused.
    /// </summary>
    public bool Clustered { get; init; }

    /// <summary>
    /// When false the scheduler only manages jobs (create, delete, list) and never fires them: for short-lived
    /// processes such as the CLI, so a fire that is due is left to the long-running scheduler. Default true.
    /// </summary>
    public bool RunJobs { get; init; } = true;

    /// <summary>How many jobs may run at once (different jobs; one job never overlaps itself).</summary>
    /// <value>Defaults to 4; from 1 to 100.</value>
    public int MaxConcurrency { get; init; } = 4;

    /// <summary>
    /// How late a fire may be and still count as on time. A fire missed by more than this (the scheduler was
    /// down, or every worker was busy) is a misfire: it runs once as soon as it can, and the schedule goes on.
    /// </summary>
    /// <value>Defaults to one minute; at least one second.</value>
    public TimeSpan MisfireThreshold { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>Where the scheduler and its jobs log; <see langword="null"/> for nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>Options for a SQLite file.</summary>
    public static SchedulerOptions Sqlite(string path) => new() { ConnectionString = $"Data Source={path}" };

    internal bool IsSqlite => Provider.Equals(SqliteProvider, StringComparison.OrdinalIgnoreCase);

    internal bool IsPostgreSql => Provider.Equals(PostgreSqlProvider, StringComparison.OrdinalIgnoreCase);

    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(ConnectionString, nameof(ConnectionString));
        ArgumentException.ThrowIfNullOrWhiteSpace(InstanceName, nameof(InstanceName));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxConcurrency, 1, nameof(MaxConcurrency));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxConcurrency, 100, nameof(MaxConcurrency));
        ArgumentOutOfRangeException.ThrowIfLessThan(MisfireThreshold, TimeSpan.FromSeconds(1), nameof(MisfireThreshold));
        if (IsSqlite)
        {
            if (Clustered)
            {
                throw new ArgumentException(
                    "SQLite is single-node: one process owns the file's scheduler; use the 'postgresql' provider for a cluster",
                    nameof(Clustered));
            }

            var dataSource = new SqliteConnectionStringBuilder(ConnectionString).DataSource;
            if (string.IsNullOrWhiteSpace(dataSource) || dataSource == ":memory:")
            {
                throw new ArgumentException(
                    "the scheduler needs a SQLite file ('Data Source=path'): an in-memory database loses every job at restart",
                    nameof(ConnectionString));
            }
        }
        else if (IsPostgreSql)
        {
            throw new NotSupportedException(
                "the 'postgresql' scheduler provider is not available in this build: it needs Npgsql and Quartz's PostgreSQL tables, which come with FlowEngine's PostgreSQL store");
        }
        else
        {
            throw new ArgumentException($"unknown scheduler provider '{Provider}'; use '{SqliteProvider}'", nameof(Provider));
        }
    }
}
