using FlowEngine.Scheduling;

namespace FlowEngine.LicenseManagement.Scheduling;

/// <summary>A profile's jobs as Quartz jobs in the group <c>sam</c>, in the same database as everything else.</summary>
public sealed class SchedulerProfileJobs(JobScheduler scheduler) : IProfileJobs
{
    /// <summary>The group of license-management jobs.</summary>
    public const string Group = "sam";

    /// <inheritdoc />
    public Task UpsertAsync(string name, string cron, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken) =>
        scheduler.UpsertAsync(new JobSpec(name, Group, cron, data) { Description = name }, cancellationToken);

    /// <inheritdoc />
    public Task<bool> DeleteAsync(string name, CancellationToken cancellationToken) => scheduler.DeleteAsync(name, Group, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<string>> NamesAsync(CancellationToken cancellationToken) =>
        (await scheduler.ListAsync(cancellationToken).ConfigureAwait(false)).Where(j => j.Group == Group).Select(j => j.Name).Order(StringComparer.Ordinal).ToList();
}

/// <summary>
/// What a license-management job does when it fires; jobs stay thin and only start work: the subscriptions job
/// downloads, the activity job updates activity (which creates candidates) and then reclaims when the profile
/// allows it, the reconciliation job reconciles.
/// </summary>
public sealed class SamJobHandler(Func<CancellationToken, Task<(ProfileService Profiles, ReclaimService Reclaim)>> services, Func<DateTimeOffset, CancellationToken, Task<int>>? prune = null) : IJobHandler
{
    /// <summary>The daily reconciliation job.</summary>
    public const string ReconciliationJob = "SAM - Reconciliation";

    /// <summary>The daily job that deletes execution records older than the retention (never license data).</summary>
    public const string PruneJob = "FlowEngine - Prune executions";

    /// <summary>Its schedule: daily at 04:00 UTC.</summary>
    public const string PruneCron = "0 0 4 * * ?";

    /// <summary>How long execution records are kept: FLOWENGINE_RETENTION_DAYS, default 14 days.</summary>
    public static int RetentionDays { get; } = int.TryParse(Environment.GetEnvironmentVariable("FLOWENGINE_RETENTION_DAYS"), out var days) && days > 0 ? days : 14;

    /// <summary>The prune job, to create where jobs fire (the server, <c>scheduler run</c>).</summary>
    public static JobSpec PruneSpec() => new(PruneJob, SchedulerProfileJobs.Group, PruneCron, new Dictionary<string, string> { ["kind"] = "prune", ["retention_days"] = RetentionDays.ToString(System.Globalization.CultureInfo.InvariantCulture) })
    {
        Description = $"Delete execution records older than {RetentionDays} days (FLOWENGINE_RETENTION_DAYS); license data is kept",
    };

    /// <summary>Fires handled so far, for diagnostics and tests.</summary>
    public List<(string Job, DateTimeOffset Scheduled, bool Succeeded, string? Error)> Fires { get; } = [];

    /// <inheritdoc />
    public async Task RunAsync(JobSpec job, DateTimeOffset scheduledFireTime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var kind = job.Data.GetValueOrDefault("kind");
        if (kind == "prune")
        {
            var days = int.TryParse(job.Data.GetValueOrDefault("retention_days"), out var d) && d > 0 ? d : RetentionDays;
            if (prune is null)
            {
                Record(job, scheduledFireTime, false, "this process cannot prune executions");
                return;
            }

            await prune(scheduledFireTime.AddDays(-days), cancellationToken).ConfigureAwait(false);
            Record(job, scheduledFireTime, true, null);
            return;
        }

        var (profiles, reclaim) = await services(cancellationToken).ConfigureAwait(false);
        var whenRunning = job.Data.GetValueOrDefault("when_running") == "wait" ? WhenRunning.Wait : WhenRunning.Skip;
        try
        {
            if (kind == "reconcile")
            {
                await reclaim.ReconcileAsync(cancellationToken).ConfigureAwait(false);
                Record(job, scheduledFireTime, true, null);
                return;
            }

            if (!Guid.TryParse(job.Data.GetValueOrDefault("profile_id"), out var profileId))
            {
                Record(job, scheduledFireTime, false, "the job names no profile");
                return;
            }

            var profile = await profiles.FindAsync(profileId.ToString(), cancellationToken).ConfigureAwait(false);
            RunOutcome outcome;
            if (kind == "activity")
            {
                outcome = await profiles.RefreshActivityAsync(profileId, cancellationToken, whenRunning).ConfigureAwait(false);
                if (outcome.Succeeded && profile.ReclaimSubscriptions)
                {
                    await reclaim.RunAsync(profileId, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                outcome = await profiles.RefreshSubscriptionsAsync(profileId, cancellationToken, whenRunning).ConfigureAwait(false);
            }

            Record(job, scheduledFireTime, outcome.Succeeded, outcome.Execution.Error);
        }
        catch (LicenseException ex)
        {
            Record(job, scheduledFireTime, false, ex.Message);
        }
    }

    private void Record(JobSpec job, DateTimeOffset scheduled, bool succeeded, string? error)
    {
        lock (Fires)
        {
            Fires.Add((job.Name, scheduled, succeeded, error));
        }
    }
}
