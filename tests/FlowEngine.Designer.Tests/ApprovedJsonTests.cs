using System.Text.Json.Nodes;

namespace FlowEngine.Designer.Tests;

/// <summary>
/// The JSON the studio reads, pinned against reviewed files under Approved/ (a fresh server, nothing changed): the
/// definition list, a subflow as a flowchart, a flow with every block kind, the activity types and the lookups.
/// </summary>
public sealed class ApprovedJsonTests(DesignerServer server) : IClassFixture<DesignerServer>
{
    private async Task<JsonNode> GetAsync(string path)
    {
        using var response = await server.Client.GetAsync("/elsa/api" + path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    [Fact]
    public async Task DefinitionList() =>
        Approval.Verify("definition-list", await GetAsync("/workflow-definitions?versionOptions=Latest&Page=0&PageSize=10&SearchTerm=&IsSystem=False&OrderDirection=Ascending" +
            "&DefinitionIds=demo.idle_report&DefinitionIds=pagerduty.sam.download_subscriptions&DefinitionIds=pagerduty.list_users"));

    [Fact]
    public async Task PublishedColumn() =>
        Approval.Verify("definition-list-published", await GetAsync("/workflow-definitions?versionOptions=Published&DefinitionIds=demo.idle_report&DefinitionIds=pagerduty.list_users"));

    [Fact]
    public async Task PagerDutyDownloadSubflow() =>
        Approval.Verify("pagerduty.sam.download_subscriptions", await GetAsync("/workflow-definitions/by-definition-id/pagerduty.sam.download_subscriptions?versionOptions=Latest"));

    [Fact]
    public async Task IdleReportFlow() =>
        Approval.Verify("demo.idle_report", await GetAsync("/workflow-definitions/by-definition-id/demo.idle_report?versionOptions=Latest"));

    // Pinned for the built-in step types and a few callables, so adding a spoke or a step type elsewhere does not move it.
    private static readonly string[] PinnedTypes =
    [
        "FlowEngine.set", "FlowEngine.append", "FlowEngine.if", "FlowEngine.else_if", "FlowEngine.for_each", "FlowEngine.call",
        "FlowEngine.try", "FlowEngine.fail", "FlowEngine.log", "FlowEngine.outputs", "FlowEngine.rest", "FlowEngine.sam_replace_subscriptions",
        "pagerduty.list_users", "pagerduty.sam.download_subscriptions", "demo.active_emails", "Elsa.Flowchart",
    ];

    [Fact]
    public async Task ActivityDescriptors()
    {
        var all = await GetAsync("/descriptors/activities?Refresh=True");
        var items = all["items"]!.AsArray();
        Assert.Equal(items.Count, all["count"]!.GetValue<int>());
        var categories = items.Where(i => i!["isBrowsable"]!.GetValue<bool>()).Select(i => i!["category"]!.ToString()).ToHashSet();
        Assert.Superset(new HashSet<string> { "Flow logic", "Integration", "License Management", "PagerDuty", "Roadmunk" }, categories);
        Assert.All(items, i => Assert.Equal(1, i!["version"]!.GetValue<int>()));
        var pinned = new JsonArray(PinnedTypes.Select(t => items.Single(i => i!["typeName"]!.ToString() == t)!.DeepClone()).ToArray());
        Approval.Verify("activity-descriptors", pinned);
    }

    [Fact]
    public async Task Lookups()
    {
        var lookups = new JsonObject();
        foreach (var path in new[]
        {
            "/descriptors/expression-descriptors", "/descriptors/variables", "/descriptors/storage-drivers",
            "/descriptors/workflow-activation-strategies", "/descriptors/incident-strategies", "/descriptors/log-persistence-strategies",
            "/descriptors/commit-strategies/workflows", "/descriptors/commit-strategies/activities", "/descriptors/output-converters",
            "/features/installed",
        })
        {
            lookups[path] = await GetAsync(path);
        }

        Approval.Verify("lookups", lookups);
    }
}
