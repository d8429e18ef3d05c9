using FlowEngine.Definitions;
using FlowEngine.Definitions.Reading;
using FlowEngine.Definitions.Validation;
using FlowEngine.Persistence;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Steps;

namespace FlowEngine.Cli;

/// <summary>Composes the engine for one CLI invocation: step types, the store, the loader and the runner.</summary>
internal sealed class Engine
{
    private Engine(StepHandlerRegistry handlers, FlowStore store, StoreOptions options)
    {
        Handlers = handlers;
        Store = store;
        StoreOptions = options;
        Definitions = new EfDefinitionStore(store, TimeProvider.System);
        Executions = new EfExecutionStore(store);
    }

    public StepHandlerRegistry Handlers { get; }

    public FlowStore Store { get; }

    public StoreOptions StoreOptions { get; }

    public EfDefinitionStore Definitions { get; }

    public EfExecutionStore Executions { get; }

    public static async Task<Engine> OpenAsync(string? databasePath, CancellationToken cancellationToken)
    {
        var options = StoreOptions.FromEnvironment(databasePath);
        var store = await FlowStore.OpenAsync(options, cancellationToken).ConfigureAwait(false);
        return new Engine(StepHandlerRegistry.CreateDefault(), store, options);
    }

    public DefinitionReader Reader => new(Handlers.Catalog);

    /// <summary>Validates files and registers the valid ones as versions; returns every diagnostic (conflicts included).</summary>
    public async Task<(LoadResult Load, IReadOnlyList<Registration> Registrations)> LoadAsync(IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var stored = await Definitions.LoadAsync(Reader, cancellationToken).ConfigureAwait(false);
        var load = new FlowLoader(Handlers.Catalog).Load(paths, stored);
        var registrations = await Definitions.RegisterAsync(load.Definitions, cancellationToken).ConfigureAwait(false);
        var conflicts = registrations.Where(r => r.Diagnostic is not null).Select(r => r.Diagnostic!).ToList();
        return (load with { Diagnostics = [.. load.Diagnostics, .. conflicts] }, registrations);
    }

    public async Task<FlowRunner> RunnerAsync(CancellationToken cancellationToken)
    {
        var stored = await Definitions.LoadAsync(Reader, cancellationToken).ConfigureAwait(false);
        return new FlowRunner(Handlers, stored, Executions, TimeProvider.System);
    }

    public static IEnumerable<Diagnostic> Errors(IEnumerable<Diagnostic> diagnostics) => diagnostics.Where(d => d.Severity == Severity.Error);
}
