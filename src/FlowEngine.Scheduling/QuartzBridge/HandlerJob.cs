using Microsoft.Extensions.Logging;
using Quartz;

namespace FlowEngine.Scheduling.QuartzBridge;

/// <summary>
/// The one Quartz job FlowEngine stores: it rebuilds the <see cref="JobSpec"/> from the job's data and hands it
/// to the <see cref="IJobHandler"/>, and nothing else.
/// </summary>
/// <remarks>
/// Its full name is stored with every job, so renaming or moving this class orphans the jobs already stored.
/// A failing handler is logged and swallowed: Quartz would otherwise record the fire as failed, and nothing
/// here would retry it any better than the next scheduled fire does.
/// </remarks>
[DisallowConcurrentExecution]
internal sealed class HandlerJob(IJobHandler handler, ILogger logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var scheduledFireTime = context.ScheduledFireTimeUtc ?? context.FireTimeUtc;
        JobSpec job;
        try
        {
            job = JobData.ToSpec(context.JobDetail);
        }
        catch (Exception ex)
        {
            Log.UnreadableJob(logger, context.JobDetail.Key.Group, context.JobDetail.Key.Name, ex);
            return;
        }

        Log.Firing(logger, job.Group, job.Name, scheduledFireTime);
        try
        {
            await handler.RunAsync(job, scheduledFireTime, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Log.Cancelled(logger, job.Group, job.Name, scheduledFireTime);
        }
        catch (Exception ex)
        {
            Log.HandlerFailed(logger, job.Group, job.Name, scheduledFireTime, ex);
        }
    }
}
