namespace FlowEngine.Scheduling;

/// <summary>
/// What a fired job does. Implemented outside this project: it starts an execution and returns; the scheduler's
/// job itself stays thin.
/// </summary>
public interface IJobHandler
{
    /// <summary>Runs one fire of <paramref name="job"/>.</summary>
    /// <param name="job">The job as it was stored, rebuilt from the scheduler's data.</param>
    /// <param name="scheduledFireTime">
    /// When the fire was due, in UTC. For the one run that stands in for fires missed while the scheduler was
    /// down, it is the first of those missed fires, not the time it finally ran; for
    /// <see cref="JobScheduler.TriggerNowAsync"/> it is the time of the request.
    /// </param>
    /// <param name="cancellationToken">Cancelled when the scheduler shuts down.</param>
    /// <remarks>
    /// An exception is logged and swallowed: one failing run never stops the scheduler or the job's later fires.
    /// Two fires of the same job never overlap; the later one waits for the earlier one to return.
    /// </remarks>
    Task RunAsync(JobSpec job, DateTimeOffset scheduledFireTime, CancellationToken cancellationToken);
}
