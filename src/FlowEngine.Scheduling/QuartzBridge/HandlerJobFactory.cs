using Microsoft.Extensions.Logging;
using Quartz;
using Quartz.Extensibility;

namespace FlowEngine.Scheduling.QuartzBridge;

/// <summary>Builds a <see cref="HandlerJob"/> for every fire, bound to the scheduler's handler.</summary>
internal sealed class HandlerJobFactory(IJobHandler handler, ILogger logger) : IJobFactory
{
    public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new JobScope(new HandlerJob(handler, logger), null));

    public ValueTask ReturnJob(JobScope scope, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
