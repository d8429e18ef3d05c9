using System.Text.Json;
using System.Text.Json.Nodes;
using FlowEngine.Definitions;
using FlowEngine.Definitions.Validation;
using FlowEngine.Server;
using FlowEngine.Server.Elsa;

namespace FlowEngine.Designer.Tests;

/// <summary>
/// Every shipped definition drawn as the studio's flowchart and read back (as a save would) gives the same
/// definition: steps, inputs, outputs, triggers and alias overrides, with the studio's positions added as layout.
/// </summary>
public sealed class RoundTripTests(DesignerServer server) : IClassFixture<DesignerServer>
{
    private ElsaDefinitions Definitions => new(server.Start.Engine, new ServerState(server.Start.Engine, server.Start.License), new ServerOptions { FlowsFolder = server.FlowsFolder });

    [Fact]
    public async Task EveryShippedDefinitionSurvivesTheStudioUnchanged()
    {
        var store = Definitions;
        var all = await store.AllAsync(null, CancellationToken.None);
        Assert.True(all.Count >= 15, $"expected the shipped flows, found {all.Count}");
        var catalog = store.Catalog(all);
        var mapper = new FlowchartMapper(catalog);
        var reader = new StudioModelReader(catalog);
        var stored = await server.Start.Engine.Definitions.LoadAsync(server.Start.Engine.Reader);
        foreach (var version in all)
        {
            var definition = version.Definition!;
            // What goes over the wire to the studio and comes back.
            var wire = JsonSerializer.Serialize(ElsaDefinitions.Model(version, mapper, canEdit: true), ElsaJson.Options);
            var model = JsonNode.Parse(wire)!.AsObject();
            var (document, errors) = reader.Read(model, definition, definition.Id, definition.Version);
            Assert.True(document is not null, $"{definition.Key}: {string.Join("; ", errors)}");
            var text = FlowYamlWriter.Write(document!);
            var load = new FlowLoader(server.Start.Engine.Handlers.Catalog).LoadTexts([(version.Entity.SourcePath, text)], stored);
            var problems = load.Diagnostics.Where(d => d.Severity == Severity.Error).ToList();
            Assert.True(problems.Count == 0, $"{definition.Key} read back with errors:\n{string.Join("\n", problems)}\n---\n{text}");
            Assert.Equal(Canonical.Of(definition), Canonical.Of(load.Definitions.Single()));

            // Drawn again, the saved text gives the same flowchart (positions included), so a save is stable.
            var again = load.Definitions.Single();
            var redrawn = mapper.Root(again).ToJsonString();
            var (document2, _) = reader.Read(JsonNode.Parse(JsonSerializer.Serialize(model, ElsaJson.Options))!.AsObject(), again, again.Id, again.Version);
            Assert.Equal(text, FlowYamlWriter.Write(document2!));
            Assert.Contains("\"type\":\"Elsa.Flowchart\"", redrawn, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task StepsBecomeActivitiesJoinedInSequenceWithBlocksOnTheirPorts()
    {
        var store = Definitions;
        var all = await store.AllAsync(null, CancellationToken.None);
        var mapper = new FlowchartMapper(store.Catalog(all));
        var report = all.Single(v => v.Entity.DefinitionId == "demo.idle_report").Definition!;
        var root = mapper.Root(report);
        var activities = root["activities"]!.AsArray().Select(a => $"{a!["id"]}:{a["type"]}").ToList();
        Assert.Contains("active:demo.active_emails", activities);
        Assert.Contains("classify:FlowEngine.for_each", activities);
        Assert.Contains("check:FlowEngine.try", activities);
        Assert.Contains("idle_check_else_if_1:FlowEngine.else_if", activities);
        var connections = root["connections"]!.AsArray()
            .Select(c => $"{c!["source"]!["activity"]}.{c["source"]!["port"]}->{c["target"]!["activity"]}").ToList();
        Assert.Contains("classify.Do->check", connections);
        Assert.Contains("check.Try->require_email", connections);
        Assert.Contains("require_email.Done->idle_check", connections);
        Assert.Contains("idle_check.ElseIf->idle_check_else_if_1", connections);
        Assert.Contains("active.Done->" + root["activities"]![1]!["id"], connections);
        Assert.All(root["activities"]!.AsArray(), a => Assert.Equal($"Workflow1:flowchart1:{a!["id"]}", a["nodeId"]!.ToString()));
    }
}
