using FlowEngine.Integration.Connections;
using FlowEngine.Integration.Spokes;
using FlowEngine.Runtime.Records;
using FlowEngine.Simulators;

namespace FlowEngine.Integration.Tests;

/// <summary>
/// Per-alias limits over real HTTP: the simulator counts what reaches it (requests in flight at once, arrival times),
/// so these tests see what the vendor would see.
/// </summary>
public sealed class AliasLimitsTests
{
    // Sends GET /abilities 'count' times, 'parallelism' at once, through the PagerDuty alias.
    private const string Burst = """
        kind: action
        id: pagerduty.test_burst
        version: 1
        inputs:
          count: { type: integer }
          parallelism: { type: integer }
        steps:
          - id: each
            for_each: "{{ range(inputs.count) }}"
            as: i
            parallelism: "{{ inputs.parallelism }}"
            do:
              - id: get
                rest: /abilities
        """;

    private static async Task<(IntegrationHarness Harness, PagerDutySimulator Sim)> StartAsync(Dictionary<string, string> limits)
    {
        var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 5 });
        var harness = new IntegrationHarness(extra: ("tests/burst.yaml", Burst));
        await harness.SetAsync(new ConnectionRecord
        {
            AliasId = IntegrationHarness.PagerDutyAlias,
            Url = sim.BaseUrl,
            CredentialType = "api_token",
            Secrets = new Dictionary<string, string> { ["token"] = sim.ApiToken },
            Settings = limits.ToDictionary(l => AliasLimits.SettingPrefix + l.Key, l => l.Value),
        });
        return (harness, sim);
    }

    private static Dictionary<string, object?> Inputs(long count, long parallelism) => new() { ["count"] = count, ["parallelism"] = parallelism };

    [Fact]
    public void Spokes_DeclareLimits_AndAConnectionSettingOverridesThem()
    {
        var spokes = SpokeCatalog.Load([FlowEngine.Tests.Shared.TestPaths.Flows]);
        var pagerDuty = spokes.Find(IntegrationHarness.PagerDutyAlias)!.Limits;
        Assert.Equal(new AliasLimits { Concurrency = 4, RequestsPerSecond = 15, Queue = 64, MaxWait = TimeSpan.FromSeconds(120) }, pagerDuty);
        Assert.Equal(10, spokes.Find(IntegrationHarness.RoadmunkAlias)!.Limits.RequestsPerSecond);

        var overridden = AliasLimits.FromSettings(new Dictionary<string, string> { ["limits.concurrency"] = "2", ["token_url"] = "x" }, pagerDuty);
        Assert.Equal(pagerDuty with { Concurrency = 2 }, overridden);
        var wrong = Assert.Throws<ArgumentException>(() => AliasLimits.FromSettings(new Dictionary<string, string> { ["limits.concurency"] = "2" }, pagerDuty));
        Assert.Contains("unknown limit 'concurency'", wrong.Message, StringComparison.Ordinal);

        var bad = new SpokeCatalog();
        bad.Add("bad/spoke.yaml", """
            kind: spoke
            id: bad
            aliases:
              x.Bad:
                limits: { concurrency: 0, queue: 3 }
            """);
        Assert.Contains(bad.Diagnostics, d => d.Message.Contains("limits.concurrency must be a whole number from 1 to 256, not 0", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AtMostConcurrencyRequests_AreInFlightAtTheVendorAtOnce()
    {
        var (harness, sim) = await StartAsync(new() { ["concurrency"] = "2", ["requests_per_second"] = "1000" });
        await using var _ = sim;
        // Each request takes 300 ms at the vendor, so 8 asked at once would overlap if nothing held them back.
        sim.Faults.DelayNext(12, TimeSpan.FromMilliseconds(300));

        var result = await harness.RunAsync("pagerduty.test_burst", Inputs(12, 8));

        Assert.True(result.Status == ExecutionStatus.Completed, result.Record.Error);
        Assert.Equal(12, sim.RequestCount("GET", "/abilities"));
        Assert.Equal(2, sim.PeakInFlight);
    }

    [Fact]
    public async Task RequestsPerSecond_BoundsHowManyStartInAnySecond()
    {
        var (harness, sim) = await StartAsync(new() { ["concurrency"] = "16", ["requests_per_second"] = "5" });
        await using var _ = sim;

        var result = await harness.RunAsync("pagerduty.test_burst", Inputs(24, 8));

        Assert.True(result.Status == ExecutionStatus.Completed, result.Record.Error);
        var arrivals = sim.Arrivals("/abilities");
        Assert.Equal(24, arrivals.Count);
        // A token bucket of 5 (one second's worth) refilled 5 a second: at most 5 + 5 start within any second; one more
        // for the network's jitter between the client's start and the simulator's arrival. Unlimited, all 24 arrive
        // within a fraction of a second.
        var busiest = arrivals.Max(start => arrivals.Count(a => a >= start && a < start + TimeSpan.FromSeconds(1)));
        Assert.InRange(busiest, 1, 11);
    }

    [Fact]
    public async Task AFullQueue_FailsTheStep_NamingTheAliasAndTheLimit_AndSendsNothingMore()
    {
        var (harness, sim) = await StartAsync(new() { ["concurrency"] = "1", ["queue"] = "2", ["requests_per_second"] = "1000" });
        await using var _ = sim;
        sim.Faults.DelayNext(1, TimeSpan.FromSeconds(2));

        var result = await harness.RunAsync("pagerduty.test_burst", Inputs(8, 8));

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Contains(
            "alias sn_pagerduty_spoke.PagerDuty: 2 requests already waiting (limits.queue); at most 1 run at once (limits.concurrency); this request to PagerDuty was not sent",
            result.Record.Error,
            StringComparison.Ordinal);
        Assert.InRange(sim.RequestCount("GET", "/abilities"), 1, 3);
    }

    [Fact]
    public async Task AWaitLongerThanMaxWait_FailsTheStep_NamingTheAliasAndTheLimit()
    {
        var (harness, sim) = await StartAsync(new() { ["concurrency"] = "1", ["max_wait"] = "0.5", ["requests_per_second"] = "1000" });
        await using var _ = sim;
        sim.Faults.DelayNext(1, TimeSpan.FromSeconds(4));

        var result = await harness.RunAsync("pagerduty.test_burst", Inputs(2, 2));

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Contains("alias sn_pagerduty_spoke.PagerDuty: a request to PagerDuty waited 0.5 s for a slot (limits.max_wait) and got none", result.Record.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWaitThatWouldReachTheExecutionsTimeLimit_FailsThatStep_AndTheExecutionHoldingTheSlotCompletes()
    {
        var (harness, sim) = await StartAsync(new() { ["concurrency"] = "1", ["requests_per_second"] = "1000" });
        await using var _ = sim;
        sim.Faults.DelayNext(1, TimeSpan.FromSeconds(4));
        var definition = harness.Definitions.Find("pagerduty.test_burst", null)!;

        // The first execution holds the only slot for 4 s; the second has 2.5 s in all, so it gives up waiting 1 s before.
        var holder = harness.RunAsync("pagerduty.test_burst", Inputs(1, 1));
        for (var i = 0; i < 1000 && sim.RequestCount("GET", "/abilities") == 0; i++)
        {
            await Task.Delay(20);
        }

        Assert.Equal(1, sim.RequestCount("GET", "/abilities"));

        var limited = await harness.Runner.RunAsync(definition, Inputs(1, 1), new Runtime.Execution.RunOptions { TriggeredBy = "test", Timeout = TimeSpan.FromSeconds(2.5) });

        Assert.Equal(ExecutionStatus.Failed, limited.Status);
        Assert.Contains("alias sn_pagerduty_spoke.PagerDuty: a request to PagerDuty waited", limited.Record.Error, StringComparison.Ordinal);
        Assert.Contains("for a slot and the execution's time limit is about to run out", limited.Record.Error, StringComparison.Ordinal);
        var first = await holder;
        Assert.True(first.Status == ExecutionStatus.Completed, first.Record.Error);
        Assert.Equal(1, sim.RequestCount("GET", "/abilities"));
    }

    [Fact]
    public async Task TwoExecutions_ShareTheAliasLimit()
    {
        var (harness, sim) = await StartAsync(new() { ["concurrency"] = "2", ["requests_per_second"] = "1000" });
        await using var _ = sim;
        sim.Faults.DelayNext(12, TimeSpan.FromMilliseconds(300));

        // Each execution alone asks for 2 at once: within the limit. Together they ask for 4; the alias allows 2.
        var first = harness.RunAsync("pagerduty.test_burst", Inputs(6, 2));
        var second = harness.RunAsync("pagerduty.test_burst", Inputs(6, 2));
        var results = await Task.WhenAll(first, second);

        Assert.All(results, r => Assert.True(r.Status == ExecutionStatus.Completed, r.Record.Error));
        Assert.Equal(12, sim.RequestCount("GET", "/abilities"));
        Assert.Equal(2, sim.PeakInFlight);
    }
}
