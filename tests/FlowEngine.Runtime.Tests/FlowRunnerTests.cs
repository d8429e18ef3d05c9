using FlowEngine.Expressions;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;

namespace FlowEngine.Runtime.Tests;

public sealed class FlowRunnerTests
{
    private static Dictionary<string, object?> Scores(params long[] scores) => new() { ["scores"] = scores.Cast<object?>().ToList() };

    [Fact]
    public async Task Run_SetForEachIfAppendLogOutputs_ComputesTypedOutputs()
    {
        var harness = new RuntimeHarness();
        var result = await harness.RunAsync("test.logic", Scores(95, 40, 70));

        Assert.Equal(ExecutionStatus.Completed, result.Status);
        Assert.Equal(new List<object?> { "A0", "C1", "B2" }, result.Outputs["grades"]);
        Assert.Equal(205L, result.Outputs["total"]);
        Assert.Equal("RUN", result.Outputs["label"]);

        var steps = (await harness.Store.GetAsync(result.Record.Id, default))!.Steps;
        var grade = steps.Where(s => s.StepId == "grade").ToList();
        Assert.Equal([0, 1, 2], grade.Select(s => s.Iteration!.Value));
        Assert.Equal(["grade_each[0]/grade", "grade_each[1]/grade", "grade_each[2]/grade"], grade.Select(s => s.Path));
        Assert.Equal("""{"branch":"else"}""", grade[1].OutputsJson);
        var loop = steps.Single(s => s.StepId == "grade_each");
        Assert.All(grade, g => Assert.Equal(loop.Sequence, g.ParentSequence));
        Assert.All(steps, s => Assert.Equal(StepStatus.Completed, s.Status));
        Assert.All(steps, s => Assert.NotNull(s.EndedAt));
    }

    [Fact]
    public async Task Run_CallsByLatestAndPinnedVersion_AndTryCatchesFail()
    {
        var v2 = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Flows", "logic.yaml"))
            .Replace("version: 1", "version: 2", StringComparison.Ordinal)
            .Replace("upper(inputs.label)", "lower(inputs.label)", StringComparison.Ordinal);
        var harness = new RuntimeHarness(("logic_v2.yaml", v2));

        var result = await harness.RunAsync("test.caller", Scores(10, 20));

        Assert.Equal(ExecutionStatus.Completed, result.Status);
        Assert.Equal(30L, result.Outputs["latest_total"]);
        Assert.Equal("PINNED", result.Outputs["pinned_label"]); // test.logic@1 upper-cases; v2 would not
        Assert.Equal("boom: score list too short: 2", result.Outputs["caught"]);
        Assert.Equal("too_short", result.Outputs["code"]);

        var steps = (await harness.Store.GetAsync(result.Record.Id, default))!.Steps;
        Assert.Contains("\"$definition\":\"test.logic@2\"", steps.Single(s => s.StepId == "latest").InputsJson, StringComparison.Ordinal);
        Assert.Contains("\"$definition\":\"test.logic@1\"", steps.Single(s => s.StepId == "pinned").InputsJson, StringComparison.Ordinal);
        Assert.Contains(steps, s => s.Path == "latest/grade_each" && s.DefinitionKey == "test.logic@2");
        var boom = steps.Single(s => s.StepId == "boom");
        Assert.Equal((StepStatus.Failed, "score list too short: 2"), (boom.Status, boom.Error));
        Assert.Equal(StepStatus.Completed, steps.Single(s => s.StepId == "guarded").Status);
    }

    [Fact]
    public async Task Run_ExpressionErrorAtRunTime_NamesStepAndExpression_AndSecretsStayMasked()
    {
        var harness = new RuntimeHarness();
        var inputs = new Dictionary<string, object?>
        {
            ["user"] = new Dictionary<string, object?> { ["name"] = "ana" },
            ["token"] = "pd-token-SUPERSECRET",
        };

        var result = await harness.RunAsync("test.failing", inputs);

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal("step 'read_email': in '{{ inputs.user.profile.email }}': cannot read 'email' of null", result.Record.Error);
        Assert.Equal("read_email", result.Record.ErrorStepId);
        var record = (await harness.Store.GetAsync(result.Record.Id, default))!;
        var everything = string.Join("\n", record.Steps.Select(s => $"{s.InputsJson} {s.OutputsJson} {s.Error}").Append(record.InputsJson).Append(record.OutputsJson).Append(record.Error));
        Assert.DoesNotContain("SUPERSECRET", everything, StringComparison.Ordinal);
        Assert.Contains("\"token\":\"********\"", record.InputsJson, StringComparison.Ordinal);
        Assert.Contains("Bearer ********", record.Steps.Single(s => s.StepId == "auth").InputsJson, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_WrongInputType_FailsBeforeAnyStepWithAClearMessage()
    {
        var harness = new RuntimeHarness();
        var result = await harness.RunAsync("test.logic", new() { ["scores"] = new List<object?> { 1L, "many" } });
        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal("input 'scores' of test.logic[1] must be integer, but got string 'many'", result.Record.Error);
        Assert.Empty((await harness.Store.GetAsync(result.Record.Id, default))!.Steps);

        var missing = await harness.RunAsync("test.logic", []);
        Assert.Equal("test.logic needs input 'scores' (array of integer)", missing.Record.Error);
    }

    [Fact]
    public async Task Run_ParallelForEach_RespectsTheLimitAndKeepsEveryItem()
    {
        var harness = new RuntimeHarness();
        var result = await harness.RunAsync("test.parallel", new() { ["count"] = 40L, ["parallelism"] = 3L });
        Assert.Equal(ExecutionStatus.Completed, result.Status);
        Assert.Equal(40L, result.Outputs["seen"]);
        Assert.InRange(harness.Tick.MaxConcurrent, 2, 3);

        var sequential = new RuntimeHarness();
        await sequential.RunAsync("test.parallel", new() { ["count"] = 10L, ["parallelism"] = 1L });
        Assert.Equal(1, sequential.Tick.MaxConcurrent);
    }

    [Fact]
    public async Task Run_Timeout_CancelsTheExecutionAndRecordsIt()
    {
        var harness = new RuntimeHarness();
        var result = await harness.RunAsync("test.parallel", new() { ["count"] = 1000L, ["parallelism"] = 1L }, new RunOptions { Timeout = TimeSpan.FromSeconds(10) });
        Assert.Equal(ExecutionStatus.Cancelled, result.Status);
        Assert.Equal("timed out after 00:00:10", result.Record.Error);
        var steps = (await harness.Store.GetAsync(result.Record.Id, default))!.Steps;
        Assert.InRange(steps.Count(s => s.StepId == "slow" && s.Status == StepStatus.Completed), 9, 11);
        Assert.Equal(StepStatus.Cancelled, steps.Single(s => s.StepId == "fan_out").Status);
    }

    [Fact]
    public async Task Run_CancelledByCaller_EndsCancelled()
    {
        var harness = new RuntimeHarness();
        using var cts = new CancellationTokenSource();
        var running = harness.RunAsync("test.parallel", new() { ["count"] = 100_000L, ["parallelism"] = 1L }, null, cts.Token);
        await Task.Delay(50);
        await cts.CancelAsync();
        var result = await running;
        Assert.Equal((ExecutionStatus.Cancelled, "cancelled"), (result.Status, result.Record.Error));
    }

    [Fact]
    public async Task Run_CheckpointsAfterEachTopLevelStep()
    {
        var harness = new RuntimeHarness();
        var result = await harness.RunAsync("test.logic", Scores(91));
        var checkpoint = await harness.Store.GetCheckpointAsync(result.Record.Id, default);
        Assert.NotNull(checkpoint);
        Assert.Equal(4, checkpoint.NextStepIndex);
        var state = (Dictionary<string, object?>)Values.ParseJson(checkpoint.StateJson)!;
        Assert.Equal(91L, ((Dictionary<string, object?>)state["vars"]!)["total"]);
    }

    [Fact]
    public async Task Run_TwoExecutions_DoNotShareVariables()
    {
        var harness = new RuntimeHarness();
        var first = harness.RunAsync("test.logic", Scores(95, 95));
        var second = harness.RunAsync("test.logic", Scores(10));
        var results = await Task.WhenAll(first, second);
        Assert.Equal(new List<object?> { "A0", "A1" }, results[0].Outputs["grades"]);
        Assert.Equal(new List<object?> { "C0" }, results[1].Outputs["grades"]);
    }

    [Fact]
    public async Task Run_ExecutionPinsTheVersionItStartedOn()
    {
        var v2 = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Flows", "logic.yaml")).Replace("version: 1", "version: 2", StringComparison.Ordinal);
        var harness = new RuntimeHarness(("logic_v2.yaml", v2));
        var result = await harness.Runner.RunAsync(harness.Get("test.logic", 1), Scores(1));
        Assert.Equal((1, harness.Get("test.logic", 1).Hash), (result.Record.Version, result.Record.DefinitionHash));
        Assert.NotEqual(harness.Get("test.logic", 1).Hash, harness.Get("test.logic", 2).Hash);
    }
}
