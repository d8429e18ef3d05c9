using static FlowEngine.Scheduling.Tests.Harness;

namespace FlowEngine.Scheduling.Tests;

/// <summary>When jobs fire, driven by a fake clock.</summary>
public sealed class FiringTests
{
    private const string EveryMinute = "0 * * * * ?";

    [Fact]
    public async Task DeletedJob_NeverFiresAgain()
    {
        var clock = Clock("2026-03-10T12:00:30Z");
        var handler = new RecordingHandler();
        await using var scheduler = await StartAsync(NewDatabase(), clock, handler);
        await scheduler.UpsertAsync(new JobSpec("deleted", "flows", EveryMinute, new Dictionary<string, string>()), CancellationToken.None);
        await scheduler.UpsertAsync(new JobSpec("control", "flows", EveryMinute, new Dictionary<string, string>()), CancellationToken.None);

        Assert.True(await scheduler.DeleteAsync("deleted", "flows", CancellationToken.None));

        // Three minutes go by; the control job fires each minute, the deleted one never does.
        for (var minute = 1; minute <= 3; minute++)
        {
            clock.Advance(TimeSpan.FromMinutes(1));
            await handler.WaitUntilAsync(f => f.Count(x => x.Job.Name == "control") >= minute, $"the control job's fire #{minute}");
        }

        Assert.Empty(handler.FiresOf("deleted"));
        Assert.Equal(
            [Utc("2026-03-10T12:01:00Z"), Utc("2026-03-10T12:02:00Z"), Utc("2026-03-10T12:03:00Z")],
            handler.FiresOf("control").Select(f => f.ScheduledFireTime));
        await Assert.ThrowsAsync<KeyNotFoundException>(() => scheduler.TriggerNowAsync("deleted", "flows", CancellationToken.None));
    }

    [Fact]
    public async Task TwoFiresOfOneJob_DoNotOverlap()
    {
        var clock = Clock("2026-03-10T12:00:00Z");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler { Behaviour = _ => release.Task };
        await using var scheduler = await StartAsync(NewDatabase(), clock, handler);
        await scheduler.UpsertAsync(Daily("slow"), CancellationToken.None);

        try
        {
            await scheduler.TriggerNowAsync("slow", "sam", CancellationToken.None);
            await handler.WaitUntilAsync(f => f.Count >= 1, "the first fire to start");

            // Two more fires come due while the first runs: a manual one, and the 02:00 one.
            await scheduler.TriggerNowAsync("slow", "sam", CancellationToken.None);
            clock.Advance(TimeSpan.FromHours(14));
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            Assert.Single(handler.Fires);
        }
        finally
        {
            release.TrySetResult();
        }

        await handler.WaitUntilAsync(f => f.Count >= 3, "the held-back fires to run after the first");
        Assert.Equal(1, handler.MaxRunning);
        Assert.Contains(handler.Fires, f => f.ScheduledFireTime == Utc("2026-03-11T02:00:00Z"));
    }

    [Fact]
    public async Task DifferentJobs_RunSideBySide()
    {
        var clock = Clock("2026-03-10T12:00:00Z");
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new RecordingHandler { Behaviour = _ => release.Task };
        await using var scheduler = await StartAsync(NewDatabase(), clock, handler);
        await scheduler.UpsertAsync(Daily("one"), CancellationToken.None);
        await scheduler.UpsertAsync(Daily("two"), CancellationToken.None);

        try
        {
            await scheduler.TriggerNowAsync("one", "sam", CancellationToken.None);
            await scheduler.TriggerNowAsync("two", "sam", CancellationToken.None);

            await handler.WaitUntilAsync(f => f.Count >= 2, "both jobs to be running at once");
            Assert.Equal(2, handler.MaxRunning);
        }
        finally
        {
            release.TrySetResult();
        }
    }
}
