using FlowEngine.Persistence;
using FlowEngine.Scheduling.Schema;
using Microsoft.Data.Sqlite;
using static FlowEngine.Scheduling.Tests.Harness;

namespace FlowEngine.Scheduling.Tests;

/// <summary>What survives a process restart: jobs, their next fires, and the fires owed while the process was down.</summary>
public sealed class RestartTests
{
    [Fact]
    public async Task Restart_BeforeTheFirstFire_KeepsTheJobAndItsNextFire()
    {
        var path = NewDatabase();
        var clock = Clock("2026-03-10T12:00:00Z");
        var handler = new RecordingHandler();
        await using (var first = await StartAsync(path, clock, handler))
        {
            await first.UpsertAsync(Daily("pagerduty-subscriptions"), CancellationToken.None);
        }

        await using var second = await StartAsync(path, clock, handler);

        var job = Assert.Single(await second.ListAsync(CancellationToken.None));
        Assert.Equal("pagerduty-subscriptions", job.Name);
        Assert.Equal("sam.refresh_subscriptions", job.Data["flow"]);
        Assert.Equal(Utc("2026-03-11T02:00:00Z"), job.NextFire);
        Assert.Empty(handler.Fires);

        // And it is live: at 02:00 it fires, once, for 02:00.
        clock.Advance(TimeSpan.FromHours(14));
        await handler.WaitUntilAsync(f => f.Count >= 1, "the 02:00 fire after the restart");
        var fire = Assert.Single(handler.Fires);
        Assert.Equal(Utc("2026-03-11T02:00:00Z"), fire.ScheduledFireTime);
        Assert.Equal("pagerduty-prod", fire.Job.Data["profile"]);
    }

    [Fact]
    public async Task Misfire_DailyJobMissedThreeTimesWhileDown_RunsOnceWhenTheSchedulerIsBack()
    {
        var path = NewDatabase();
        var clock = Clock("2026-03-10T12:00:00Z");
        var handler = new RecordingHandler();
        await using (var before = await StartAsync(path, clock, handler))
        {
            await before.UpsertAsync(Daily("pagerduty-subscriptions"), CancellationToken.None);
        }

        // Down from Tuesday noon to Friday 03:00: the 02:00 fires of Wednesday, Thursday and Friday are missed.
        clock.Advance(TimeSpan.FromDays(2) + TimeSpan.FromHours(15));
        await using var after = await StartAsync(path, clock, handler);

        // Start-up syncs jobs from definitions again; an unchanged upsert must not cancel the owed fire.
        await after.UpsertAsync(Daily("pagerduty-subscriptions"), CancellationToken.None);

        await handler.WaitUntilAsync(f => f.Count >= 1, "the missed fire");
        await WaitForNextFireAsync(after, Utc("2026-03-14T02:00:00Z"));
        var fire = Assert.Single(handler.Fires);
        Assert.Equal("pagerduty-subscriptions", fire.Job.Name);
        Assert.Equal(Utc("2026-03-11T02:00:00Z"), fire.ScheduledFireTime); // the first fire missed

        // Nothing else is owed: the next fire is tomorrow's, and no catch-up fire follows.
        var job = Assert.Single(await after.ListAsync(CancellationToken.None));
        Assert.Equal(Utc("2026-03-14T02:00:00Z"), job.NextFire);
        await Task.Delay(TimeSpan.FromMilliseconds(300));
        Assert.Single(handler.Fires);
    }

    [Fact]
    public async Task Start_OnFlowEnginesDatabase_AddsQuartzTablesBesideEfCoreTables()
    {
        var path = NewDatabase();
        var store = await FlowStore.OpenAsync(StoreOptions.Sqlite(path));
        var migrations = await store.AppliedMigrationsAsync();
        var clock = Clock("2026-03-10T12:00:00Z");

        await using (var scheduler = await StartAsync(path, clock, new RecordingHandler()))
        {
            await scheduler.UpsertAsync(Daily("a"), CancellationToken.None);
        }

        // A second start runs the schema script again over the existing tables, and changes nothing.
        await using (var again = await StartAsync(path, clock, new RecordingHandler()))
        {
            Assert.Single(await again.ListAsync(CancellationToken.None));
        }

        var tables = await TablesAsync(path);
        Assert.Contains("QRTZ_JOB_DETAILS", tables);
        Assert.Contains("QRTZ_CRON_TRIGGERS", tables);
        Assert.Contains("__EFMigrationsHistory", tables);
        Assert.Equal(migrations, await (await FlowStore.OpenAsync(StoreOptions.Sqlite(path))).AppliedMigrationsAsync());
    }

    [Fact]
    public void SchemaScript_IsQuartzsOwnScriptForThisVersion()
    {
        // The embedded script is a copy of the one Quartz.dll carries for SchemaProvisioning.CreateIfMissing;
        // a Quartz upgrade that changes its schema fails here until the copy is refreshed.
        var quartz = typeof(Quartz.IScheduler).Assembly;
        using var stream = quartz.GetManifestResourceStream("Quartz.Impl.AdoJobStore.Schema.create_sqlite.sql");
        Assert.NotNull(stream);
        using var reader = new StreamReader(stream);
        var upstream = reader.ReadToEnd().ReplaceLineEndings("\n");

        Assert.Equal(upstream, SqliteSchema.ReadScript().ReplaceLineEndings("\n"));
        Assert.All(SqliteSchema.Statements(), s =>
        {
            Assert.DoesNotContain("DROP ", s, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("IF NOT EXISTS", s, StringComparison.Ordinal);
        });
    }

    private static async Task WaitForNextFireAsync(JobScheduler scheduler, DateTimeOffset expected)
    {
        var deadline = DateTime.UtcNow + RecordingHandler.Timeout;
        while (Assert.Single(await scheduler.ListAsync(CancellationToken.None)).NextFire != expected)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the next fire did not move to {expected:o}");
            await Task.Delay(TimeSpan.FromMilliseconds(20));
        }
    }

    private static async Task<IReadOnlyList<string>> TablesAsync(string path)
    {
        await using var connection = new SqliteConnection($"Data Source={path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table'";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
