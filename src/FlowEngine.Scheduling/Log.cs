using Microsoft.Extensions.Logging;

namespace FlowEngine.Scheduling;

/// <summary>The scheduler's log events; ids 7000–7099.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7000, EventName = "SchedulerStarted", Level = LogLevel.Information,
        Message = "Scheduler '{InstanceName}' started on {Provider} with {JobCount} job(s)")]
    public static partial void Started(ILogger logger, string instanceName, string provider, int jobCount);

    [LoggerMessage(EventId = 7001, EventName = "SchemaEnsured", Level = LogLevel.Debug,
        Message = "Quartz tables ensured in {DataSource}")]
    public static partial void SchemaEnsured(ILogger logger, string dataSource);

    [LoggerMessage(EventId = 7010, EventName = "JobFiring", Level = LogLevel.Information,
        Message = "Job {Group}.{Name} fires (scheduled {ScheduledFireTime:o})")]
    public static partial void Firing(ILogger logger, string group, string name, DateTimeOffset scheduledFireTime);

    [LoggerMessage(EventId = 7011, EventName = "JobHandlerFailed", Level = LogLevel.Error,
        Message = "Job {Group}.{Name} (scheduled {ScheduledFireTime:o}) failed; its next fire is unaffected")]
    public static partial void HandlerFailed(ILogger logger, string group, string name, DateTimeOffset scheduledFireTime, Exception exception);

    [LoggerMessage(EventId = 7012, EventName = "JobCancelled", Level = LogLevel.Warning,
        Message = "Job {Group}.{Name} (scheduled {ScheduledFireTime:o}) was cancelled by shutdown")]
    public static partial void Cancelled(ILogger logger, string group, string name, DateTimeOffset scheduledFireTime);

    [LoggerMessage(EventId = 7013, EventName = "JobUnreadable", Level = LogLevel.Error,
        Message = "Job {Group}.{Name} could not be read back from the job store; it was skipped")]
    public static partial void UnreadableJob(ILogger logger, string group, string name, Exception exception);

    [LoggerMessage(EventId = 7020, EventName = "JobUpserted", Level = LogLevel.Information,
        Message = "Job {Group}.{Name} {Change} (cron '{Cron}' in {TimeZone})")]
    public static partial void Upserted(ILogger logger, string group, string name, string change, string cron, string timeZone);

    [LoggerMessage(EventId = 7021, EventName = "JobDeleted", Level = LogLevel.Information,
        Message = "Job {Group}.{Name} deleted")]
    public static partial void Deleted(ILogger logger, string group, string name);
}
