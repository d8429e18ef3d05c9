using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.Validation;
using FlowEngine.Integration.Connections;
using FlowEngine.Integration.Spokes;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using FlowEngine.Runtime.Steps;
using FlowEngine.Simulators;
using FlowEngine.Tests.Shared;

namespace FlowEngine.Integration.Tests;

/// <summary>The shipped spokes and flows, wired to an in-memory store, talking real HTTP to simulators on 127.0.0.1.</summary>
internal sealed class IntegrationHarness
{
    public const string PagerDutyAlias = "sn_pagerduty_spoke.PagerDuty";
    public const string RoadmunkAlias = "sn_roadmunk_spoke.Roadmunk";

    public IntegrationHarness(TimeProvider? time = null, IConnectionStore? connections = null, HttpClient? http = null, IStepHandler? handler = null, params (string File, string Text)[] extra)
    {
        Time = time ?? TimeProvider.System;
        Connections = connections ?? new InMemoryConnectionStore();
        Spokes = SpokeCatalog.Load([TestPaths.Flows]);
        Assert.Empty(Spokes.Diagnostics);
        Integration = new Integration(Spokes, Connections, http ?? Http, Time);
        Handlers = Integration.Register(StepHandlerRegistry.CreateDefault());
        if (handler is not null)
        {
            Handlers.Register(handler);
        }

        // The spokes and examples; the license subflows need the license-management steps, tested in their own project.
        var files = FlowLoader.FindFiles([Path.Combine(TestPaths.Flows, "spokes"), Path.Combine(TestPaths.Flows, "examples")]).Select(f => (Path.GetRelativePath(TestPaths.RepositoryRoot, f), File.ReadAllText(f)));
        var load = new FlowLoader(Handlers.Catalog).LoadTexts(files.Concat(extra));
        Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));
        foreach (var definition in load.Definitions)
        {
            Definitions.Add(definition);
        }

        Runner = new FlowRunner(Handlers, Definitions, Store, Time);
    }

    private static readonly HttpClient Http = Integration.CreateHttpClient();

    /// <summary>A harness whose PagerDuty alias reaches a new simulator with its API token.</summary>
    public static async Task<(IntegrationHarness Harness, PagerDutySimulator Sim)> WithPagerDutyAsync(PagerDutySeed seed, IStepHandler? handler = null, HttpClient? http = null, params (string File, string Text)[] extra)
    {
        var sim = await PagerDutySimulator.StartAsync(seed);
        var harness = new IntegrationHarness(http: http, handler: handler, extra: extra);
        await harness.SetAsync(new ConnectionRecord
        {
            AliasId = PagerDutyAlias,
            Url = sim.BaseUrl,
            CredentialType = "api_token",
            Secrets = new Dictionary<string, string> { ["token"] = sim.ApiToken },
        });
        return (harness, sim);
    }

    /// <summary>A harness whose Roadmunk alias reaches a new simulator (in its region) with its API token.</summary>
    public static async Task<(IntegrationHarness Harness, RoadmunkSimulator Sim)> WithRoadmunkAsync(RoadmunkSeed seed, params (string File, string Text)[] extra)
    {
        var sim = await RoadmunkSimulator.StartAsync(seed);
        var harness = new IntegrationHarness(extra: extra);
        await harness.SetAsync(new ConnectionRecord
        {
            AliasId = RoadmunkAlias,
            Url = sim.BaseUrl,
            CredentialType = "api_token",
            Attributes = seed.Region == RoadmunkRegion.App ? [] : new Dictionary<string, string> { ["region"] = seed.Region.ToString().ToLowerInvariant() },
            Secrets = new Dictionary<string, string> { ["token"] = sim.ApiToken },
        });
        return (harness, sim);
    }

    public TimeProvider Time { get; }

    public IConnectionStore Connections { get; }

    public SpokeCatalog Spokes { get; }

    public Integration Integration { get; }

    public StepHandlerRegistry Handlers { get; }

    public DefinitionSet Definitions { get; } = new();

    public InMemoryExecutionStore Store { get; } = new();

    public FlowRunner Runner { get; }

    public Task SetAsync(ConnectionRecord record) => Connections.SaveAsync(record, default);

    public async Task<ExecutionResult> RunAsync(string id, Dictionary<string, object?>? inputs = null, Dictionary<string, string>? overrides = null)
    {
        var definition = Definitions.Find(id, null) ?? throw new KeyNotFoundException(id);
        return await Runner.RunAsync(definition, inputs ?? [], new RunOptions { TriggeredBy = "test", AliasOverrides = overrides ?? [] });
    }

    public async Task<ExecutionRecord> RecordAsync(ExecutionResult result) => (await Store.GetAsync(result.Record.Id, default))!;

    /// <summary>Every text the execution stored: inputs, outputs, errors, and every step's inputs, outputs and error.</summary>
    public async Task<string> EverythingStoredAsync(ExecutionResult result)
    {
        var record = await RecordAsync(result);
        return string.Join("\n", record.Steps.Select(s => $"{s.InputsJson} {s.OutputsJson} {s.Error}")
            .Append(record.InputsJson).Append(record.OutputsJson).Append(record.Error));
    }
}
