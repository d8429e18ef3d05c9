using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.StepTypes;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using FlowEngine.Runtime.Steps;

namespace FlowEngine.Runtime.Tests;

/// <summary>A step that blocks the first time (as a process that dies there would never go on), and counts its runs.</summary>
internal sealed class GateHandler : IStepHandler
{
    public int Runs;

    public bool Block { get; set; } = true;

    public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public StepTypeDescriptor Descriptor { get; } = new()
    {
        Keyword = "gate",
        Title = "Gate (test)",
        Description = "Blocks the first run.",
        Primary = "gate",
        Properties = [new("gate", PropertyKind.Value, "A label.") { Required = true }],
    };

    public async ValueTask<object?> ExecuteAsync(StepContext context)
    {
        Interlocked.Increment(ref Runs);
        if (Block)
        {
            Reached.TrySetResult();
            await Task.Delay(Timeout.Infinite, context.CancellationToken).ConfigureAwait(false);
        }

        return new Dictionary<string, object?> { ["label"] = context.Evaluate("gate") };
    }
}

public sealed class DurabilityTests
{
    private const string Streams = """
        kind: action
        id: test.pages
        version: 1
        outputs:
          items: { type: array }
          count: { type: integer }
        steps:
          - id: pages
            for_each: [[1, 2], [3], [4, 5, 6]]
            as: page
            do:
              - id: doubled
                transform: "{{ page }}"
                value: "{{ item * 2 }}"
                where: "{{ item != 5 }}"
              - emit: "{{ steps.doubled.outputs.items }}"
                to: items
          - outputs: { count: 3 }
        """;

    private const string Consumer = """
        kind: flow
        id: test.consumer
        version: 1
        outputs:
          streamed: { type: array }
          collected: { type: array }
        steps:
          - set: { seen: [] }
          - id: stream
            call: test.pages
            as: batch
            do:
              - append: { to: vars.seen, value: "{{ length(batch) }}" }
          - id: whole
            call: test.pages
          - outputs:
              streamed: "{{ vars.seen }}"
              collected: "{{ steps.whole.outputs.items }}"
        """;

    private const string Resumable = """
        kind: flow
        id: test.resumable
        version: 1
        inputs:
          n: { type: integer }
        outputs:
          doubled: { type: array }
          note: { type: string }
          gate: { type: string }
        steps:
          - id: doubled
            transform: [1, 2, 3]
            value: "{{ item * inputs.n }}"
          - set: { note: "before the crash" }
          - id: crash_here
            gate: second
          - outputs:
              doubled: "{{ steps.doubled.outputs.items }}"
              note: "{{ vars.note }}"
              gate: "{{ steps.crash_here.outputs.label }}"
        """;

    [Fact]
    public async Task DataStream_CallWithDoGetsEachBatchAsEmitted_CallWithoutGetsThemCollected()
    {
        var harness = new RuntimeHarness(("pages.yaml", Streams), ("consumer.yaml", Consumer));
        var result = await harness.RunAsync("test.consumer", []);

        Assert.True(result.Status == ExecutionStatus.Completed, result.Record.Error);
        Assert.Equal(new List<object?> { 2L, 1L, 2L }, result.Outputs["streamed"]);
        Assert.Equal(new List<object?> { 2L, 4L, 6L, 8L, 12L }, result.Outputs["collected"]);
        var steps = (await harness.Store.GetAsync(result.Record.Id, default))!.Steps;
        var call = steps.Single(s => s.StepId == "stream");
        Assert.Equal(3, steps.Count(s => s.Type == "append" && s.ParentSequence == call.Sequence));
        Assert.Contains(steps, s => s.Path == "stream[2]/" + s.StepId && s.Type == "append");
    }

    [Fact]
    public void DataStream_DoOnACalleeThatDoesNotEmit_IsAValidationError()
    {
        var flow = """
            kind: flow
            id: test.bad_stream
            version: 1
            steps:
              - id: plain
                call: test.logic
                with: { scores: [1] }
                do:
                  - log: never
            """;
        var error = Assert.Throws<Xunit.Sdk.TrueException>(() => new RuntimeHarness(("bad.yaml", flow)));
        Assert.Contains("'test.logic' does not stream (it has no emit step)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Resume_AfterTheProcessStoppedMidStep_ContinuesFromTheCheckpointWithVarsAndStepResults()
    {
        var gate = new GateHandler();
        var harness = new RuntimeHarness(gate, ("resumable.yaml", Resumable));
        var id = Guid.NewGuid();
        using var dead = new CancellationTokenSource();
        var abandoned = harness.RunAsync("test.resumable", new() { ["n"] = 10L }, new RunOptions { ExecutionId = id });
        await gate.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // The "process" never comes back to this execution: another runner over the same store resumes it.
        gate.Block = false;
        var checkpoint = await harness.Store.GetCheckpointAsync(id, default);
        Assert.Equal(2, checkpoint!.NextStepIndex);
        var resumed = await new FlowRunner(harness.Handlers, harness.Definitions, harness.Store, harness.Time).ResumeAsync(id);

        Assert.True(resumed.Status == ExecutionStatus.Completed, resumed.Record.Error);
        Assert.Equal(new List<object?> { 10L, 20L, 30L }, resumed.Outputs["doubled"]);
        Assert.Equal("before the crash", resumed.Outputs["note"]);
        Assert.Equal("second", resumed.Outputs["gate"]);
        Assert.Equal(2, gate.Runs);
        var steps = (await harness.Store.GetAsync(id, default))!.Steps;
        Assert.Single(steps, s => s.StepId == "doubled"); // done before the crash: not run again
        Assert.Equal(steps.Count, steps.Select(s => s.Sequence).Distinct().Count());
        Assert.False(abandoned.IsCompleted);
    }

    [Fact]
    public async Task Resume_OfAnExecutionMarkedNotResumable_FailsItAndSaysWhy()
    {
        var gate = new GateHandler();
        var harness = new RuntimeHarness(gate, ("resumable.yaml", Resumable));
        var id = Guid.NewGuid();
        _ = harness.RunAsync("test.resumable", new() { ["n"] = 1L }, new RunOptions { ExecutionId = id, Resumable = false });
        await gate.Reached.Task.WaitAsync(TimeSpan.FromSeconds(10));
        gate.Block = false;

        var resumed = await new FlowRunner(harness.Handlers, harness.Definitions, harness.Store, harness.Time).ResumeAsync(id);

        Assert.Equal(ExecutionStatus.Failed, resumed.Status);
        Assert.Contains("not resumed by itself because it writes to a vendor", resumed.Record.Error, StringComparison.Ordinal);
        Assert.Equal(1, gate.Runs);
    }

    [Fact]
    public async Task StepBudget_ALoopPastTheBudget_FailsThatExecutionOnly()
    {
        var harness = new RuntimeHarness();
        var over = await harness.RunAsync("test.logic", new() { ["scores"] = Enumerable.Range(0, 50).Select(i => (object?)(long)i).ToList() }, new RunOptions { MaxSteps = 40 });
        var within = await harness.RunAsync("test.logic", new() { ["scores"] = new List<object?> { 1L, 2L } }, new RunOptions { MaxSteps = 40 });

        Assert.Equal(ExecutionStatus.Failed, over.Status);
        Assert.Contains("more than 40 steps (its step budget)", over.Record.Error, StringComparison.Ordinal);
        Assert.Equal(ExecutionStatus.Completed, within.Status);
    }
}
