using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.StepTypes;
using FlowEngine.Definitions.Validation;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using FlowEngine.Runtime.Steps;
using Microsoft.Extensions.Time.Testing;

namespace FlowEngine.Runtime.Tests;

/// <summary>
/// A test-only step type: <c>tick: seconds</c> advances the fake clock and yields, and counts how many ticks run at
/// once. Registering it also shows that a new step type needs no change to the reader.
/// </summary>
internal sealed class TickHandler(FakeTimeProvider time) : IStepHandler
{
    private int _running;

    public int MaxConcurrent { get; private set; }

    public StepTypeDescriptor Descriptor { get; } = new()
    {
        Keyword = "tick",
        Title = "Tick (test)",
        Description = "Advances the fake clock by some seconds.",
        Primary = "tick",
        Properties = [new("tick", PropertyKind.Value, "Seconds.") { Required = true, ExpectedType = TypeSpec.Integer }],
    };

    public async ValueTask<object?> ExecuteAsync(StepContext context)
    {
        var now = Interlocked.Increment(ref _running);
        lock (this)
        {
            MaxConcurrent = Math.Max(MaxConcurrent, now);
        }

        await Task.Delay(5, context.CancellationToken).ConfigureAwait(false);
        time.Advance(TimeSpan.FromSeconds((long)context.Evaluate("tick")!));
        Interlocked.Decrement(ref _running);
        return null;
    }
}

internal sealed class RuntimeHarness
{
    public RuntimeHarness(params (string File, string Text)[] extra)
        : this(null, extra)
    {
    }

    public RuntimeHarness(IStepHandler? more, params (string File, string Text)[] extra)
    {
        Tick = new TickHandler(Time);
        Handlers = StepHandlerRegistry.CreateDefault().Register(Tick);
        if (more is not null)
        {
            Handlers.Register(more);
        }

        var folder = Path.Combine(AppContext.BaseDirectory, "Flows");
        var files = Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal).Select(f => (Path.GetFileName(f), File.ReadAllText(f)));
        var load = new FlowLoader(Handlers.Catalog).LoadTexts(files.Concat(extra));
        Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));
        foreach (var definition in load.Definitions)
        {
            Definitions.Add(definition);
        }

        Runner = new FlowRunner(Handlers, Definitions, Store, Time);
    }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 25, 8, 0, 0, TimeSpan.Zero));

    public TickHandler Tick { get; }

    public StepHandlerRegistry Handlers { get; }

    public DefinitionSet Definitions { get; } = new();

    public InMemoryExecutionStore Store { get; } = new();

    public FlowRunner Runner { get; }

    public Definition Get(string id, int? version = null) => Definitions.Find(id, version) ?? throw new KeyNotFoundException(id);

    public Task<ExecutionResult> RunAsync(string id, Dictionary<string, object?> inputs, RunOptions? options = null, CancellationToken ct = default) =>
        Runner.RunAsync(Get(id), inputs, options, ct);
}
