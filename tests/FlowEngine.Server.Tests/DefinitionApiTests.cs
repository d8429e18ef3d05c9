using System.Net;
using System.Net.Http.Json;
using System.Text;
using FlowEngine.Server.Auth;

namespace FlowEngine.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class DefinitionApiTests(ServerFixture server)
{
    private static string Greet(string id, int version, string outputs = "greetings: \"{{ vars.greetings ?? [] }}\"") => $$$"""
        # yaml-language-server: $schema=../flowengine.schema.json
        kind: subflow
        id: {{{id}}}
        version: {{{version}}}
        inputs:
          users: { type: array, items: { type: object } }
        outputs:
          greetings: { type: array, items: { type: string } }
        steps:
          - id: each
            for_each: "{{ inputs.users }}"
            as: user
            do:
              - append: { to: vars.greetings, value: "Hello {{ user.name }}" }
          - outputs:
              {{{outputs}}}

        """;

    private static StringContent Yaml(string text) => new(text, Encoding.UTF8, "application/yaml");

    [Fact]
    public async Task Validate_ReportsDiagnostics_WithFileLineAndColumn_AsProblemDetails()
    {
        using var integrator = server.Client(Roles.Integrator);
        var typo = Greet("test.api_typo", 1, "greetings: \"{{ vars.greting }}\"");

        var problem = await ServerFixture.ReadAsync(await integrator.PostAsync("/api/definitions/validate", Yaml(typo)), HttpStatusCode.BadRequest);

        var error = problem.GetProperty("errors").EnumerateArray().Single(e => e.GetProperty("severity").GetString() == "error");
        Assert.Equal("FE2002", error.GetProperty("code").GetString());
        Assert.Equal(16, error.GetProperty("line").GetInt32());
        Assert.True(error.GetProperty("column").GetInt32() > 1);
        Assert.EndsWith(Path.Combine("test", "api_typo.yaml"), error.GetProperty("file").GetString(), StringComparison.Ordinal);
        Assert.Contains("greting", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        var valid = await ServerFixture.ReadAsync(await integrator.PostAsync("/api/definitions/validate", Yaml(Greet("test.api_typo", 1))));
        Assert.True(valid.GetProperty("valid").GetBoolean());
        Assert.Equal("test.api_typo", valid.GetProperty("id").GetString());
        using var stored = await integrator.GetAsync("/api/definitions/test.api_typo");
        Assert.Equal(HttpStatusCode.NotFound, stored.StatusCode);
    }

    [Fact]
    public async Task CreateDraft_Publish_ReadAsYamlAndJson_Export_RoundTrip()
    {
        using var integrator = server.Client(Roles.Integrator);
        var text = Greet("test.api_greet", 1);

        using var created = await integrator.PostAsync("/api/definitions", Yaml(text));
        var version = await ServerFixture.ReadAsync(created, HttpStatusCode.Created);
        Assert.Equal("Draft", version.GetProperty("status").GetString());
        Assert.Equal("/api/definitions/test.api_greet/versions/1", created.Headers.Location?.OriginalString);
        var definition = await ServerFixture.ReadAsync(await integrator.GetAsync("/api/definitions/test.api_greet"));
        Assert.Equal(JsonValueKindNull, definition.GetProperty("publishedVersion").ValueKind);

        using var notPublished = await integrator.PostAsJsonAsync("/api/executions", new { definitionId = "test.api_greet" });
        Assert.Equal(HttpStatusCode.NotFound, notPublished.StatusCode);

        var published = await ServerFixture.ReadAsync(await integrator.PostAsync("/api/definitions/test.api_greet/versions/1/publish", null));
        Assert.Equal("Published", published.GetProperty("status").GetString());

        var yaml = await integrator.GetStringAsync("/api/definitions/test.api_greet/versions/1/source");
        Assert.Equal(text, yaml);
        var json = await integrator.GetStringAsync("/api/definitions/test.api_greet/versions/1/source?format=json");
        var fromJson = server.Engine.Reader.Read("greet.json", json);
        Assert.True(fromJson.Succeeded, string.Join("\n", fromJson.Diagnostics));
        Assert.Equal("test.api_greet", fromJson.Definition!.Id);
        Assert.Equal(2, fromJson.Definition.Steps.Count);
        var detail = await ServerFixture.ReadAsync(await integrator.GetAsync("/api/definitions/test.api_greet/versions/1"));
        Assert.Equal("users", detail.GetProperty("inputs")[0].GetProperty("name").GetString());
        Assert.Equal(text, detail.GetProperty("source").GetString());

        var started = await ServerFixture.ReadAsync(await integrator.PostAsJsonAsync("/api/executions",
            new { definitionId = "test.api_greet", inputs = new { users = new[] { new { name = "Ana" } } } }), HttpStatusCode.Accepted);
        var run = await server.WaitForExecutionAsync(integrator, $"/api/executions/{started.GetProperty("id").GetString()}");
        Assert.Equal("Hello Ana", run.GetProperty("outputs").GetProperty("greetings")[0].GetString());

        var export = await ServerFixture.ReadAsync(await integrator.PostAsync("/api/definitions/test.api_greet/versions/1/export", null));
        Assert.True(export.GetProperty("written").GetBoolean());
        Assert.Equal("test/api_greet.yaml", export.GetProperty("path").GetString());
        var file = Path.Combine(server.FlowsFolder, "test", "api_greet.yaml");
        Assert.Equal(text, await File.ReadAllTextAsync(file));
        var again = await ServerFixture.ReadAsync(await integrator.PostAsync("/api/definitions/test.api_greet/versions/1/export", null));
        Assert.False(again.GetProperty("written").GetBoolean());

        await File.WriteAllTextAsync(file, text.Replace("Hello", "Hi", StringComparison.Ordinal));
        using var conflict = await integrator.PostAsync("/api/definitions/test.api_greet/versions/1/export", null);
        Assert.Equal(HttpStatusCode.Conflict, conflict.StatusCode);
        await ServerFixture.ReadAsync(await integrator.PostAsync("/api/definitions/test.api_greet/versions/1/export?force=true", null));
        Assert.Equal(text, await File.ReadAllTextAsync(file));
    }

    [Fact]
    public async Task Create_SameVersionWithOtherContent_IsAConflict_AndAJsonBodyIsStoredAsJson()
    {
        using var integrator = server.Client(Roles.Integrator);
        await ServerFixture.ReadAsync(await integrator.PostAsync("/api/definitions?publish=true", Yaml(Greet("test.api_conflict", 1))), HttpStatusCode.Created);
        var unchanged = await ServerFixture.ReadAsync(await integrator.PostAsync("/api/definitions", Yaml(Greet("test.api_conflict", 1))));
        Assert.Equal("Published", unchanged.GetProperty("status").GetString());

        var problem = await ServerFixture.ReadAsync(
            await integrator.PostAsync("/api/definitions", Yaml(Greet("test.api_conflict", 1, "greetings: []"))), HttpStatusCode.Conflict);
        var error = problem.GetProperty("errors").EnumerateArray().Single();
        Assert.Equal("FE4001", error.GetProperty("code").GetString());
        Assert.Equal(4, error.GetProperty("line").GetInt32());
        Assert.Contains("version: 2", error.GetProperty("message").GetString(), StringComparison.Ordinal);

        var json = """{ "kind": "action", "id": "test.api_json", "version": 1, "outputs": { "n": "integer" }, "steps": [ { "outputs": { "n": 3 } } ] }""";
        var created = await ServerFixture.ReadAsync(await integrator.PostAsync("/api/definitions?publish=true", new StringContent(json, Encoding.UTF8, "application/json")), HttpStatusCode.Created);
        Assert.EndsWith(Path.Combine("test", "api_json.json"), created.GetProperty("sourcePath").GetString(), StringComparison.Ordinal);
        Assert.Equal(json, await integrator.GetStringAsync("/api/definitions/test.api_json/versions/1/source"));
        var yaml = await integrator.GetStringAsync("/api/definitions/test.api_json/versions/1/source?format=yaml");
        Assert.True(server.Engine.Reader.Read("api_json.yaml", yaml).Succeeded, yaml);
    }

    [Fact]
    public async Task Export_RefusesPathsOutsideTheFlowsFolder()
    {
        using var integrator = server.Client(Roles.Integrator);
        using var outsidePath = await integrator.PostAsync("/api/definitions?path=../outside.yaml", Yaml(Greet("test.api_outside", 1)));
        Assert.Equal(HttpStatusCode.BadRequest, outsidePath.StatusCode);

        var outside = Path.Combine(server.Folder, "elsewhere", "outside.yaml");
        var read = server.Engine.Reader.Read(Path.GetRelativePath(Environment.CurrentDirectory, outside), Greet("test.api_outside", 1));
        await server.Engine.Definitions.RegisterAsync([read.Definition!]);

        var problem = await ServerFixture.ReadAsync(await integrator.PostAsync("/api/definitions/test.api_outside/versions/1/export", null), HttpStatusCode.BadRequest);
        Assert.Contains("outside the flows folder", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(File.Exists(outside));
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}
