using FlowEngine.Definitions;
using FlowEngine.Definitions.Reading;
using FlowEngine.Definitions.Validation;
using FlowEngine.Integration.Spokes;
using FlowEngine.Persistence;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Steps;

namespace FlowEngine.Hosting;

/// <summary>
/// Composes the engine for one CLI invocation: step types (flow logic and integration), spokes, the store, the
/// encrypted connection store, the loader and the runner.
/// </summary>
public sealed class Engine
{
    private Engine(FlowStore store, StoreOptions options, SpokeCatalog spokes, string keyFolder)
    {
        Store = store;
        StoreOptions = options;
        Definitions = new EfDefinitionStore(store, TimeProvider.System);
        Executions = new EfExecutionStore(store);
        Connections = new EfConnectionStore(store, EfConnectionStore.CreateProtector(keyFolder), TimeProvider.System);
        Integration = new Integration.Integration(spokes, Connections, Http, TimeProvider.System);
        Sam = new LicenseManagement.SamStore(store, TimeProvider.System);
        Handlers = LicenseManagement.SamStepTypes.Register(Integration.Register(StepHandlerRegistry.CreateDefault()), Sam);
    }

    private static readonly HttpClient Http = FlowEngine.Integration.Integration.CreateHttpClient();

    public StepHandlerRegistry Handlers { get; }

    public FlowStore Store { get; }

    public StoreOptions StoreOptions { get; }

    public EfDefinitionStore Definitions { get; }

    public EfExecutionStore Executions { get; }

    public EfConnectionStore Connections { get; }

    public Integration.Integration Integration { get; }

    public LicenseManagement.SamStore Sam { get; }

    /// <summary>Opens the store; spokes are read from <paramref name="flowsFolder"/>.</summary>
    public static async Task<Engine> OpenAsync(string? databasePath, CancellationToken cancellationToken, string flowsFolder = "flows")
    {
        var options = StoreOptions.FromEnvironment(databasePath);
        var store = await FlowStore.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        var keys = Environment.GetEnvironmentVariable("FLOWENGINE_KEYS")
            ?? (databasePath is null ? EfConnectionStore.DefaultKeyFolder : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(databasePath))!, "keys"));
        return new Engine(store, options, SpokeCatalog.Load([flowsFolder]), keys);
    }

    /// <summary>Opens a given store (SQLite or PostgreSQL) with a given key folder; spokes are read from <paramref name="flowsFolder"/>.</summary>
    public static async Task<Engine> OpenAsync(StoreOptions options, string keyFolder, string flowsFolder, CancellationToken cancellationToken)
    {
        var store = await FlowStore.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        return new Engine(store, options, SpokeCatalog.Load([flowsFolder]), keyFolder);
    }

    public DefinitionReader Reader => new(Handlers.Catalog);

    /// <summary>Validates files and registers the valid ones as versions; returns every diagnostic (conflicts and spoke manifests included).</summary>
    public async Task<(LoadResult Load, IReadOnlyList<Registration> Registrations)> LoadAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var stored = await Definitions.LoadAsync(Reader, cancellationToken).ConfigureAwait(false);
        var load = new FlowLoader(Handlers.Catalog).Load(paths, stored);
        var registrations = await Definitions.RegisterAsync(load.Definitions, cancellationToken).ConfigureAwait(false);
        var conflicts = registrations.Where(r => r.Diagnostic is not null).Select(r => r.Diagnostic!).ToList();
        return (load with { Diagnostics = [.. load.Diagnostics, .. Integration.Spokes.Diagnostics, .. conflicts] }, registrations);
    }

    public async Task<FlowRunner> RunnerAsync(CancellationToken cancellationToken)
    {
        var stored = await Definitions.LoadAsync(Reader, cancellationToken).ConfigureAwait(false);
        return new FlowRunner(Handlers, stored, Executions, TimeProvider.System);
    }

    /// <summary>
    /// The scheduler in the store's database: single-node on SQLite; on PostgreSQL one node of a Quartz cluster,
    /// its id from <c>FLOWENGINE_NODE</c> (the node name executions record too; else Quartz makes one from the host name
    /// and start time).
    /// </summary>
    public static Scheduling.SchedulerOptions SchedulerOptionsFor(StoreOptions store, bool runJobs)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (!store.IsPostgreSql)
        {
            return new Scheduling.SchedulerOptions { ConnectionString = store.ConnectionString, RunJobs = runJobs };
        }

        var node = Environment.GetEnvironmentVariable("FLOWENGINE_NODE");
        return Scheduling.SchedulerOptions.PostgreSql(store.ConnectionString, string.IsNullOrWhiteSpace(node) ? "AUTO" : node.Trim()) with { RunJobs = runJobs };
    }

    public static IEnumerable<Diagnostic> Errors(IEnumerable<Diagnostic> diagnostics) => diagnostics.Where(d => d.Severity == Severity.Error);

    /// <summary>
    /// License management over this store: loads the flows (so the vendors' subflows are current), and opens the
    /// scheduler's job store in the same database. With <paramref name="runJobs"/> false (every command but
    /// 'scheduler run') jobs are managed but never fired in this process.
    /// </summary>
    public async Task<LicenseParts> LicenseAsync(string flowsFolder, bool runJobs, CancellationToken cancellationToken)
    {
        var (load, _) = await LoadAsync([flowsFolder], cancellationToken).ConfigureAwait(false);
        var runner = await RunnerAsync(cancellationToken).ConfigureAwait(false);
        var holder = new LicenseParts { Diagnostics = load.Diagnostics };
        var scheduler = await Scheduling.JobScheduler.StartAsync(
            SchedulerOptionsFor(StoreOptions, runJobs),
            new LicenseManagement.Scheduling.SamJobHandler(async ct =>
            {
                // A fire owed from downtime can come as soon as the scheduler starts, before the services exist.
                await holder.Ready.Task.WaitAsync(ct).ConfigureAwait(false);
                return (holder.Profiles, holder.Reclaim);
            }, Executions.PruneAsync),
            cancellationToken).ConfigureAwait(false);
        holder.Scheduler = scheduler;
        holder.Jobs = new LicenseManagement.Scheduling.SchedulerProfileJobs(scheduler);
        holder.Runner = runner;
        holder.Profiles = new LicenseManagement.ProfileService(Sam, Integration.Spokes, ct => holder.RunnerSource(ct), holder.Jobs);
        holder.Reclaim = new LicenseManagement.ReclaimService(Sam, holder.Profiles);
        holder.Ready.SetResult();
        return holder;
    }
}

/// <summary>The license-management services of one CLI invocation, with the scheduler they share.</summary>
public sealed class LicenseParts : IAsyncDisposable
{
    public Scheduling.JobScheduler Scheduler { get; set; } = null!;

    public LicenseManagement.Scheduling.SchedulerProfileJobs Jobs { get; set; } = null!;

    public LicenseManagement.ProfileService Profiles { get; set; } = null!;

    public LicenseManagement.ReclaimService Reclaim { get; set; } = null!;

    public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The runner loaded at start.</summary>
    public FlowRunner Runner { get; set; } = null!;

    /// <summary>
    /// Where profile runs get their runner: the one loaded at start, unless a host that stores new definition
    /// versions (the server) points this at its own, always current, runner.
    /// </summary>
    public Func<CancellationToken, Task<FlowRunner>> RunnerSource { get; set; }

    /// <summary>A holder whose runs use <see cref="Runner"/>.</summary>
    public LicenseParts() => RunnerSource = _ => Task.FromResult(Runner);

    /// <summary>Problems found while loading the flows (files with errors are not registered).</summary>
    public IReadOnlyList<Diagnostic> Diagnostics { get; init; } = [];

    public ValueTask DisposeAsync() => Scheduler.DisposeAsync();
}
