using System.Collections;
using FlowEngine.Integration.Connections;
using FlowEngine.Persistence;
using FlowEngine.Runtime.Records;
using FlowEngine.Simulators;
using FlowEngine.Tests.Shared;
using Microsoft.Data.Sqlite;

namespace FlowEngine.Integration.Tests;

public sealed class AliasTests
{
    private const string Child = "sn_pagerduty_spoke.PagerDuty_second";

    private static ConnectionRecord Token(string alias, PagerDutySimulator sim, string? parent = null) => new()
    {
        AliasId = alias,
        ParentAliasId = parent,
        Url = sim.BaseUrl,
        CredentialType = "api_token",
        Secrets = new Dictionary<string, string> { ["token"] = sim.ApiToken },
    };

    private static IEnumerable<string> Ids(object? users) => ((IList)users!).Cast<Dictionary<string, object?>>().Select(u => (string)u["id"]!);

    [Fact]
    public async Task ChildAlias_ReachesASecondAccount_WhileTheParentReachesTheFirst_InOneProcess()
    {
        await using var first = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 12, Subdomain = "first", RandomSeed = 1 });
        await using var second = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 7, Subdomain = "second", RandomSeed = 2 });
        var subflow = """
            kind: subflow
            id: test.second_account
            version: 1
            connections:
              sn_pagerduty_spoke.PagerDuty: sn_pagerduty_spoke.PagerDuty_second
            outputs:
              count: integer
            steps:
              - id: users
                call: pagerduty.list_users
              - outputs: { count: "{{ steps.users.outputs.count }}" }
            """;
        var flow = """
            kind: flow
            id: test.both_accounts
            version: 1
            outputs:
              first: integer
              second: integer
              action_level: integer
            steps:
              - id: parent
                call: pagerduty.list_users
              - id: child
                call: test.second_account
              - id: back_to_first
                call: test.second_account
                connections: { sn_pagerduty_spoke.PagerDuty: sn_pagerduty_spoke.PagerDuty }
              - outputs:
                  first: "{{ steps.parent.outputs.count }}"
                  second: "{{ steps.child.outputs.count }}"
                  action_level: "{{ steps.back_to_first.outputs.count }}"
            """;
        var harness = new IntegrationHarness(extra: [("second.yaml", subflow), ("both.yaml", flow)]);
        await harness.SetAsync(Token(IntegrationHarness.PagerDutyAlias, first));
        await harness.SetAsync(Token(Child, second, parent: IntegrationHarness.PagerDutyAlias));

        var parent = harness.RunAsync("pagerduty.list_users");
        var child = harness.RunAsync("pagerduty.list_users", overrides: new() { [IntegrationHarness.PagerDutyAlias] = Child });
        var results = await Task.WhenAll(parent, child);
        Assert.Equal(first.Users.Select(u => u.Id).Order(), Ids(results[0].Outputs["users"]).Order());
        Assert.Equal(second.Users.Select(u => u.Id).Order(), Ids(results[1].Outputs["users"]).Order());

        var fetch = (await harness.RecordAsync(results[1])).Steps.Single(s => s.StepId == "fetch");
        Assert.Contains($"\"alias\":\"{IntegrationHarness.PagerDutyAlias}\",\"alias_used\":\"{Child}\"", fetch.InputsJson, StringComparison.Ordinal);

        var both = await harness.RunAsync("test.both_accounts");
        Assert.True(both.Status == ExecutionStatus.Completed, both.Record.Error);
        Assert.Equal((12L, 7L, 12L), ((long)both.Outputs["first"]!, (long)both.Outputs["second"]!, (long)both.Outputs["action_level"]!));
    }

    [Fact]
    public async Task ChildAlias_InheritsAttributesItDoesNotSet_AndRegionPicksTheRoadmunkGateway()
    {
        var harness = new IntegrationHarness();
        await harness.SetAsync(new ConnectionRecord
        {
            AliasId = IntegrationHarness.RoadmunkAlias,
            CredentialType = "api_token",
            Attributes = new Dictionary<string, string> { ["region"] = "eu", ["page_size"] = "50" },
            Secrets = new Dictionary<string, string> { ["token"] = "rm-token" },
        });
        await harness.SetAsync(new ConnectionRecord
        {
            AliasId = "sn_roadmunk_spoke.Roadmunk_apac",
            ParentAliasId = IntegrationHarness.RoadmunkAlias,
            Attributes = new Dictionary<string, string> { ["region"] = "apac" },
            Secrets = new Dictionary<string, string> { ["token"] = "rm-token-2" },
        });

        var parent = await harness.Integration.Resolver.ResolveAsync(IntegrationHarness.RoadmunkAlias, null, default);
        var child = await harness.Integration.Resolver.ResolveAsync("sn_roadmunk_spoke.Roadmunk_apac", null, default);

        Assert.Equal("https://eu-gateway.roadmunk.com", parent.BaseUrl);
        Assert.Equal("https://apac-gateway.roadmunk.com", child.BaseUrl);
        Assert.Equal(50L, child.Attributes["page_size"]);
        Assert.Equal("api_token", child.CredentialType);
        Assert.Equal("Bearer {token}", child.Setting("format"));
    }

    [Fact]
    public async Task UnconfiguredAlias_SaysHowToConfigureIt()
    {
        var harness = new IntegrationHarness();
        var result = await harness.RunAsync("pagerduty.list_users");
        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal($"step 'fetch': alias '{IntegrationHarness.PagerDutyAlias}' has no connection yet; create it with 'flowengine aliases set {IntegrationHarness.PagerDutyAlias} --credential <type> …'", result.Record.Error);
    }

    [Fact]
    public async Task ConnectionStore_EncryptsSecretsAtRest_WithAKeyOutsideTheDatabase()
    {
        var folder = TestPaths.TempFolder();
        var database = Path.Combine(folder, "flowengine.db");
        var store = await FlowStore.OpenAsync(StoreOptions.Sqlite(database));
        var connections = new EfConnectionStore(store, EfConnectionStore.CreateProtector(Path.Combine(folder, "keys")), TimeProvider.System);
        await connections.SaveAsync(new ConnectionRecord
        {
            AliasId = IntegrationHarness.PagerDutyAlias,
            Url = "https://api.pagerduty.com",
            CredentialType = "oauth2_authorization_code",
            Settings = new Dictionary<string, string> { ["client_id"] = "client-abc" },
            Secrets = new Dictionary<string, string> { ["client_secret"] = "CLIENT-SECRET-123456" },
            AccessToken = "pdus+_ACCESS-7890",
            RefreshToken = "REFRESH-ABCDEF",
        }, default);

        var back = (await connections.GetAsync(IntegrationHarness.PagerDutyAlias, default))!;
        Assert.Equal(("CLIENT-SECRET-123456", "pdus+_ACCESS-7890", "REFRESH-ABCDEF"), (back.Secrets["client_secret"], back.AccessToken, back.RefreshToken));
        Assert.Equal("********", back.Masked().Secrets["client_secret"]);

        SqliteConnection.ClearAllPools();
        var bytes = string.Concat(new[] { database, database + "-wal" }.Where(File.Exists).Select(f => System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(f))));
        Assert.Contains("client-abc", bytes, StringComparison.Ordinal);
        foreach (var secret in new[] { "CLIENT-SECRET-123456", "pdus+_ACCESS-7890", "REFRESH-ABCDEF" })
        {
            Assert.DoesNotContain(secret, bytes, StringComparison.Ordinal);
        }

        var otherKeys = new EfConnectionStore(store, EfConnectionStore.CreateProtector(Path.Combine(folder, "other-keys")), TimeProvider.System);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => otherKeys.GetAsync(IntegrationHarness.PagerDutyAlias, default));
        Assert.Contains("cannot be decrypted", ex.Message, StringComparison.Ordinal);
    }
}
