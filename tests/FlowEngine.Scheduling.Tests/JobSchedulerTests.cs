using static FlowEngine.Scheduling.Tests.Harness;

namespace FlowEngine.Scheduling.Tests;

public sealed class JobSchedulerTests
{
    [Fact]
    public async Task Upsert_NewJob_IsListedWithItsDataAndNextFire()
    {
        var clock = Clock("2026-03-10T12:00:00Z");
        await using var scheduler = await StartAsync(NewDatabase(), clock, new RecordingHandler());

        await scheduler.UpsertAsync(Daily("pagerduty-subscriptions"), CancellationToken.None);

        var job = Assert.Single(await scheduler.ListAsync(CancellationToken.None));
        Assert.Equal("pagerduty-subscriptions", job.Name);
        Assert.Equal("sam", job.Group);
        Assert.Equal("0 0 2 * * ?", job.Cron);
        Assert.Equal("SAM - Refresh pagerduty-subscriptions", job.Description);
        Assert.Equal("UTC", job.TimeZone);
        Assert.Equal(new Dictionary<string, string> { ["flow"] = "sam.refresh_subscriptions", ["profile"] = "pagerduty-prod" }, job.Data);
        Assert.Equal(Utc("2026-03-11T02:00:00Z"), job.NextFire);
        Assert.Null(job.PreviousFire);
    }

    [Fact]
    public async Task Upsert_ExistingJob_ReplacesItsDataAndSchedule()
    {
        var clock = Clock("2026-03-10T12:00:00Z");
        await using var scheduler = await StartAsync(NewDatabase(), clock, new RecordingHandler());
        await scheduler.UpsertAsync(Daily("roadmunk-activity"), CancellationToken.None);

        await scheduler.UpsertAsync(
            new JobSpec("roadmunk-activity", "sam", "0 30 4 * * ?", new Dictionary<string, string> { ["flow"] = "sam.refresh_activity" })
            {
                Description = "changed",
                TimeZone = "Europe/Paris",
            },
            CancellationToken.None);

        var job = Assert.Single(await scheduler.ListAsync(CancellationToken.None));
        Assert.Equal("0 30 4 * * ?", job.Cron);
        Assert.Equal("changed", job.Description);
        Assert.Equal("Europe/Paris", job.TimeZone);
        Assert.Equal(new Dictionary<string, string> { ["flow"] = "sam.refresh_activity" }, job.Data);
        Assert.Equal(Utc("2026-03-11T03:30:00Z"), job.NextFire); // 04:30 in Paris, UTC+1 in March before the switch
    }

    [Fact]
    public async Task Upsert_OnlyDataChanged_KeepsTheTriggersNextFire()
    {
        var clock = Clock("2026-03-10T12:00:00Z");
        await using var scheduler = await StartAsync(NewDatabase(), clock, new RecordingHandler());
        await scheduler.UpsertAsync(Daily("a"), CancellationToken.None);
        clock.Advance(TimeSpan.FromHours(1));

        await scheduler.UpsertAsync(Daily("a", data: new() { ["flow"] = "other" }), CancellationToken.None);

        var job = Assert.Single(await scheduler.ListAsync(CancellationToken.None));
        Assert.Equal("other", job.Data["flow"]);
        Assert.Equal(Utc("2026-03-11T02:00:00Z"), job.NextFire);
    }

    [Fact]
    public async Task Upsert_Unchanged_LeavesTheTriggerAsItIs()
    {
        var clock = Clock("2026-03-10T12:00:00Z");
        var handler = new RecordingHandler();
        await using var scheduler = await StartAsync(NewDatabase(), clock, handler);
        await scheduler.UpsertAsync(Daily("a"), CancellationToken.None);
        clock.Advance(TimeSpan.FromHours(14));
        await handler.WaitUntilAsync(f => f.Count >= 1, "the 02:00 fire");

        // Re-syncing at start-up upserts every job again; an unchanged one keeps its trigger and history.
        await scheduler.UpsertAsync(Daily("a"), CancellationToken.None);

        var job = Assert.Single(await scheduler.ListAsync(CancellationToken.None));
        Assert.Equal(Utc("2026-03-11T02:00:00Z"), job.PreviousFire);
        Assert.Equal(Utc("2026-03-12T02:00:00Z"), job.NextFire);
    }

    [Fact]
    public async Task List_SeveralJobs_SortsByGroupThenName()
    {
        var clock = Clock("2026-03-10T12:00:00Z");
        await using var scheduler = await StartAsync(NewDatabase(), clock, new RecordingHandler());
        await scheduler.UpsertAsync(Daily("b", "sam"), CancellationToken.None);
        await scheduler.UpsertAsync(Daily("a", "sam"), CancellationToken.None);
        await scheduler.UpsertAsync(Daily("z", "flows"), CancellationToken.None);

        var jobs = await scheduler.ListAsync(CancellationToken.None);

        Assert.Equal(["flows.z", "sam.a", "sam.b"], jobs.Select(j => $"{j.Group}.{j.Name}"));
    }

    [Fact]
    public async Task Delete_ExistingJob_RemovesItAndReportsWhetherItExisted()
    {
        var clock = Clock("2026-03-10T12:00:00Z");
        await using var scheduler = await StartAsync(NewDatabase(), clock, new RecordingHandler());
        await scheduler.UpsertAsync(Daily("keep"), CancellationToken.None);
        await scheduler.UpsertAsync(Daily("drop"), CancellationToken.None);

        Assert.True(await scheduler.DeleteAsync("drop", "sam", CancellationToken.None));
        Assert.False(await scheduler.DeleteAsync("drop", "sam", CancellationToken.None));

        var job = Assert.Single(await scheduler.ListAsync(CancellationToken.None));
        Assert.Equal("keep", job.Name);
        await Assert.ThrowsAsync<KeyNotFoundException>(() => scheduler.UpcomingAsync("drop", "sam", 1, CancellationToken.None));
    }

    [Fact]
    public async Task Upcoming_DailyAtTwoUtc_ReturnsTheNextTwoOClocks()
    {
        var clock = Clock("2026-03-10T12:00:00Z");
        await using var scheduler = await StartAsync(NewDatabase(), clock, new RecordingHandler());
        await scheduler.UpsertAsync(Daily("refresh"), CancellationToken.None);

        var fires = await scheduler.UpcomingAsync("refresh", "sam", 4, CancellationToken.None);

        Assert.Equal(
            [Utc("2026-03-11T02:00:00Z"), Utc("2026-03-12T02:00:00Z"), Utc("2026-03-13T02:00:00Z"), Utc("2026-03-14T02:00:00Z")],
            fires);
        Assert.All(fires, f => Assert.Equal(TimeSpan.Zero, f.Offset));
        Assert.Empty(await scheduler.UpcomingAsync("refresh", "sam", 0, CancellationToken.None));
    }

    [Fact]
    public async Task Upcoming_JustBeforeTwo_StartsWithTodaysFire()
    {
        var clock = Clock("2026-03-10T01:59:59Z");
        await using var scheduler = await StartAsync(NewDatabase(), clock, new RecordingHandler());
        await scheduler.UpsertAsync(Daily("refresh"), CancellationToken.None);

        var fires = await scheduler.UpcomingAsync("refresh", "sam", 2, CancellationToken.None);

        Assert.Equal([Utc("2026-03-10T02:00:00Z"), Utc("2026-03-11T02:00:00Z")], fires);
    }

    [Theory]
    [InlineData("0 0 2 * *", "UTC", "flow", "is not a Quartz cron expression")]
    [InlineData("not cron", "UTC", "flow", "is not a Quartz cron expression")]
    [InlineData("0 0 2 * * ?", "Mars/Olympus", "flow", "unknown time zone 'Mars/Olympus'")]
    [InlineData("0 0 2 * * ?", "UTC", "flowengine:cron", "data key 'flowengine:cron' is reserved")]
    public async Task Upsert_BadSpec_ThrowsArgumentExceptionNamingTheProblem(string cron, string timeZone, string key, string message)
    {
        var clock = Clock("2026-03-10T12:00:00Z");
        await using var scheduler = await StartAsync(NewDatabase(), clock, new RecordingHandler());

        var error = await Assert.ThrowsAsync<ArgumentException>(() => scheduler.UpsertAsync(
            new JobSpec("bad", "sam", cron, new Dictionary<string, string> { [key] = "x" }) { TimeZone = timeZone },
            CancellationToken.None));

        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Empty(await scheduler.ListAsync(CancellationToken.None));
    }

    [Fact]
    public async Task TriggerNow_RunsTheHandlerOnceWithTheJobsData()
    {
        var clock = Clock("2026-03-10T12:00:00Z");
        var handler = new RecordingHandler();
        await using var scheduler = await StartAsync(NewDatabase(), clock, handler);
        var spec = Daily("pagerduty-subscriptions") with { TimeZone = "Europe/Paris" };
        await scheduler.UpsertAsync(spec, CancellationToken.None);

        await scheduler.TriggerNowAsync("pagerduty-subscriptions", "sam", CancellationToken.None);

        await handler.WaitUntilAsync(f => f.Count >= 1, "the triggered fire");
        var fire = Assert.Single(handler.Fires);
        Assert.Equal(spec.Name, fire.Job.Name);
        Assert.Equal(spec.Group, fire.Job.Group);
        Assert.Equal(spec.Cron, fire.Job.Cron);
        Assert.Equal(spec.Description, fire.Job.Description);
        Assert.Equal("Europe/Paris", fire.Job.TimeZone);
        Assert.Equal(spec.Data, fire.Job.Data);
        Assert.Equal(clock.GetUtcNow(), fire.ScheduledFireTime);

        // The manual fire leaves the schedule alone.
        Assert.Equal(Utc("2026-03-11T01:00:00Z"), Assert.Single(await scheduler.ListAsync(CancellationToken.None)).NextFire);
    }

    [Fact]
    public async Task TriggerNow_UnknownJob_ThrowsKeyNotFound()
    {
        var clock = Clock("2026-03-10T12:00:00Z");
        await using var scheduler = await StartAsync(NewDatabase(), clock, new RecordingHandler());

        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => scheduler.TriggerNowAsync("nope", "sam", CancellationToken.None));

        Assert.Contains("sam.nope", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handler_Throws_IsLoggedAndTheJobFiresAgain()
    {
        var clock = Clock("2026-03-10T12:00:00Z");
        var logs = new CapturingLoggerFactory();
        var handler = new RecordingHandler { Behaviour = _ => throw new InvalidOperationException("vendor down") };
        await using var scheduler = await JobScheduler.StartAsync(
            SchedulerOptions.Sqlite(NewDatabase()) with { Time = clock, LoggerFactory = logs }, handler);
        await scheduler.UpsertAsync(Daily("flaky"), CancellationToken.None);

        await scheduler.TriggerNowAsync("flaky", "sam", CancellationToken.None);
        await handler.WaitUntilAsync(f => f.Count >= 1, "the first, failing fire");
        await scheduler.TriggerNowAsync("flaky", "sam", CancellationToken.None);
        await handler.WaitUntilAsync(f => f.Count >= 2, "the second fire after the failure");

        clock.Advance(TimeSpan.FromHours(14)); // past 02:00: the schedule still fires too
        await handler.WaitUntilAsync(f => f.Any(x => x.ScheduledFireTime == Utc("2026-03-11T02:00:00Z")), "the scheduled fire");
        Assert.Equal(Utc("2026-03-12T02:00:00Z"), Assert.Single(await scheduler.ListAsync(CancellationToken.None)).NextFire);

        var failure = logs.Entries.First(e => e.EventId.Id == 7011);
        Assert.Equal(Microsoft.Extensions.Logging.LogLevel.Error, failure.Level);
        Assert.Contains("sam.flaky", failure.Message, StringComparison.Ordinal);
        Assert.Equal("vendor down", failure.Exception?.Message);
    }

    [Fact]
    public async Task Dispose_WhileAHandlerRuns_CancelsItsTokenAndWaitsForIt()
    {
        var clock = Clock("2026-03-10T12:00:00Z");
        var observed = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new CancellableHandler(observed);
        var scheduler = await StartAsync(NewDatabase(), clock, handler);
        await scheduler.UpsertAsync(Daily("long"), CancellationToken.None);
        await scheduler.TriggerNowAsync("long", "sam", CancellationToken.None);
        await handler.Started.Task.WaitAsync(RecordingHandler.Timeout);

        await scheduler.DisposeAsync().AsTask().WaitAsync(RecordingHandler.Timeout);

        Assert.True(observed.Task.IsCompleted, "dispose returned before the handler did");
        Assert.True(await observed.Task, "the handler's token was not cancelled");
    }

    private sealed class CancellableHandler(TaskCompletionSource<bool> observed) : IJobHandler
    {
        public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task RunAsync(JobSpec job, DateTimeOffset scheduledFireTime, CancellationToken cancellationToken)
        {
            Started.TrySetResult();
            try
            {
                await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            }
            finally
            {
                observed.TrySetResult(cancellationToken.IsCancellationRequested);
            }
        }
    }

    [Fact]
    public async Task Start_BadOptions_AreRefusedWithTheReason()
    {
        var path = NewDatabase();
        var handler = new RecordingHandler();

        var cluster = await Assert.ThrowsAsync<ArgumentException>(() =>
            JobScheduler.StartAsync(SchedulerOptions.Sqlite(path) with { Clustered = true }, handler));
        Assert.Contains("SQLite is single-node", cluster.Message, StringComparison.Ordinal);

        var memory = await Assert.ThrowsAsync<ArgumentException>(() =>
            JobScheduler.StartAsync(new SchedulerOptions { ConnectionString = "Data Source=:memory:" }, handler));
        Assert.Contains("in-memory", memory.Message, StringComparison.Ordinal);

        var unknown = await Assert.ThrowsAsync<ArgumentException>(() =>
            JobScheduler.StartAsync(new SchedulerOptions { ConnectionString = "x", Provider = "oracle" }, handler));
        Assert.Contains("use 'sqlite' or 'postgresql'", unknown.Message, StringComparison.Ordinal);
    }
}
