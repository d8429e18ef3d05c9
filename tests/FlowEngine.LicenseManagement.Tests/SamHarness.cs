using FlowEngine.Definitions.Validation;
using FlowEngine.Integration.Connections;
using FlowEngine.Integration.Spokes;
using FlowEngine.Persistence;
using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using FlowEngine.Runtime.Steps;
using FlowEngine.Simulators;
using FlowEngine.Tests.Shared;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.LicenseManagement.Tests;

/// <summary>Jobs kept in a list, for tests that look at which jobs a profile has.</summary>
internal sealed class ListedJobs : IProfileJobs
{
    public Dictionary<string, (string Cron, IReadOnlyDictionary<string, string> Data)> Jobs { get; } = [];

    public Task UpsertAsync(string name, string cron, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken)
    {
        Jobs[name] = (cron, data);
        return Task.CompletedTask;
    }

    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) => Task.FromResult(Jobs.Remove(name));

    public Task<IReadOnlyList<string>> NamesAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>(Jobs.Keys.Order().ToList());
}

/// <summary>
/// The shipped flows and spokes, a real SQLite file, the license-management services, and simulators on 127.0.0.1.
/// </summary>
internal sealed class SamHarness
{
    public const string PagerDutyAlias = "sn_pagerduty_spoke.PagerDuty";
    public const string RoadmunkAlias = "sn_roadmunk_spoke.Roadmunk";

    private static readonly HttpClient Http = FlowEngine.Integration.Integration.CreateHttpClient();

    private SamHarness(FlowStore store, IProfileJobs? jobs, TimeProvider time, HttpClient? http)
    {
        Store = store;
        Time = time;
        Jobs = jobs ?? new ListedJobs();
        Spokes = SpokeCatalog.Load([TestPaths.Flows]);
        Integration = new FlowEngine.Integration.Integration(Spokes, Connections, http ?? Http, time);
        Sam = new SamStore(store, time);
        Handlers = SamStepTypes.Register(Integration.Register(StepHandlerRegistry.CreateDefault()), Sam);
        var load = new FlowLoader(Handlers.Catalog).Load([TestPaths.Flows]);
        Assert.True(load.Succeeded, string.Join("\n", load.Diagnostics));
        foreach (var definition in load.Definitions)
        {
            Definitions.Add(definition);
        }

        Runner = new FlowRunner(Handlers, Definitions, Executions, time);
        Profiles = new ProfileService(Sam, Spokes, _ => Task.FromResult(Runner), Jobs);
        Reclaim = new ReclaimService(Sam, Profiles);
    }

    // http: the client the vendor steps use (e.g. one that injects faults at a chosen request); a shared one by default.
    public static async Task<SamHarness> CreateAsync(IProfileJobs? jobs = null, TimeProvider? time = null, string? database = null, HttpClient? http = null)
    {
        database ??= Path.Combine(TestPaths.TempFolder(), "flowengine.db");
        var store = await FlowStore.OpenAsync(StoreOptions.Sqlite(database));
        return new SamHarness(store, jobs, time ?? TimeProvider.System, http) { Database = database };
    }

    public string Database { get; private init; } = "";

    public FlowStore Store { get; }

    public TimeProvider Time { get; }

    public IProfileJobs Jobs { get; }

    public ListedJobs Listed => (ListedJobs)Jobs;

    public SpokeCatalog Spokes { get; }

    public InMemoryConnectionStore Connections { get; } = new();

    public FlowEngine.Integration.Integration Integration { get; }

    public SamStore Sam { get; }

    public StepHandlerRegistry Handlers { get; }

    public DefinitionSet Definitions { get; } = new();

    public InMemoryExecutionStore Executions { get; } = new();

    public FlowRunner Runner { get; }

    public ProfileService Profiles { get; }

    public ReclaimService Reclaim { get; }

    public Task ConnectAsync(PagerDutySimulator sim, string alias = PagerDutyAlias, string? parent = null) => ConnectAsync(sim.BaseUrl, sim.ApiToken, alias, parent);

    public Task ConnectAsync(RoadmunkSimulator sim, string alias = RoadmunkAlias, string? parent = null) => ConnectAsync(sim.BaseUrl, sim.ApiToken, alias, parent);

    private Task ConnectAsync(string url, string token, string alias, string? parent) => Connections.SaveAsync(new ConnectionRecord
    {
        AliasId = alias,
        ParentAliasId = parent,
        Url = url,
        CredentialType = "api_token",
        Secrets = new Dictionary<string, string> { ["token"] = token },
    }, default);

    public async Task<List<SubscriptionEntity>> SubscriptionsAsync(Guid profileId)
    {
        await using var db = Store.CreateContext();
        return await db.Subscriptions.AsNoTracking().Where(s => s.ProfileId == profileId).OrderBy(s => s.ExternalUserId).ToListAsync();
    }

    public async Task<List<RemovalCandidateEntity>> CandidatesAsync(Guid? profileId = null)
    {
        await using var db = Store.CreateContext();
        return await db.Candidates.AsNoTracking().Where(c => profileId == null || c.ProfileId == profileId).OrderBy(c => c.Number).ToListAsync();
    }

    public async Task<T> QueryAsync<T>(Func<FlowEngineDbContext, Task<T>> query)
    {
        await using var db = Store.CreateContext();
        return await query(db);
    }

    /// <summary>Create, validate and publish a profile; asserts each step worked.</summary>
    public async Task<IntegrationProfileEntity> PublishAsync(string vendor, string name, string? alias = null, bool reclaim = true, bool activity = true)
    {
        var profile = await Profiles.CreateAsync(vendor, name, alias, activity, reclaim);
        var validation = await Profiles.ValidateAsync(profile.Id);
        Assert.True(validation.Succeeded, validation.Execution.Error);
        var (download, activityRun) = await Profiles.PublishAsync(profile.Id);
        Assert.True(download.Succeeded, download.Execution.Error);
        if (activity)
        {
            Assert.True(activityRun!.Succeeded, activityRun.Execution.Error);
        }

        return await Profiles.FindAsync(profile.Id.ToString());
    }
}
