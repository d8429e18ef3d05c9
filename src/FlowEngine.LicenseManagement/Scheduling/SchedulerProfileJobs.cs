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
public sealed class SamJobHandler(Func<CancellationToken, Task<(ProfileService Profiles, ReclaimService Reclaim)>> services) : IJobHandler
{
    /// <summary>The daily reconciliation job.</summary>
    public const string ReconciliationJob = "SAM - Reconciliation";

    /// <summary>Fires handled so far, for diagnostics and tests.</summary>
    public List<(string Job, DateTimeOffset Scheduled, bool Succeeded, string? Error)> Fires { get; } = [];

    /// <inheritdoc />
    public async Task RunAsync(JobSpec job, DateTimeOffset scheduledFireTime, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(job);
        var (profiles, reclaim) = await services(cancellationToken).ConfigureAwait(false);
        var kind = job.Data.GetValueOrDefault("kind");
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
                outcome = await profiles.RefreshActivityAsync(profileId, cancellationToken).ConfigureAwait(false);
                if (outcome.Succeeded && profile.ReclaimSubscriptions)
                {
                    await reclaim.RunAsync(profileId, cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                outcome = await profiles.RefreshSubscriptionsAsync(profileId, cancellationToken).ConfigureAwait(false);
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
