using FlowEngine.Hosting;
using FlowEngine.LicenseManagement;
using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Runtime.Records;
using FlowEngine.Server.Auth;
using FlowEngine.Simulators;
using FlowEngine.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace FlowEngine.Durability.Tests;

/// <summary>
/// kill -9 of the server in the middle of work, then a restart: the work is finished from where it was, nothing is
/// lost and nothing is done twice. Real processes, a real SQLite file, the PagerDuty simulator on 127.0.0.1.
/// </summary>
public sealed class CrashTests(ITestOutputHelper output)
{
    /// <summary>Where the nodes keep their data: a SQLite file, or a PostgreSQL database shared by several live nodes.</summary>
    private sealed record Target(string Folder, Persistence.StoreOptions Store, IReadOnlyDictionary<string, string> Environment, string? DatabasePath)
    {
        public string Flows => Path.Combine(Folder, "flows");

        public string Keys => Path.Combine(Folder, "keys");

        public Task<ServerNode> StartNodeAsync(string node, string key) => ServerNode.StartAsync(Folder, DatabasePath, node, key, Environment);

        public static Target Sqlite()
        {
            var folder = TestPaths.TempFolder();
            var database = Path.Combine(folder, ".flowengine", "flowengine.db");
            return new Target(folder, Persistence.StoreOptions.Sqlite(database), new Dictionary<string, string> { ["FLOWENGINE_KEYS"] = Path.Combine(folder, "keys") }, database);
        }

        public static async Task<Target> PostgreSqlAsync()
        {
            var database = new PostgreSql.Tests.PostgresDatabase();
            await database.InitializeAsync();
            var folder = TestPaths.TempFolder();
            return new Target(folder, new Persistence.StoreOptions { Provider = "postgresql", ConnectionString = database.ConnectionString }, new Dictionary<string, string>
            {
                ["FLOWENGINE_KEYS"] = Path.Combine(folder, "keys"),
                ["FLOWENGINE_STORE_PROVIDER"] = "postgresql",
                ["FLOWENGINE_STORE"] = database.ConnectionString,
            }, null);
        }
    }

    [Fact]
    public Task KilledDuringA10000UserDownload_RestartResumesAtItsPage_SubscriptionsEqualTheVendorsUsers() =>
        DownloadScenarioAsync(Target.Sqlite(), secondNodeAlive: false);

    [Fact]
    public async Task TwoLiveNodesOnPostgreSql_OneKilledMidDownload_TheOtherResumesIt() =>
        await DownloadScenarioAsync(await Target.PostgreSqlAsync(), secondNodeAlive: true);

    [Fact]
    public Task KilledDuringAReclaimRun_AnotherNodeFinishesIt_EveryCandidateReclaimedExactlyOnce() =>
        ReclaimScenarioAsync(Target.Sqlite(), secondNodeAlive: false);

    [Fact]
    public async Task TwoLiveNodesOnPostgreSql_OneKilledMidReclaim_TheOtherFinishesIt_EachUserRemovedOnce() =>
        await ReclaimScenarioAsync(await Target.PostgreSqlAsync(), secondNodeAlive: true);

    private async Task DownloadScenarioAsync(Target target, bool secondNodeAlive)
    {
        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 10_000 });
        var key = await PrepareAsync(target, sim, async license =>
        {
            var profile = await license.Profiles.CreateAsync("pagerduty", "PagerDuty Crash");
            Assert.True((await license.Profiles.ValidateAsync(profile.Id)).Succeeded);
            return profile.Id;
        });
        var database = target.Store;
        var profileId = await ProfileIdAsync(database, "PagerDuty Crash");

        // Slow pages, so the download is still going when the process is killed.
        sim.Faults.DelayNext(100_000, TimeSpan.FromMilliseconds(40));
        var pagesBefore = sim.RequestCount("GET", "/users");
        Guid executionId;
        // On PostgreSQL a second node is up all along; on SQLite the same node starts again after the kill.
        await using var other = secondNodeAlive ? await target.StartNodeAsync("node-b", key) : null;
        await using (var first = await target.StartNodeAsync("node-a", key))
        {
            _ = first.Http.PostAsync($"/api/profiles/{profileId}/publish", null);
            await WaitAsync(() => sim.RequestCount("GET", "/users") - pagesBefore >= 30, "30 pages read before the kill", first);
            first.KillHard();
            executionId = await DownloadExecutionAsync(database, profileId);
        }

        var pagesAtKill = sim.RequestCount("GET", "/users") - pagesBefore;
        Assert.Empty(await SubscriptionIdsAsync(database, profileId));

        await using (var second = other is null ? await target.StartNodeAsync("node-a", key) : null)
        {
            await WaitAsync(async () => (await ExecutionAsync(database, executionId)).Status != ExecutionStatus.Running, "the resumed download to end", second ?? other!, TimeSpan.FromMinutes(3));
        }

        var execution = await ExecutionAsync(database, executionId);
        Assert.True(execution.Status == ExecutionStatus.Completed, execution.Error);
        Assert.Equal(2, execution.Attempt);
        var stored = await SubscriptionIdsAsync(database, profileId);
        Assert.Equal(sim.Users.Select(u => u.Id).Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        Assert.Equal(stored.Count, stored.Distinct().Count());

        // It went on from its page: the pages read in all are the 100 of the download plus at most the one in flight.
        var pagesInAll = sim.RequestCount("GET", "/users") - pagesBefore;
        Assert.InRange(pagesInAll, 100, 101);
        Assert.Equal(0, await StagedRowsAsync(database));
        output.WriteLine($"{target.Store.Provider}: kill -9 after {pagesAtKill} of 100 pages; resumed by {execution.Node ?? "(ended)"} (attempt {execution.Attempt}); {pagesInAll} pages read in all; {stored.Count} subscriptions = {sim.Users.Count} vendor users, 0 duplicates");
    }

    private async Task ReclaimScenarioAsync(Target target, bool secondNodeAlive)
    {
        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 460, OpenIncidentsEvery = 0, InvitationSentEvery = 0, RecentOnCallShare = 0.5, StaleOnCallShare = 0.3 });
        var key = await PrepareAsync(target, sim, async license =>
        {
            var profile = await license.Profiles.CreateAsync("pagerduty", "PagerDuty Reclaim Crash");
            Assert.True((await license.Profiles.ValidateAsync(profile.Id)).Succeeded);
            await license.Profiles.ChangeAsync(profile.Id, reclaimCapCount: 10_000, reclaimCapShare: 1.0);
            var (download, activity) = await license.Profiles.PublishAsync(profile.Id);
            Assert.True(download.Succeeded, download.Execution.Error);
            Assert.True(activity!.Succeeded, activity.Execution.Error);
            return profile.Id;
        });
        var database = target.Store;
        var profileId = await ProfileIdAsync(database, "PagerDuty Reclaim Crash");
        var candidates = await CandidatesAsync(database, profileId);
        Assert.True(candidates.Count >= 200, $"{candidates.Count} candidates");
        Assert.All(candidates, c => Assert.Equal(CandidateState.Ready, c.State));

        sim.Faults.DelayNext(100_000, TimeSpan.FromMilliseconds(30));
        await using var other = secondNodeAlive ? await target.StartNodeAsync("node-b", key) : null;
        await using (var first = await target.StartNodeAsync("node-a", key))
        {
            _ = first.Http.PostAsync($"/api/reclaim/{profileId}/run", null);
            await WaitAsync(() => sim.DeleteCounts.Count >= 60, "60 removals sent before the kill", first);
            first.KillHard();
        }

        var sentAtKill = sim.DeleteCounts.Count;
        var inDoubt = (await CandidatesAsync(database, profileId)).Count(c => c.State == CandidateState.AwaitingRevocation);

        // Another node (started now on SQLite, up all along on PostgreSQL) waits for the dead node's leases to run
        // out, then finishes the run.
        await using (var second = other is null ? await target.StartNodeAsync("node-b", key) : null)
        {
            await WaitAsync(async () => (await CandidatesAsync(database, profileId)).All(c => c.State is not (CandidateState.Ready or CandidateState.AwaitingRevocation)),
                "every candidate settled", second ?? other!, TimeSpan.FromMinutes(3));
        }

        var after = await CandidatesAsync(database, profileId);
        Assert.All(after, c => Assert.True(c.State == CandidateState.ClosedComplete, $"{c.Number} {c.ExternalUserId}: {c.State} {c.ErrorMessage}"));
        Assert.All(after, c => Assert.Equal(1, sim.DeleteCount(c.ExternalUserId)));
        Assert.DoesNotContain(sim.DeleteCounts, d => d.Value > 1);
        Assert.Equal(after.Count, sim.DeleteCounts.Count);
        var remaining = (await SubscriptionIdsAsync(database, profileId)).ToHashSet(StringComparer.Ordinal);
        Assert.DoesNotContain(after, c => remaining.Contains(c.ExternalUserId));
        output.WriteLine($"{target.Store.Provider}: kill -9 after {sentAtKill} of {after.Count} removals ({inDoubt} in doubt); node-b finished the run: {after.Count} reclaimed, DELETEs per user: max {sim.DeleteCounts.Values.Max()}, duplicates 0");
    }

    private static async Task<string> PrepareAsync(Target target, PagerDutySimulator sim, Func<LicenseParts, Task<Guid>> setUp)
    {
        TestPaths.CopyFolder(TestPaths.Flows, target.Flows);
        var engine = await Engine.OpenAsync(target.Store, target.Keys, target.Flows, CancellationToken.None);
        await Vendor.ConnectAsync(engine, sim);
        await using (var license = await engine.LicenseAsync(target.Flows, runJobs: false, CancellationToken.None))
        {
            await setUp(license);
        }

        return await new ApiKeys(engine.Store, TimeProvider.System).CreateAsync("durability test", Roles.Admin, CancellationToken.None);
    }

    private static async Task<T> QueryAsync<T>(Persistence.StoreOptions database, Func<Persistence.FlowEngineDbContext, Task<T>> query)
    {
        var store = await Persistence.FlowStore.OpenAsync(database);
        await using var db = store.CreateContext();
        return await query(db);
    }

    private static Task<Guid> ProfileIdAsync(Persistence.StoreOptions database, string name) =>
        QueryAsync(database, db => db.Profiles.Where(p => p.DisplayName == name).Select(p => p.Id).SingleAsync());

    private static Task<Guid> DownloadExecutionAsync(Persistence.StoreOptions database, Guid profileId) =>
        QueryAsync(database, async db => (await db.Executions.AsNoTracking().Where(e => e.ConcurrencyKey == $"download:{profileId}").ToListAsync())
            .OrderByDescending(e => e.StartedAt).First().Id);

    private static Task<ExecutionRecord> ExecutionAsync(Persistence.StoreOptions database, Guid id) =>
        QueryAsync(database, db => db.Executions.AsNoTracking().SingleAsync(e => e.Id == id));

    private static Task<List<string>> SubscriptionIdsAsync(Persistence.StoreOptions database, Guid profileId) =>
        QueryAsync(database, db => db.Subscriptions.AsNoTracking().Where(s => s.ProfileId == profileId).Select(s => s.ExternalUserId).ToListAsync());

    private static Task<int> StagedRowsAsync(Persistence.StoreOptions database) =>
        QueryAsync(database, db => db.StagedPages.CountAsync());

    private static Task<List<RemovalCandidateEntity>> CandidatesAsync(Persistence.StoreOptions database, Guid profileId) =>
        QueryAsync(database, db => db.Candidates.AsNoTracking().Where(c => c.ProfileId == profileId).ToListAsync());

    private static Task WaitAsync(Func<bool> done, string what, ServerNode server, TimeSpan? limit = null) =>
        WaitAsync(() => Task.FromResult(done()), what, server, limit);

    private static async Task WaitAsync(Func<Task<bool>> done, string what, ServerNode server, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(90));
        while (!await done())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"waited for {what} in vain; the server said:\n{server.Output}");
            }

            await Task.Delay(50);
        }
    }
}
