using FlowEngine.Tests.Shared;
using Microsoft.Extensions.Time.Testing;

namespace FlowEngine.Scheduling.Tests;

internal static class Harness
{
    /// <summary>A fresh database path in a temp folder of its own.</summary>
    public static string NewDatabase() => Path.Combine(TestPaths.TempFolder(), "flowengine.db");

    public static FakeTimeProvider Clock(string utc) => new(DateTimeOffset.Parse(utc, System.Globalization.CultureInfo.InvariantCulture));

    public static Task<JobScheduler> StartAsync(string path, TimeProvider time, IJobHandler handler) =>
        JobScheduler.StartAsync(SchedulerOptions.Sqlite(path) with { Time = time }, handler);

    public static JobSpec Daily(string name, string group = "sam", Dictionary<string, string>? data = null) =>
        new(name, group, "0 0 2 * * ?", data ?? new Dictionary<string, string> { ["flow"] = "sam.refresh_subscriptions", ["profile"] = "pagerduty-prod" })
        {
            Description = $"SAM - Refresh {name}",
        };

    public static DateTimeOffset Utc(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}
