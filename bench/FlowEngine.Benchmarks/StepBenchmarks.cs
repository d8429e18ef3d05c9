using BenchmarkDotNet.Attributes;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.Validation;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using FlowEngine.Runtime.Steps;

namespace FlowEngine.Benchmarks;

/// <summary>A benchmark class whose engine benchmarks run a known number of steps, so an overhead per step can be derived.</summary>
public interface IStepBenchmark
{
    /// <summary>The size parameter (steps or items).</summary>
    int N { get; set; }

    /// <summary>Prepares definitions and inputs for <see cref="N"/>.</summary>
    void Setup();

    /// <summary>Step records one run of the named engine benchmark writes, or null for a hand-written one.</summary>
    int? StepsPerRun(string benchmark);
}

/// <summary>N simple <c>set</c> steps through the runner, against the same loop written in C#.</summary>
[MemoryDiagnoser]
public class SetStepsBenchmarks : IStepBenchmark
{
    private static readonly IReadOnlyDictionary<string, object?> NoInputs = new Dictionary<string, object?>();
    private readonly StepHandlerRegistry _registry = StepHandlerRegistry.CreateDefault();
    private Definition _top = null!;
    private DefinitionSet _topLookup = null!;
    private Definition _nested = null!;
    private DefinitionSet _nestedLookup = null!;

    /// <summary>Set steps per run. 1,000 is the headline figure; 250 shows whether the cost per step depends on N.</summary>
    [Params(250, 1000)]
    public int N { get; set; } = 1000;

    /// <inheritdoc />
    [GlobalSetup]
    public void Setup()
    {
        (_top, _topLookup) = BenchFlows.Load(_registry, "set_steps.yaml", BenchFlows.SetSteps(N));
        (_nested, _nestedLookup) = BenchFlows.Load(_registry, "nested_set_steps.yaml", BenchFlows.NestedSetSteps(N));
    }

    /// <summary>The logic by hand: a variable in a dictionary, incremented N times (boxed, like the engine's values).</summary>
    [Benchmark(Baseline = true)]
    public long HandWritten()
    {
        var vars = new Dictionary<string, object?>(StringComparer.Ordinal) { ["x"] = 0L };
        for (var i = 0; i < N; i++)
        {
            vars["x"] = (long)vars["x"]! + 1;
        }

        return (long)vars["x"]!;
    }

    /// <summary>N top-level set steps through <see cref="FlowRunner"/>, recorded in memory, a checkpoint after each.</summary>
    [Benchmark]
    public async Task<long> Engine() => Result(await Runner(_topLookup).RunAsync(_top, NoInputs).ConfigureAwait(false));

    /// <summary>The same N set steps inside one <c>if</c> block: step records, no checkpoint per step.</summary>
    [Benchmark]
    public async Task<long> EngineNested() => Result(await Runner(_nestedLookup).RunAsync(_nested, NoInputs).ConfigureAwait(false));

    /// <inheritdoc />
    public int? StepsPerRun(string benchmark) => benchmark switch
    {
        nameof(Engine) => Count(_top, _topLookup),
        nameof(EngineNested) => Count(_nested, _nestedLookup),
        _ => null,
    };

    private int Count(Definition definition, DefinitionSet lookup) =>
        Runner(lookup).RunAsync(definition, NoInputs).GetAwaiter().GetResult().Record.StepCount;

    // A new in-memory store per run, so records of earlier runs don't pile up across millions of invocations.
    private FlowRunner Runner(DefinitionSet lookup) => new(_registry, lookup, new InMemoryExecutionStore(), TimeProvider.System);

    private static long Result(ExecutionResult result) => result.Status == ExecutionStatus.Completed
        ? (long)result.Outputs["x"]!
        : throw new InvalidOperationException($"the flow ended {result.Status}: {result.Record.Error}");
}

/// <summary>A for_each over N items with an <c>if</c> and an <c>append</c> inside, against the same loop in C#.</summary>
[MemoryDiagnoser]
public class ForEachBenchmarks : IStepBenchmark
{
    private readonly StepHandlerRegistry _registry = StepHandlerRegistry.CreateDefault();
    private Definition _definition = null!;
    private DefinitionSet _lookup = null!;
    private List<object?> _items = null!;
    private Dictionary<string, object?> _inputs = null!;

    /// <inheritdoc />
    [Params(1000)]
    public int N { get; set; } = 1000;

    /// <inheritdoc />
    [GlobalSetup]
    public void Setup()
    {
        (_definition, _lookup) = BenchFlows.Load(_registry, "for_each.yaml", BenchFlows.ForEach);
        _items = Enumerable.Range(0, N).Select(i => (object?)(long)i).ToList();
        _inputs = new Dictionary<string, object?>(StringComparer.Ordinal) { ["items"] = _items };
    }

    /// <summary>The logic by hand: keep the even items in a new list.</summary>
    [Benchmark(Baseline = true)]
    public List<object?> HandWritten()
    {
        var kept = new List<object?>();
        foreach (var item in _items)
        {
            if ((long)item! % 2 == 0)
            {
                kept.Add(item);
            }
        }

        return kept;
    }

    /// <summary>The for_each flow through <see cref="FlowRunner"/>, recorded in memory.</summary>
    [Benchmark]
    public async Task<IList<object?>> Engine()
    {
        var result = await new FlowRunner(_registry, _lookup, new InMemoryExecutionStore(), TimeProvider.System)
            .RunAsync(_definition, _inputs).ConfigureAwait(false);
        return result.Status == ExecutionStatus.Completed
            ? (IList<object?>)result.Outputs["kept"]!
            : throw new InvalidOperationException($"the flow ended {result.Status}: {result.Record.Error}");
    }

    /// <inheritdoc />
    public int? StepsPerRun(string benchmark) => benchmark == nameof(Engine)
        ? new FlowRunner(_registry, _lookup, new InMemoryExecutionStore(), TimeProvider.System)
            .RunAsync(_definition, _inputs).GetAwaiter().GetResult().Record.StepCount
        : null;
}
