using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace FlowEngine.Scheduling;

/// <summary>Where the scheduler keeps its jobs, and how it runs them.</summary>
public sealed record SchedulerOptions
{
    /// <summary>The SQLite provider: one node, in the same file as the rest of FlowEngine.</summary>
    public const string SqliteProvider = "sqlite";

    /// <summary>
    /// The PostgreSQL provider (<c>postgres</c> is accepted too), for several server nodes sharing work: Quartz's
    /// clustered ADO job store in the same database as FlowEngine's store.
    /// </summary>
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
    /// This node's id in a cluster; every node sharing the database needs its own. <c>AUTO</c> (the default) lets
    /// Quartz make one from the host name and the start time. Ignored when not <see cref="Clustered"/>.
    /// </summary>
    public string InstanceId { get; init; } = "AUTO";

    /// <summary>
    /// How often a clustered node records that it is alive. A node silent for longer than this (plus Quartz's
    /// check-in misfire threshold) is taken for dead, and another node recovers its fires. Default 15 seconds.
    /// </summary>
    public TimeSpan ClusterCheckinInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// The clock the scheduler runs on; <see langword="null"/> for the system clock. Tests pass a
    /// <c>FakeTimeProvider</c> and advance it to make jobs fire.
    /// </summary>
    public TimeProvider? Time { get; init; }

    /// <summary>
    /// Whether several nodes share the job store, each scheduled fire running once across them (Quartz's clustered
    /// ADO store: row locks in the database decide which node takes a fire; a dead node's fires are recovered by
    /// another). Needs PostgreSQL: SQLite is single-node (one writer, one process), and asking for a cluster on it is
    /// refused.
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

    /// <summary>Options for one node of a cluster on a PostgreSQL database (an Npgsql connection string).</summary>
    public static SchedulerOptions PostgreSql(string connectionString, string instanceId = "AUTO") =>
        new() { ConnectionString = connectionString, Provider = PostgreSqlProvider, Clustered = true, InstanceId = instanceId };

    /// <summary>The provider, node and instance name, without the connection string (it may hold a password): safe to log.</summary>
    public override string ToString() => $"{Provider} scheduler '{InstanceName}'{(Clustered ? $", clustered as '{InstanceId}'" : "")}";

    internal bool IsSqlite => Provider.Trim().Equals(SqliteProvider, StringComparison.OrdinalIgnoreCase);

    internal bool IsPostgreSql => Provider.Trim().ToLowerInvariant() is PostgreSqlProvider or "postgres";

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
            ArgumentException.ThrowIfNullOrWhiteSpace(InstanceId, nameof(InstanceId));
            ArgumentOutOfRangeException.ThrowIfLessThan(ClusterCheckinInterval, TimeSpan.FromSeconds(1), nameof(ClusterCheckinInterval));
            try
            {
                _ = new Npgsql.NpgsqlConnectionStringBuilder(ConnectionString);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException(
                    "the scheduler's PostgreSQL connection string is not an Npgsql one; expected e.g. 'Host=127.0.0.1;Port=5432;Database=flowengine;Username=flowengine;Password=…'",
                    nameof(ConnectionString),
                    ex);
            }
        }
        else
        {
            throw new ArgumentException($"unknown scheduler provider '{Provider}'; use '{SqliteProvider}' or '{PostgreSqlProvider}'", nameof(Provider));
        }
    }
}
