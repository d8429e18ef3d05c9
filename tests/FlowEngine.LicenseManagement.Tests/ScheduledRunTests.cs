using FlowEngine.LicenseManagement.Scheduling;
using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Scheduling;
using FlowEngine.Simulators;
using Microsoft.Extensions.Time.Testing;

namespace FlowEngine.LicenseManagement.Tests;

public sealed class ScheduledRunTests
{
    private sealed class Services
    {
        public TaskCompletionSource<(ProfileService, ReclaimService)> Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private static async Task<(JobScheduler Scheduler, SamJobHandler Handler)> StartSchedulerAsync(string database, FakeTimeProvider clock, Services services)
    {
        var handler = new SamJobHandler(ct => services.Ready.Task.WaitAsync(ct));
        var scheduler = await JobScheduler.StartAsync(new SchedulerOptions { ConnectionString = $"Data Source={database}", Time = clock }, handler);
        return (scheduler, handler);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        while (!condition())
        {
            await Task.Delay(20, timeout.Token).ContinueWith(t => { }, TaskScheduler.Default);
            Assert.False(timeout.IsCancellationRequested, $"timed out waiting for {what}");
        }
    }

    [Fact]
    public async Task DailyJobs_FireOnTheFakeClock_DownloadThenActivity_AndSurviveARestart()
    {
        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 30, OpenIncidentsEvery = 0, InvitationSentEvery = 0 });
        var clock = new FakeTimeProvider(new DateTimeOffset(DateTimeOffset.UtcNow.Date, TimeSpan.Zero).AddHours(12));
        var database = Path.Combine(FlowEngine.Tests.Shared.TestPaths.TempFolder(), "flowengine.db");
        var services = new Services();
        var (scheduler, handler) = await StartSchedulerAsync(database, clock, services);
        var harness = await SamHarness.CreateAsync(new SchedulerProfileJobs(scheduler), database: database);
        await harness.ConnectAsync(sim);
        services.Ready.SetResult((harness.Profiles, harness.Reclaim));

        var profile = await harness.PublishAsync("pagerduty", "Nightly PagerDuty", reclaim: false);
        var names = await harness.Jobs.NamesAsync(default);
        Assert.Equal([ProfileService.ActivityJob("Nightly PagerDuty"), ProfileService.SubscriptionsJob("Nightly PagerDuty")], names);
        var jobs = await scheduler.ListAsync(default);
        Assert.Equal(clock.GetUtcNow().Date.AddDays(1).AddHours(2), jobs.Single(j => j.Name.EndsWith("Subscriptions", StringComparison.Ordinal)).NextFire!.Value.UtcDateTime);

        // The process stops before the first fire and starts again: the jobs are still there.
        await scheduler.DisposeAsync();
        (scheduler, handler) = await StartSchedulerAsync(database, clock, services);
        await using var _ = scheduler;
        Assert.Equal(2, (await scheduler.ListAsync(default)).Count(j => j.Group == SchedulerProfileJobs.Group));

        // A new user appears and an idle user goes on call; the next night's jobs pick both up, download first.
        var idle = (await harness.CandidatesAsync(profile.Id)).First(c => c.State == CandidateState.Ready);
        sim.AddOnCall(new PagerDutyOnCall(idle.ExternalUserId, null, new PagerDutyReference("PEP1", "Default"), 1, DateTimeOffset.UtcNow.AddHours(-3), DateTimeOffset.UtcNow.AddHours(-1)));

        clock.Advance(TimeSpan.FromHours(14).Add(TimeSpan.FromSeconds(1)));
        await WaitForAsync(() => handler.Fires.Count >= 1, "the 02:00 subscriptions job");
        clock.Advance(TimeSpan.FromHours(1));
        await WaitForAsync(() => handler.Fires.Count >= 2, "the 03:00 activity job");

        Assert.Equal([ProfileService.SubscriptionsJob("Nightly PagerDuty"), ProfileService.ActivityJob("Nightly PagerDuty")], handler.Fires.Select(f => f.Job));
        Assert.All(handler.Fires, f => Assert.True(f.Succeeded, f.Error));
        var candidate = (await harness.CandidatesAsync(profile.Id)).Single(c => c.Id == idle.Id);
        Assert.Equal(CandidateState.ClosedCanceled, candidate.State);
        Assert.Equal(0, sim.RequestCount("DELETE", "/users"));
    }

    [Fact]
    public async Task ClearingDownloadActivity_OnAPublishedProfile_LeavesNoActivityJob()
    {
        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 10 });
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var database = Path.Combine(FlowEngine.Tests.Shared.TestPaths.TempFolder(), "flowengine.db");
        var services = new Services();
        var (scheduler, _) = await StartSchedulerAsync(database, clock, services);
        await using var disposeScheduler = scheduler;
        var harness = await SamHarness.CreateAsync(new SchedulerProfileJobs(scheduler), database: database);
        await harness.ConnectAsync(sim);
        services.Ready.SetResult((harness.Profiles, harness.Reclaim));
        var profile = await harness.PublishAsync("pagerduty", "PD");

        var changed = await harness.Profiles.ChangeAsync(profile.Id, downloadActivity: false);

        Assert.Equal(ProfileStatus.Draft, changed.Status);
        Assert.Null(changed.ValidationSucceeded);
        Assert.Equal([ProfileService.SubscriptionsJob("PD")], (await scheduler.ListAsync(default)).Where(j => j.Group == SchedulerProfileJobs.Group).Select(j => j.Name));
        await Assert.ThrowsAsync<LicenseException>(() => harness.Profiles.PublishAsync(profile.Id));
    }

    [Fact]
    public async Task PruneJob_FiresDaily_DeletesExecutionsPastTheRetention_KeepsRecentOnesAndLicenseData()
    {
        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 12 });
        var clock = new FakeTimeProvider(new DateTimeOffset(DateTimeOffset.UtcNow.Date, TimeSpan.Zero).AddHours(12));
        var database = Path.Combine(FlowEngine.Tests.Shared.TestPaths.TempFolder(), "flowengine.db");
        var harness = await SamHarness.CreateAsync(database: database);
        await harness.ConnectAsync(sim);
        var profile = await harness.Profiles.CreateAsync("pagerduty", "Kept");
        Assert.True((await harness.Profiles.RefreshSubscriptionsAsync(profile.Id)).Succeeded);
        var executions = new FlowEngine.Persistence.EfExecutionStore(harness.Store);
        async Task<Guid> EndedAsync(int daysAgo)
        {
            var record = new FlowEngine.Runtime.Records.ExecutionRecord
            {
                Id = Guid.NewGuid(),
                DefinitionId = "demo.idle_report",
                DefinitionHash = "h",
                Status = FlowEngine.Runtime.Records.ExecutionStatus.Completed,
                StartedAt = clock.GetUtcNow().AddDays(-daysAgo),
                EndedAt = clock.GetUtcNow().AddDays(-daysAgo),
            };
            await executions.CreateAsync(record, default);
            return record.Id;
        }

        var old = await EndedAsync(20);
        var recent = await EndedAsync(3);
        var handler = new SamJobHandler(ct => Task.FromResult((harness.Profiles, harness.Reclaim)), executions.PruneAsync);
        await using var scheduler = await JobScheduler.StartAsync(new SchedulerOptions { ConnectionString = $"Data Source={database}", Time = clock }, handler);
        await scheduler.UpsertAsync(SamJobHandler.PruneSpec(), default);

        clock.Advance(TimeSpan.FromHours(16).Add(TimeSpan.FromSeconds(1)));
        await WaitForAsync(() => handler.Fires.Count >= 1, "the 04:00 prune job");

        var fire = Assert.Single(handler.Fires);
        Assert.Equal(SamJobHandler.PruneJob, fire.Job);
        Assert.True(fire.Succeeded, fire.Error);
        Assert.Null(await executions.GetAsync(old, default));
        Assert.NotNull(await executions.GetAsync(recent, default));
        Assert.Equal(12, (await harness.SubscriptionsAsync(profile.Id)).Count);
    }
}
