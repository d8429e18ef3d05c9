using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.StepTypes;
using FlowEngine.Runtime.Records;
using FlowEngine.Runtime.Steps;
using FlowEngine.Simulators;

namespace FlowEngine.Integration.Tests;

/// <summary>
/// A test-only step: <c>users_requested: N</c> returns how many GET /users the simulator has received, waiting up to
/// <c>wait</c> seconds for it to reach N. Inside a page's block it shows whether the next page was already asked for.
/// </summary>
internal sealed class UsersRequested(Func<PagerDutySimulator> sim) : IStepHandler
{
    public StepTypeDescriptor Descriptor { get; } = new()
    {
        Keyword = "users_requested",
        Title = "GET /users received (test)",
        Description = "How many GET /users the simulator received, waiting a while for at least N.",
        Primary = "users_requested",
        Properties =
        [
            new("users_requested", PropertyKind.Value, "N.") { Required = true, ExpectedType = TypeSpec.Integer },
            new("wait", PropertyKind.Value, "Seconds to wait for N at most.") { ExpectedType = TypeSpec.Number },
        ],
    };

    public async ValueTask<object?> ExecuteAsync(StepContext context)
    {
        var wanted = (long)context.Evaluate("users_requested")!;
        var until = DateTime.UtcNow + TimeSpan.FromSeconds(Convert.ToDouble(context.Evaluate("wait") ?? 10L, System.Globalization.CultureInfo.InvariantCulture));
        while (sim().RequestCount("GET", "/users") < wanted && DateTime.UtcNow < until)
        {
            await Task.Delay(10, context.CancellationToken).ConfigureAwait(false);
        }

        return (long)sim().RequestCount("GET", "/users");
    }
}

/// <summary>
/// A paged GET with a do block asks for the next page while the current page's block runs (read-ahead), one request
/// in flight at a time; <c>read_ahead: false</c> asks for it only after; a page that fails drops the page read ahead.
/// </summary>
public sealed class ReadAheadTests
{
    // 120 users, 50 a page: pages 0, 1, 2. Each page's block records how many pages the simulator had been asked for.
    private const string Flow = """
        kind: flow
        id: test.read_ahead
        version: 1
        inputs:
          read_ahead: { type: boolean }
          wait: { type: number }
          fail_on_page: { type: integer, required: false }
        outputs:
          seen: array
        steps:
          - id: fetch
            rest: /users
            alias: sn_pagerduty_spoke.PagerDuty
            paginate: { style: offset, items: users, limit: 50, more: more, read_ahead: "{{ inputs.read_ahead }}" }
            do:
              - id: requested
                users_requested: "{{ min(page_index + 2, 3) }}"
                wait: "{{ inputs.wait }}"
              - if: "{{ page_index == inputs.fail_on_page }}"
                then:
                  - fail: "page {{ page_index }} could not be used"
              - emit: "{{ [steps.requested.outputs] }}"
                to: seen
        """;

    private static async Task<(IntegrationHarness Harness, PagerDutySimulator Sim)> StartAsync()
    {
        PagerDutySimulator? started = null;
        var (harness, sim) = await IntegrationHarness.WithPagerDutyAsync(new PagerDutySeed { UserCount = 120 }, new UsersRequested(() => started!), extra: ("read_ahead.yaml", Flow));
        started = sim;
        return (harness, sim);
    }

    [Fact]
    public async Task NextPage_IsAskedFor_WhileThisPagesBlockRuns_OneRequestInFlightAtATime()
    {
        var (harness, sim) = await StartAsync();
        await using var _ = sim;

        var result = await harness.RunAsync("test.read_ahead", new() { ["read_ahead"] = true, ["wait"] = 10L });

        Assert.True(result.Status == ExecutionStatus.Completed, result.Record.Error);
        // In page 0's block the simulator already had page 1's request, in page 1's page 2's; page 2 is the last.
        Assert.Equal([2L, 3L, 3L], ((IEnumerable<object?>)result.Outputs["seen"]!).Cast<long>());
        Assert.Equal(3, sim.RequestCount("GET", "/users"));
        Assert.Equal(1, sim.PeakInFlight);
    }

    [Fact]
    public async Task ReadAheadFalse_AsksForTheNextPage_OnlyAfterThisPagesBlock()
    {
        var (harness, sim) = await StartAsync();
        await using var _ = sim;

        var result = await harness.RunAsync("test.read_ahead", new() { ["read_ahead"] = false, ["wait"] = 0.3 });

        Assert.True(result.Status == ExecutionStatus.Completed, result.Record.Error);
        Assert.Equal([1L, 2L, 3L], ((IEnumerable<object?>)result.Outputs["seen"]!).Cast<long>());
    }

    [Fact]
    public async Task APageThatFails_DropsThePageReadAhead_AndReportsItsOwnError()
    {
        var (harness, sim) = await StartAsync();
        await using var _ = sim;
        // Page 2, read ahead while page 1's block fails, is a 400: it must not be the error reported.
        sim.Faults.AnswerWith(request => request.Index == 2 ? new ScriptedAnswer("""{"error":{"message":"page two is broken","code":2001}}""", Status: 400) : null);

        var result = await harness.RunAsync("test.read_ahead", new() { ["read_ahead"] = true, ["wait"] = 10L, ["fail_on_page"] = 1L });

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Contains("page 1 could not be used", result.Record.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("page two is broken", await harness.EverythingStoredAsync(result), StringComparison.Ordinal);
        Assert.Equal(3, sim.RequestCount("GET", "/users"));
    }

    [Fact]
    public async Task AFailedPageReadAhead_FailsTheStep_AfterThePageBeforeItWasUsed()
    {
        var (harness, sim) = await StartAsync();
        await using var _ = sim;
        sim.Faults.AnswerWith(request => request.Index == 2 ? new ScriptedAnswer("""{"error":{"message":"page two is broken","code":2001}}""", Status: 400) : null);

        var result = await harness.RunAsync("test.read_ahead", new() { ["read_ahead"] = true, ["wait"] = 10L });

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Contains("page two is broken", result.Record.Error, StringComparison.Ordinal);
        // Pages 0 and 1 went through their block before page 2's answer was looked at.
        var record = await harness.RecordAsync(result);
        Assert.Equal(2, record.Steps.Count(s => s.StepId == "requested" && s.Status == StepStatus.Completed));
    }
}
