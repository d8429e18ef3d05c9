using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using FlowEngine.Persistence;
using FlowEngine.Server.Auth;
using FlowEngine.Server.Elsa;

namespace FlowEngine.Designer.Tests;

/// <summary>The studio's calls over HTTP: saving into one draft, publishing, refusing what our format cannot say, running.</summary>
public sealed class ElsaApiTests(DesignerServer server) : IClassFixture<DesignerServer>
{
    private HttpClient Client => server.Client;

    private async Task<JsonObject> GetAsync(string path)
    {
        using var response = await Client.GetAsync("/elsa/api" + path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!.AsObject();
    }

    private async Task<(HttpStatusCode Status, JsonObject Body)> SaveAsync(JsonObject model, bool publish = false)
    {
        var body = new JsonObject { ["model"] = model.DeepClone(), ["publish"] = publish };
        using var response = await Client.PostAsync("/elsa/api/workflow-definitions", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, JsonNode.Parse(text)!.AsObject());
    }

    private static JsonObject Activity(JsonObject model, string id) =>
        model["root"]!["activities"]!.AsArray().OfType<JsonObject>().Single(a => a["id"]!.ToString() == id);

    private async Task<IReadOnlyList<DefinitionVersionEntity>> VersionsAsync(string id) => await server.Start.Engine.Definitions.ListAsync(id);

    [Fact]
    public async Task SavesIntoOneDraftPublishesAndExportsAnEquivalentFile()
    {
        const string id = "demo.active_emails";
        var model = await GetAsync($"/workflow-definitions/by-definition-id/{id}?versionOptions=Latest");

        // Saving what was opened changes nothing (the studio auto-saves after opening).
        var (status, unchanged) = await SaveAsync(model);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"{id}@1", unchanged["workflowDefinition"]!["id"]!.ToString());
        Assert.Single(await VersionsAsync(id));

        // A change opens draft version 2; the next changes stay in it.
        Activity(model, "keep")["if"]!["expression"]!["value"] = "{{ user.active == true }}";
        (status, var saved) = await SaveAsync(model);
        Assert.True(status == HttpStatusCode.OK, saved.ToJsonString());
        Assert.Equal($"{id}@2", saved["workflowDefinition"]!["id"]!.ToString());
        Assert.False(saved["workflowDefinition"]!["isPublished"]!.GetValue<bool>());
        Activity(model, "keep")["metadata"]!["designer"]!["position"]!["x"] = 777;
        (status, saved) = await SaveAsync(model);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"{id}@2", saved["workflowDefinition"]!["id"]!.ToString());
        var versions = await VersionsAsync(id);
        Assert.Equal([1, 2], versions.Select(v => v.Version));
        Assert.Equal([VersionStatus.Published, VersionStatus.Draft], versions.Select(v => v.Status));
        Assert.Contains("user.active == true", versions[1].SourceText, StringComparison.Ordinal);
        Assert.Contains("x: 777", versions[1].SourceText, StringComparison.Ordinal);

        // Publish (the list's row menu): version 2 is the only published one.
        using (var publish = await Client.PostAsync($"/elsa/api/workflow-definitions/{id}/publish", JsonContent.Create(new { })))
        {
            var published = JsonNode.Parse(await publish.Content.ReadAsStringAsync())!;
            Assert.True(publish.IsSuccessStatusCode, published.ToJsonString());
            Assert.True(published["workflowDefinition"]!["isPublished"]!.GetValue<bool>());
            Assert.False(published["alreadyPublished"]!.GetValue<bool>());
        }

        versions = await VersionsAsync(id);
        Assert.Equal([VersionStatus.Draft, VersionStatus.Published], versions.Select(v => v.Status));

        // The next change opens version 3 (published versions are never overwritten); publish from the editor.
        Activity(model, "keep")["if"]!["expression"]!["value"] = "{{ user.active }}";
        (status, saved) = await SaveAsync(model, publish: true);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($"{id}@3", saved["workflowDefinition"]!["id"]!.ToString());
        Assert.True(saved["workflowDefinition"]!["isPublished"]!.GetValue<bool>());

        // The export reads back as the shipped file's definition (with the designer's layout added).
        using var export = await Client.GetAsync($"/elsa/api/workflow-definitions/{id}/export");
        var yaml = await export.Content.ReadAsStringAsync();
        var exported = server.Start.Engine.Reader.Read("active_emails.yaml", yaml);
        Assert.True(exported.Succeeded, string.Join("\n", exported.Diagnostics) + "\n" + yaml);
        var shipped = server.Start.Engine.Reader.ReadFile(Path.Combine(server.FlowsFolder, "examples", "active_emails.yaml"));
        Assert.Equal(Canonical.Of(shipped.Definition! with { Version = 3 }), Canonical.Of(exported.Definition!));

        // Retract leaves nothing published; retracting again is refused with a message.
        using (var retract = await Client.PostAsync($"/elsa/api/workflow-definitions/{id}/retract", JsonContent.Create(new { })))
        {
            Assert.True(retract.IsSuccessStatusCode);
        }

        Assert.All(await VersionsAsync(id), v => Assert.Equal(VersionStatus.Draft, v.Status));
        using var again = await Client.PostAsync($"/elsa/api/workflow-definitions/{id}/retract", JsonContent.Create(new { }));
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Contains("no published version", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // Callers (demo.idle_report) need a published version again.
        using var republish = await Client.PostAsync($"/elsa/api/workflow-definitions/{id}/publish", JsonContent.Create(new { }));
        Assert.True(republish.IsSuccessStatusCode);
    }

    [Fact]
    public async Task StudioDroppedActivitiesAreSavedAsSteps()
    {
        const string id = "roadmunk.sam.validate_connection";
        var model = await GetAsync($"/workflow-definitions/by-definition-id/{id}?versionOptions=Latest");
        var activities = model["root"]!["activities"]!.AsArray();
        var last = activities.Last()!["id"]!.ToString();
        // As the studio writes a dropped and edited activity: a random id, a generated name, typeName null, "True" strings.
        activities.Add(new JsonObject
        {
            ["id"] = "bf4ebb69fd7632bd",
            ["nodeId"] = "Workflow1:flowchart1:bf4ebb69fd7632bd",
            ["name"] = "log1",
            ["type"] = "FlowEngine.log",
            ["version"] = 1,
            ["metadata"] = new JsonObject { ["designer"] = new JsonObject { ["position"] = new JsonObject { ["x"] = 88.4, ["y"] = -75 }, ["size"] = new JsonObject { ["width"] = 204.46875, ["height"] = 54 } } },
            ["log"] = new JsonObject { ["typeName"] = null, ["expression"] = new JsonObject { ["type"] = "Literal", ["value"] = "checked {{ steps.account.outputs }}" }, ["memoryReference"] = null },
            ["level"] = new JsonObject { ["typeName"] = null, ["expression"] = new JsonObject { ["type"] = "Literal", ["value"] = "warning" }, ["memoryReference"] = null },
        });
        model["root"]!["connections"]!.AsArray().Add(new JsonObject
        {
            ["source"] = new JsonObject { ["activity"] = last, ["port"] = "Done" },
            ["target"] = new JsonObject { ["activity"] = "bf4ebb69fd7632bd", ["port"] = "In" },
            ["vertices"] = new JsonArray(),
        });
        var (status, saved) = await SaveAsync(model);
        Assert.True(status == HttpStatusCode.OK, saved.ToJsonString());
        var text = (await VersionsAsync(id))[^1].SourceText;
        Assert.Contains("  - id: log1\n    log: \"checked {{ steps.account.outputs }}\"\n    level: warning\n    layout: { x: 88, y: -75 }\n", text, StringComparison.Ordinal);
        var node = Activity(saved["workflowDefinition"]!.AsObject(), "log1");
        Assert.Equal("Workflow1:flowchart1:log1", node["nodeId"]!.ToString());
    }

    [Theory]
    [InlineData("variables", "no declared workflow variables")]
    [InlineData("two-starts", "each start the flow")]
    [InlineData("javascript", "is written in JavaScript")]
    [InlineData("output-binding", "has no output bindings")]
    [InlineData("unknown-type", "is not a FlowEngine step")]
    [InlineData("bad-pill", "FE2002")]
    [InlineData("loop", "loop of connections")]
    [InlineData("setting", "keeps no workflow setting 'logPersistenceConfig'")]
    [InlineData("not-callable", "can always be called as an activity")]
    public async Task RefusesWhatOurFormatCannotSayWithAMessage(string change, string message)
    {
        const string id = "pagerduty.sam.update_user_activity";
        var before = await VersionsAsync(id);
        var model = await GetAsync($"/workflow-definitions/by-definition-id/{id}?versionOptions=Latest");
        var activities = model["root"]!["activities"]!.AsArray();
        var connections = model["root"]!["connections"]!.AsArray();
        var first = activities[0]!.AsObject();
        switch (change)
        {
            case "variables":
                model["variables"] = new JsonArray(new JsonObject { ["id"] = "v1", ["name"] = "Users", ["typeName"] = "Object", ["isArray"] = false, ["value"] = null });
                break;
            case "two-starts":
                connections.RemoveAt(0);
                break;
            case "javascript":
                var input = first.First(p => p.Value is JsonObject o && o["expression"] is not null).Key;
                first[input]!["expression"] = new JsonObject { ["type"] = "JavaScript", ["value"] = "1 + 1" };
                break;
            case "output-binding":
                first["users"] = new JsonObject { ["typeName"] = "Object", ["memoryReference"] = new JsonObject { ["id"] = "v1" } };
                break;
            case "unknown-type":
                first["type"] = "Elsa.WriteLine";
                break;
            case "bad-pill":
                var pill = first.First(p => p.Value is JsonObject o && o["expression"] is not null).Key;
                first[pill]!["expression"]!["value"] = "{{ steps.nope.outputs }}";
                break;
            case "setting":
                model["customProperties"]!["logPersistenceConfig"] = new JsonObject { ["default"] = "Exclude" };
                break;
            case "not-callable":
                model["options"]!["usableAsActivity"] = false;
                break;
            case "loop":
                connections.Add(new JsonObject
                {
                    ["source"] = new JsonObject { ["activity"] = activities[^1]!["id"]!.ToString(), ["port"] = "Done" },
                    ["target"] = new JsonObject { ["activity"] = first["id"]!.ToString(), ["port"] = "In" },
                });
                break;
        }

        var (status, body) = await SaveAsync(model);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        var errors = body["errors"]!["model"]!.AsArray().Select(e => e!.ToString()).ToList();
        Assert.Contains(errors, e => e.Contains(message, StringComparison.Ordinal));
        Assert.Equal(before.Select(v => (v.Version, v.Hash)), (await VersionsAsync(id)).Select(v => (v.Version, v.Hash)));
    }

    [Fact]
    public async Task CreateWorkflowDialogMakesANewFlow()
    {
        var unique = await GetAsync("/workflow-definitions/validation/is-name-unique?name=Workflow%201");
        Assert.True(unique["isUnique"]!.GetValue<bool>());
        Assert.False((await GetAsync("/workflow-definitions/validation/is-name-unique?name=Idle%20user%20report"))["isUnique"]!.GetValue<bool>());
        var model = JsonNode.Parse("""
            {"definitionId": null, "name": "Workflow 1", "description": null, "toolVersion": "3.8.0.0",
             "variables": null, "inputs": null, "outputs": null, "outcomes": null, "customProperties": null,
             "isReadonly": false, "options": null,
             "root": {"id": "44c043064ab79182", "type": "Elsa.Flowchart", "version": 1, "name": "Flowchart1"},
             "links": null, "createdAt": "0001-01-01T00:00:00+00:00", "version": 1, "isLatest": true, "isPublished": false, "id": null}
            """)!.AsObject();
        var (status, saved) = await SaveAsync(model);
        Assert.True(status == HttpStatusCode.OK, saved.ToJsonString());
        var definition = saved["workflowDefinition"]!;
        Assert.Equal("designer.workflow_1", definition["definitionId"]!.ToString());
        Assert.Equal("designer.workflow_1@1", definition["id"]!.ToString());
        Assert.Equal("Workflow1:flowchart1", definition["root"]!["nodeId"]!.ToString());
        Assert.Empty(definition["root"]!["activities"]!.AsArray());
        var stored = Assert.Single(await VersionsAsync("designer.workflow_1"));
        Assert.StartsWith("# yaml-language-server: $schema=../flowengine.schema.json\nkind: flow\nid: designer.workflow_1\nname: Workflow 1\nversion: 1\ntriggers:\n  - manual: {}\nsteps: []\n", stored.SourceText, StringComparison.Ordinal);
        using var delete = await Client.DeleteAsync("/elsa/api/workflow-definitions/designer.workflow_1");
        Assert.True(delete.IsSuccessStatusCode);
        Assert.Empty(await VersionsAsync("designer.workflow_1"));
    }

    [Fact]
    public async Task RunStartsAnExecutionTheViewerReads()
    {
        using var response = await Client.PostAsync("/elsa/api/workflow-definitions/demo.idle_report/execute",
            new StringContent("""{"correlationId":null,"triggerActivityId":null,"versionOptions":"Latest","input":null}""", Encoding.UTF8, "application/json"));
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync());
        var instanceId = Assert.Single(response.Headers.GetValues(ElsaApi.InstanceIdHeader));
        Assert.Contains(ElsaApi.InstanceIdHeader, response.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.Ordinal);

        var instance = await GetAsync($"/workflow-instances/{instanceId}");
        Assert.True(instance["subStatus"]!.ToString() == "Finished", instance.ToJsonString());
        Assert.Equal("Finished", instance["subStatus"]!.ToString());
        var model = await GetAsync($"/workflow-definitions/by-id/{instance["definitionVersionId"]}");
        var nodeIds = model["root"]!["activities"]!.AsArray().Select(a => a!["nodeId"]!.ToString()).ToArray();
        using var journalResponse = await Client.PostAsync($"/elsa/api/workflow-instances/{instanceId}/journal?skip=0&take=50", JsonContent.Create(new
        {
            filter = new { activityIds = (string[]?)null, activityNodeIds = nodeIds, excludedActivityTypes = new[] { "Elsa.Workflow", "Elsa.Flowchart" }, eventNames = (string[]?)null },
        }));
        var journal = JsonNode.Parse(await journalResponse.Content.ReadAsStringAsync())!;
        using var reportResponse = await Client.PostAsync("/elsa/api/activity-executions/report", JsonContent.Create(new { workflowInstanceId = instanceId, activityNodeIds = nodeIds }));
        var report = JsonNode.Parse(await reportResponse.Content.ReadAsStringAsync())!;
        var summaries = await GetAsync($"/activity-execution-summaries/list?WorkflowInstanceId={instanceId}&ActivityNodeId=Workflow1:flowchart1:classify");
        var first = summaries["items"]!.AsArray()[0]!["id"]!.ToString();
        var record = await GetAsync($"/activity-executions/by-id?id={Uri.EscapeDataString(first)}");
        // The instance list names its rows by version id, with an empty versionOptions.
        var list = await GetAsync($"/workflow-definitions?versionOptions=&Ids={instance["definitionVersionId"]}");
        using var instances = await Client.PostAsync("/elsa/api/workflow-instances", new StringContent(
            """{"page":0,"pageSize":10,"searchTerm":"","definitionId":null,"definitionIds":[],"correlationId":null,"version":null,"hasIncidents":null,"isSystem":false,"status":null,"statuses":[],"subStatus":null,"subStatuses":[],"orderBy":null,"orderDirection":"Descending","timestampFilters":[]}""",
            Encoding.UTF8, "application/json"));
        var instanceList = JsonNode.Parse(await instances.Content.ReadAsStringAsync())!;
        Assert.Contains(instanceList["items"]!.AsArray(), i => i!["id"]!.ToString() == instanceId);
        Assert.Single(list["items"]!.AsArray());

        Approval.Verify("run-instance", new JsonObject
        {
            ["instance"] = instance.DeepClone(),
            ["journal"] = journal.DeepClone(),
            ["report"] = report.DeepClone(),
            ["summaries"] = summaries.DeepClone(),
            ["record"] = record.DeepClone(),
        });
    }

    [Fact]
    public async Task AViewerKeyOpensTheStudioReadOnly()
    {
        var keys = new ApiKeys(server.Start.Engine.Store, TimeProvider.System);
        var key = await keys.CreateAsync("viewer", Roles.Viewer, CancellationToken.None);
        using var viewer = new HttpClient { BaseAddress = server.BaseAddress };
        viewer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        var list = JsonNode.Parse(await viewer.GetStringAsync("/elsa/api/workflow-definitions?versionOptions=Latest"))!;
        Assert.Empty(list["links"]!.AsArray());
        Assert.All(list["items"]!.AsArray(), i => Assert.Empty(i!["links"]!.AsArray()));
        var model = JsonNode.Parse(await viewer.GetStringAsync("/elsa/api/workflow-definitions/by-definition-id/demo.idle_report"))!;
        Assert.True(model["isReadonly"]!.GetValue<bool>());
        using var save = await viewer.PostAsync("/elsa/api/workflow-definitions", JsonContent.Create(new { model, publish = false }));
        Assert.Equal(HttpStatusCode.Forbidden, save.StatusCode);
        using var anonymous = new HttpClient { BaseAddress = server.BaseAddress };
        using var denied = await anonymous.GetAsync("/elsa/api/workflow-definitions");
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
    }
}
