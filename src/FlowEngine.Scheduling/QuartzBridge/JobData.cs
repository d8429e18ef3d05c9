using Quartz;

namespace FlowEngine.Scheduling.QuartzBridge;

/// <summary>
/// Turns a <see cref="JobSpec"/> into the job's data map and back. The cron expression and the time zone travel
/// in the map too, so a fire from any trigger (the cron one, or a manual one) rebuilds the whole spec from the
/// job alone.
/// </summary>
internal static class JobData
{
    /// <summary>Keys FlowEngine keeps for itself; a job's own data may not use them.</summary>
    public const string ReservedPrefix = "flowengine:";

    private const string CronKey = ReservedPrefix + "cron";
    private const string TimeZoneKey = ReservedPrefix + "timeZone";

    public static JobDataMap ToMap(JobSpec job)
    {
        var map = new JobDataMap(job.Data.Count + 2);
        foreach (var (key, value) in job.Data)
        {
            map.Add(key, value);
        }

        map.Add(CronKey, job.Cron);
        map.Add(TimeZoneKey, job.TimeZone);
        return map;
    }

    public static JobSpec ToSpec(IJobDetail detail)
    {
        var map = detail.JobDataMap;
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in map)
        {
            if (!key.StartsWith(ReservedPrefix, StringComparison.Ordinal))
            {
                data[key] = value?.ToString() ?? string.Empty;
            }
        }

        var cron = map.TryGetValue(CronKey, out var c) && c is not null
            ? c.ToString()!
            : throw new InvalidOperationException($"job '{detail.Key}' has no '{CronKey}' entry; it was not stored by FlowEngine");
        var timeZone = map.TryGetValue(TimeZoneKey, out var z) && z is not null ? z.ToString()! : "UTC";
        return new JobSpec(detail.Key.Name, detail.Key.Group, cron, data)
        {
            Description = detail.Description,
            TimeZone = timeZone,
        };
    }

    /// <summary>Whether two specs describe the same job, data compared by content.</summary>
    public static bool SameJob(JobSpec a, JobSpec b) =>
        SameSchedule(a, b)
        && a.Description == b.Description
        && a.Data.Count == b.Data.Count
        && a.Data.All(pair => b.Data.TryGetValue(pair.Key, out var other) && other == pair.Value);

    /// <summary>Whether two specs fire at the same times.</summary>
    public static bool SameSchedule(JobSpec a, JobSpec b) =>
        a.Cron == b.Cron && a.TimeZone == b.TimeZone;
}
