using FlowEngine.Definitions.Validation;
using FlowEngine.Integration.Connections;
using FlowEngine.Integration.Spokes;
using FlowEngine.LicenseManagement;
using FlowEngine.Persistence;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using FlowEngine.Runtime.Steps;
using FlowEngine.Tests.Shared;

namespace FlowEngine.FaultSuite.Tests;

/// <summary>Jobs that go nowhere: the suite runs downloads and activity updates itself.</summary>
internal sealed class NoJobs : IProfileJobs
{
    public Task UpsertAsync(string name, string cron, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) => Task.FromResult(false);

    public Task<IReadOnlyList<string>> NamesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([]);
}

/// <summary>
/// The shipped flows and spokes (copied, with the spokes' retry intervals shortened so that exhausting a retry policy
/// takes a second, not a minute), a real SQLite file, the license-management services, and an HTTP client whose
/// per-request timeout is short enough for a timeout fault to bite.
/// </summary>
internal sealed class FaultHarness
{
    public const string PagerDutyAlias = "sn_pagerduty_spoke.PagerDuty";
    public const string RoadmunkAlias = "sn_roadmunk_spoke.Roadmunk";

    /// <summary>The vendor's per-request timeout in the suite (the product's is 100 s).</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(1);

    private static readonly HttpClient Http = new(new SocketsHttpHandler { AllowAutoRedirect = false }) { Timeout = RequestTimeout };

    private FaultHarness(FlowStore store, string flows)
    {
        Store = store;
        Spokes = SpokeCatalog.Load([flows]);
        Assert.Empty(Spokes.Diagnostics);
        Integration = new FlowEngine.Integration.Integration(Spokes, Connections, Http, TimeProvider.System);
        Sam = new SamStore(store, TimeProvider.System);
        var handlers = SamStepTypes.Register(Integration.Register(StepHandlerRegistry.CreateDefault()), Sam);
        var load = new FlowLoader(handlers.Catalog).Load([flows]);
        Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));
        foreach (var definition in load.Definitions)
        {
            Definitions.Add(definition);
        }

        var runner = new FlowRunner(handlers, Definitions, Executions, TimeProvider.System);
        Profiles = new ProfileService(Sam, Spokes, _ => Task.FromResult(runner), new NoJobs());
    }

    public static async Task<FaultHarness> CreateAsync()
    {
        var folder = TestPaths.TempFolder();
        var flows = Path.Combine(folder, "flows");
        TestPaths.CopyFolder(TestPaths.Flows, flows);
        foreach (var spoke in Directory.EnumerateFiles(Path.Combine(flows, "spokes"), SpokeCatalog.ManifestName, SearchOption.AllDirectories))
        {
            var text = await File.ReadAllTextAsync(spoke);
            var fast = text.Replace("      interval: 1\n", "      interval: 0.02\n", StringComparison.Ordinal);
            Assert.True(fast != text, $"{spoke} no longer has 'interval: 1' in its retry policy; update the suite's shortcut");
            await File.WriteAllTextAsync(spoke, fast);
        }

        var store = await FlowStore.OpenAsync(StoreOptions.Sqlite(Path.Combine(folder, "flowengine.db")));
        return new FaultHarness(store, flows);
    }

    public FlowStore Store { get; }

    public SpokeCatalog Spokes { get; }

    public InMemoryConnectionStore Connections { get; } = new();

    public FlowEngine.Integration.Integration Integration { get; }

    public SamStore Sam { get; }

    public DefinitionSet Definitions { get; } = new();

    public InMemoryExecutionStore Executions { get; } = new();

    public ProfileService Profiles { get; }

    public Task ConnectAsync(string alias, string url, string token) => Connections.SaveAsync(new ConnectionRecord
    {
        AliasId = alias,
        Url = url,
        CredentialType = "api_token",
        Secrets = new Dictionary<string, string> { ["token"] = token },
    }, default);

    /// <summary>Every text an execution stored (its error, and each step's inputs, outputs and error), to look for secrets.</summary>
    public async Task<string> EverythingStoredAsync(ExecutionRecord execution)
    {
        var record = (await Executions.GetAsync(execution.Id, default))!;
        return string.Join("\n", record.Steps.Select(s => $"{s.InputsJson} {s.OutputsJson} {s.Error}").Append(record.InputsJson).Append(record.OutputsJson).Append(record.Error));
    }
}
