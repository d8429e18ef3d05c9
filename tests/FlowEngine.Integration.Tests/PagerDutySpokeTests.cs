using System.Collections;
using FlowEngine.Expressions;
using FlowEngine.Integration.Connections;
using FlowEngine.Runtime.Records;
using FlowEngine.Simulators;

namespace FlowEngine.Integration.Tests;

public sealed class PagerDutySpokeTests
{
    private static Task<(IntegrationHarness Harness, PagerDutySimulator Sim)> StartAsync(PagerDutySeed? seed = null, params (string File, string Text)[] extra) =>
        IntegrationHarness.WithPagerDutyAsync(seed ?? new PagerDutySeed { UserCount = 250 }, extra: extra);

    private static List<Dictionary<string, object?>> Users(object? value) => ((IList)value!).Cast<Dictionary<string, object?>>().ToList();

    [Fact]
    public async Task ListUsers_PagesThroughEveryUser_WithTheApiTokenAndAcceptHeader()
    {
        var (harness, sim) = await StartAsync();
        await using var _ = sim;

        var result = await harness.RunAsync("pagerduty.list_users");

        Assert.True(result.Status == ExecutionStatus.Completed, result.Record.Error);
        var users = Users(result.Outputs["users"]);
        Assert.Equal(sim.Users.Select(u => u.Id).Order(), users.Select(u => (string)u["id"]!).Order());
        Assert.Equal(250L, result.Outputs["count"]);
        Assert.Equal(sim.Users[3].Email, users.Single(u => (string)u["id"]! == sim.Users[3].Id)["email"]);
        Assert.Equal(3, sim.RequestCount("GET", "/users"));
        Assert.Equal(0, sim.MissingAcceptHeaderCount);
        var fetch = (await harness.RecordAsync(result)).Steps.Single(s => s.StepId == "fetch");
        Assert.Contains($"\"alias\":\"{IntegrationHarness.PagerDutyAlias}\",\"alias_used\":\"{IntegrationHarness.PagerDutyAlias}\"", fetch.InputsJson, StringComparison.Ordinal);
        Assert.DoesNotContain(sim.ApiToken, await harness.EverythingStoredAsync(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListUsers_Streamed_TheCallerSeesEveryUser_WhileEachPagesStepRecordsKeepASample()
    {
        const string consumer = """
            kind: flow
            id: test.stream_users
            version: 1
            outputs:
              count: { type: integer }
            steps:
              - set: { n: 0 }
              - id: users
                call: pagerduty.list_users
                as: page
                do:
                  - id: emails
                    transform: "{{ page }}"
                    value: "{{ lower(item.email) }}"
                  - set: { n: "{{ vars.n + steps.emails.outputs.count }}" }
              - id: all_emails
                transform: [a, b, c, d, e]
                value: "{{ item }}"
              - outputs: { count: "{{ vars.n }}" }
            """;
        var (harness, sim) = await StartAsync(null, ("flows/test/stream_users.yaml", consumer));
        await using var _ = sim;

        var result = await harness.RunAsync("test.stream_users");

        Assert.True(result.Status == ExecutionStatus.Completed, result.Record.Error);
        Assert.Equal(250L, result.Outputs["count"]);
        var steps = (await harness.RecordAsync(result)).Steps;
        var pages = steps.Where(s => s.StepId == "emails").ToList();
        Assert.Equal(3, pages.Count);
        // A page of 100 users: its record keeps the first three and says how many there were.
        var first = (Dictionary<string, object?>)Values.ParseJson(pages[0].OutputsJson!)!;
        var items = (IList)first["items"]!;
        Assert.Equal(4, items.Count);
        Assert.Equal(sim.Users.OrderBy(u => u.Name, StringComparer.Ordinal).First().Email.ToLowerInvariant(), items[0]);
        Assert.StartsWith("... 97 more (100 items in all", (string)items[3]!, StringComparison.Ordinal);
        Assert.Equal(100L, first["count"]);
        Assert.Contains("... 47 more (50 items in all", pages[2].OutputsJson, StringComparison.Ordinal);
        // So does the spoke's own per-page step; a top-level step's record keeps every item (a resume reads it back).
        Assert.All(steps.Where(s => s.StepId == "shape"), s => Assert.Contains(" more (", s.OutputsJson, StringComparison.Ordinal));
        Assert.Equal("""{"items":["a","b","c","d","e"],"count":5}""", steps.Single(s => s.StepId == "all_emails").OutputsJson);
    }

    [Fact]
    public async Task ListUsers_TenThousandUsers_ReadsAllOfThem_AndOneMoreHitsTheOffsetCapClearly()
    {
        var (harness, sim) = await StartAsync(new PagerDutySeed { UserCount = 10_000 });
        await using (sim)
        {
            var result = await harness.RunAsync("pagerduty.list_users");
            Assert.True(result.Status == ExecutionStatus.Completed, result.Record.Error);
            Assert.Equal(10_000L, result.Outputs["count"]);
            Assert.Equal(10_000, Users(result.Outputs["users"]).Select(u => u["id"]).Distinct().Count());
        }

        var (over, bigger) = await StartAsync(new PagerDutySeed { UserCount = 10_001 });
        await using (bigger)
        {
            var failed = await over.RunAsync("pagerduty.list_users");
            Assert.Equal(ExecutionStatus.Failed, failed.Status);
            Assert.Contains("PagerDuty (alias sn_pagerduty_spoke.PagerDuty) stops offset paging at 10000 (offset + limit) and there are more than 10000 items at GET /users", failed.Record.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task RateLimitStorm_IsWaitedOutWithRatelimitReset_AndRetriesAreRecorded()
    {
        var (harness, sim) = await StartAsync(new PagerDutySeed { UserCount = 150 });
        await using var _ = sim;
        sim.Faults.RateLimitNext(3, resetSeconds: 1);
        var started = DateTimeOffset.UtcNow;

        var result = await harness.RunAsync("pagerduty.list_users");

        Assert.True(result.Status == ExecutionStatus.Completed, result.Record.Error);
        Assert.Equal(150L, result.Outputs["count"]);
        Assert.Equal(3, (await harness.RecordAsync(result)).Steps.Single(s => s.StepId == "fetch").RetryCount);
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromSeconds(2.5), "three 429s with ratelimit-reset: 1 should wait about 3 s");
    }

    [Fact]
    public async Task WrongToken_FailsWithAClearCredentialMessage()
    {
        var (harness, sim) = await StartAsync();
        await using var _ = sim;
        await harness.SetAsync(new ConnectionRecord
        {
            AliasId = IntegrationHarness.PagerDutyAlias,
            Url = sim.BaseUrl,
            CredentialType = "api_token",
            Secrets = new Dictionary<string, string> { ["token"] = "not-the-token-0000" },
        });

        var result = await harness.RunAsync("pagerduty.list_users");

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.StartsWith($"step 'fetch': credential for alias {IntegrationHarness.PagerDutyAlias} was rejected (401) by PagerDuty", result.Record.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-token-0000", await harness.EverythingStoredAsync(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RemoveUser_MapsEveryAnswerToStatusAndMessage_AndDeletesOnce()
    {
        var (harness, sim) = await StartAsync(new PagerDutySeed { UserCount = 30, OpenIncidentsEvery = 0 });
        await using var _ = sim;
        var plain = sim.Users.First(u => u.Role != "owner" && u.OpenIncidents == 0);
        var busy = sim.Users.Last(u => u.Role != "owner");
        sim.SetOpenIncidents(busy.Id, 3);

        var removed = await harness.RunAsync("pagerduty.remove_user", new() { ["user_id"] = plain.Id });
        Assert.Equal(("success", ""), ((string)removed.Outputs["status"]!, (string)removed.Outputs["error_message"]!));
        Assert.DoesNotContain(sim.Users, u => u.Id == plain.Id);

        var again = await harness.RunAsync("pagerduty.remove_user", new() { ["user_id"] = plain.Id });
        Assert.Equal("success", again.Outputs["status"]);
        Assert.Contains("already removed", (string)again.Outputs["error_message"]!, StringComparison.Ordinal);

        var refused = await harness.RunAsync("pagerduty.remove_user", new() { ["user_id"] = busy.Id });
        Assert.Equal("failure", refused.Outputs["status"]);
        Assert.Contains($"PagerDuty refused to remove user {busy.Id}:", (string)refused.Outputs["error_message"]!, StringComparison.Ordinal);
        Assert.Contains("3 open incidents", (string)refused.Outputs["error_message"]!, StringComparison.Ordinal);
        Assert.Equal(1, sim.DeleteCount(busy.Id));
        Assert.Contains(sim.Users, u => u.Id == busy.Id);
    }

    [Fact]
    public async Task LookUpOnCallUsers_ReturnsTheLastOnCallTimePerEntryInTheWindow()
    {
        var (harness, sim) = await StartAsync(new PagerDutySeed { UserCount = 40 });
        await using var _ = sim;
        var since = DateTimeOffset.UtcNow.AddDays(-60);

        var result = await harness.RunAsync("pagerduty.look_up_on_call_users", new() { ["since"] = since.ToString("o") });

        Assert.True(result.Status == ExecutionStatus.Completed, result.Record.Error);
        var activity = Users(result.Outputs["activity"]);
        var expected = sim.OnCalls.Where(o => o.Overlaps(since, DateTimeOffset.UtcNow))
            .Select(o => o.UserId).Distinct().Order().ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected, activity.Select(a => (string)a["user_id"]!).Distinct().Order());
        Assert.All(activity, a => Assert.InRange((DateTimeOffset)a["at"]!, since, DateTimeOffset.UtcNow.AddMinutes(1)));
    }
}
