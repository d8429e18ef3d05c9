using System.Collections.Concurrent;
using System.Globalization;
using FlowEngine.Persistence;
using FlowEngine.Scheduling;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace FlowEngine.PostgreSql.Tests;

/// <summary>
/// Two scheduler nodes (two Quartz instances, different instance ids, clustered) on one PostgreSQL database, driven by
/// one fake clock: every scheduled fire of a profile's daily jobs runs exactly once, on one node; when a node goes
/// away abruptly the other fires alone.
/// </summary>
public sealed class ClusterTests(PostgresDatabase database, ITestOutputHelper output) : IClassFixture<PostgresDatabase>
{
    private const string Group = "sam";
    private const string Subscriptions = "SAM - Refresh PagerDuty Integration Subscriptions";
    private const string Activity = "SAM - Refresh PagerDuty Integration Activity";

    /// <summary>Long enough for a loaded 2-core CI machine, short enough that a stuck cluster fails quickly.</summary>
    private static readonly TimeSpan FireTimeout = TimeSpan.FromSeconds(30);

    private readonly ConcurrentQueue<Fire> _fires = new();

    [Fact]
    public async Task TwoNodes_DailyJobsOver120Days_EveryFireRunsExactlyOnce_AndTheSurvivorFiresAloneAfterANodeStops()
    {
        const int days = 120;
        const int stopAfterDay = 60;

        // FlowEngine's own tables first, as a server node does before its scheduler starts.
        await FlowStore.OpenAsync(StoreOptions.PostgreSql(database.ConnectionString));
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero));
        var nodes = new Dictionary<string, JobScheduler>
        {
            ["node-a"] = await StartNodeAsync("node-a", clock),
            ["node-b"] = await StartNodeAsync("node-b", clock),
        };
        var stopped = (string?)null;
        try
        {
            var data = new Dictionary<string, string> { ["profile_id"] = Guid.CreateVersion7().ToString() };
            await nodes["node-a"].UpsertAsync(new JobSpec(Subscriptions, Group, "0 0 2 * * ?", data) { Description = Subscriptions }, default);
            await nodes["node-b"].UpsertAsync(new JobSpec(Activity, Group, "0 0 3 * * ?", data) { Description = Activity }, default);

            // One cluster of two: both nodes check in to Quartz's table under their own ids.
            Assert.Equal(["node-a", "node-b"], await CheckedInNodesAsync());

            // Both nodes see both jobs: they share one job store.
            Assert.Equal([Activity, Subscriptions], (await nodes["node-a"].ListAsync(default)).Select(j => j.Name));
            Assert.Equal([Activity, Subscriptions], (await nodes["node-b"].ListAsync(default)).Select(j => j.Name));

            var expected = new List<(string Job, DateTimeOffset At)>();
            var firstDay = new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero);
            for (var day = 0; day < days; day++)
            {
                if (day == stopAfterDay)
                {
                    // The node that ran the latest fire goes away without waiting for anything, as a crashed or
                    // killed server would; the other must carry on alone.
                    stopped = _fires.Last().Node;
                    await nodes[stopped].AbandonAsync();
                    output.WriteLine($"day {day}: stopped {stopped} without waiting; {_fires.Count} fires so far");
                }

                foreach (var (job, hour) in new[] { (Subscriptions, 2), (Activity, 3) })
                {
                    var at = firstDay.AddDays(day).AddHours(hour);
                    expected.Add((job, at));
                    clock.SetUtcNow(at);
                    await WaitForFireAsync(job, at);
                }
            }

            // Let any stray duplicate surface before counting.
            await Task.Delay(TimeSpan.FromSeconds(1));

            var fires = _fires.ToList();
            var byFire = fires.GroupBy(f => (f.Job, f.ScheduledFireTime)).ToList();
            var duplicates = byFire.Where(g => g.Count() > 1).ToList();
            var missing = expected.Where(e => !byFire.Any(g => g.Key == (e.Job, e.At))).ToList();
            var unexpected = byFire.Where(g => !expected.Contains(g.Key)).ToList();
            var perNode = fires.GroupBy(f => f.Node).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}");
            var stopIndex = stopAfterDay * 2;
            var afterStop = fires.Where(f => f.ScheduledFireTime >= firstDay.AddDays(stopAfterDay)).ToList();
            var beforeStop = fires.Where(f => f.ScheduledFireTime < firstDay.AddDays(stopAfterDay)).ToList();

            output.WriteLine($"scheduled fires checked: {expected.Count} ({days} days x 2 daily jobs), fires recorded: {fires.Count}");
            output.WriteLine($"duplicates: {duplicates.Count}, missing: {missing.Count}, unexpected: {unexpected.Count}");
            output.WriteLine($"per node: {string.Join(", ", perNode)}");
            output.WriteLine($"before the stop ({beforeStop.Count} fires): {string.Join(", ", beforeStop.GroupBy(f => f.Node).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))}");
            output.WriteLine($"after {stopped} stopped ({afterStop.Count} fires): {string.Join(", ", afterStop.GroupBy(f => f.Node).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))}");

            Assert.True(expected.Count >= 200, $"only {expected.Count} fires checked");
            Assert.Empty(duplicates.Select(d => $"{d.Key.Job}@{d.Key.ScheduledFireTime:u} on {string.Join(" and ", d.Select(f => f.Node))}"));
            Assert.Empty(missing.Select(m => $"{m.Job}@{m.At:u}"));
            Assert.Empty(unexpected.Select(u => $"{u.Key.Job}@{u.Key.ScheduledFireTime:u}"));
            Assert.Equal(expected.Count, fires.Count);
            Assert.Equal(stopIndex, beforeStop.Count);
            Assert.All(afterStop, f => Assert.NotEqual(stopped, f.Node));
        }
        finally
        {
            foreach (var (name, node) in nodes)
            {
                if (name != stopped)
                {
                    await node.DisposeAsync();
                }
            }
        }
    }

    private async Task<List<string>> CheckedInNodesAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("SELECT instance_name FROM qrtz_scheduler_state ORDER BY instance_name", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var nodes = new List<string>();
        while (await reader.ReadAsync())
        {
            nodes.Add(reader.GetString(0));
        }

        return nodes;
    }

    private Task<JobScheduler> StartNodeAsync(string node, FakeTimeProvider clock) =>
        JobScheduler.StartAsync(
            SchedulerOptions.PostgreSql(database.ConnectionString, node) with { Time = clock },
            new NodeHandler(node, _fires));

    private async Task WaitForFireAsync(string job, DateTimeOffset at)
    {
        var deadline = DateTime.UtcNow + FireTimeout;
        while (!_fires.Any(f => f.Job == job && f.ScheduledFireTime == at))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"timed out after {FireTimeout.TotalSeconds:0}s waiting for {job}@{at.ToString("u", CultureInfo.InvariantCulture)}; last fires: {string.Join(", ", _fires.TakeLast(4).Select(f => f.ToString()))}");
            }

            await Task.Delay(5);
        }
    }

    private sealed record Fire(string Job, DateTimeOffset ScheduledFireTime, string Node);

    /// <summary>Records which node ran which scheduled fire.</summary>
    private sealed class NodeHandler(string node, ConcurrentQueue<Fire> fires) : IJobHandler
    {
        public Task RunAsync(JobSpec job, DateTimeOffset scheduledFireTime, CancellationToken cancellationToken)
        {
            fires.Enqueue(new Fire(job.Name, scheduledFireTime, node));
            return Task.CompletedTask;
        }
    }
}
