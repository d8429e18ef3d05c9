using FlowEngine.Expressions;
using FlowEngine.Persistence.LicenseManagement;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.LicenseManagement;

/// <summary>One candidate a reclaim run would act on, with the evidence.</summary>
public sealed record PlannedReclaim(string Number, string ExternalUserId, string UserPrincipalName, DateTimeOffset? LastActivity, int? DaysIdle, string Rule, int ThresholdDays, decimal Saving);

/// <summary>What a reclaim run would do (plan) or did (run).</summary>
public sealed record ReclaimReport(string Profile, bool ReclaimEnabled, IReadOnlyList<PlannedReclaim> Planned, decimal Savings, string? StoppedBecause)
{
    /// <summary>Candidates reclaimed (run only).</summary>
    public int Reclaimed { get; init; }

    /// <summary>Candidates that failed and need attention (run only).</summary>
    public IReadOnlyList<(string Number, string Message)> Failed { get; init; } = [];
}

/// <summary>Per software model: rights owned against subscriptions in use, stale seats, compliance and savings.</summary>
public sealed record ReconciliationLine(string SoftwareModel, int Owned, int Used, int Stale, bool Compliant, decimal PotentialSavings, decimal RealisedSavings);

/// <summary>
/// Reclaims Ready candidates by running the vendor's reclaim subflow once each (success deletes the subscription
/// and closes the candidate Closed Complete; failure sets Attention Required with the vendor's message), behind a
/// safety cap; plans the same without calling anyone; and reconciles rights against use.
/// </summary>
public sealed class ReclaimService(SamStore sam, ProfileService profiles)
{
    private TimeProvider Time => sam.Time;

    /// <summary>Lists exactly what a reclaim run would do, with evidence and savings; calls no vendor.</summary>
    public async Task<ReclaimReport> PlanAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        await using var db = sam.Store.CreateContext();
        var profile = await db.Profiles.AsNoTracking().FirstOrDefaultAsync(p => p.Id == profileId, cancellationToken).ConfigureAwait(false)
            ?? throw new LicenseException($"no integration profile {profileId}");
        var ready = await db.Candidates.AsNoTracking().Where(c => c.ProfileId == profileId && c.State == CandidateState.Ready)
            .OrderBy(c => c.Number).ToListAsync(cancellationToken).ConfigureAwait(false);
        var rule = await db.Rules.AsNoTracking().FirstOrDefaultAsync(r => r.ProfileId == profileId, cancellationToken).ConfigureAwait(false);
        var unitCost = await UnitCostAsync(db, profile.SoftwareModelId, cancellationToken).ConfigureAwait(false);
        var subscriptions = await db.Subscriptions.CountAsync(s => s.ProfileId == profileId, cancellationToken).ConfigureAwait(false);
        var now = Time.GetUtcNow();
        var planned = ready.Select(c => new PlannedReclaim(c.Number, c.ExternalUserId, c.UserPrincipalName, c.LastActivity,
            c.LastActivity is { } last ? (int)(now - last).TotalDays : null, rule?.Name ?? "default", c.ThresholdDays, unitCost)).ToList();
        var cap = Math.Min(profile.ReclaimCapCount, (int)Math.Floor(profile.ReclaimCapShare * Math.Max(subscriptions, 1)));
        var stopped = !profile.ReclaimSubscriptions
            ? $"Reclaim subscriptions is off for '{profile.DisplayName}': candidates are kept and no vendor is called"
            : planned.Count > cap
                ? $"{planned.Count} candidates exceed the safety cap of {cap} ({profile.ReclaimCapCount} at most, and at most {profile.ReclaimCapShare * 100:0.#}% of {subscriptions} subscriptions); nothing was reclaimed. Review the candidates and the rule, or raise the cap"
                : null;
        return new ReclaimReport(profile.DisplayName, profile.ReclaimSubscriptions, planned, planned.Sum(p => p.Saving), stopped);
    }

    /// <summary>Reclaims what the plan lists, unless the plan says it must stop; each candidate once.</summary>
    public async Task<ReclaimReport> RunAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        var plan = await PlanAsync(profileId, cancellationToken).ConfigureAwait(false);
        if (plan.StoppedBecause is not null || plan.Planned.Count == 0)
        {
            return plan;
        }

        var profile = await profiles.FindAsync(profileId.ToString(), cancellationToken).ConfigureAwait(false);
        var reclaimed = 0;
        var failed = new List<(string, string)>();
        foreach (var item in plan.Planned)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RemovalCandidateEntity candidate;
            SubscriptionEntity? subscription;
            await using (var db = sam.Store.CreateContext())
            {
                candidate = await db.Candidates.AsNoTracking().FirstAsync(c => c.Number == item.Number, cancellationToken).ConfigureAwait(false);
                if (candidate.State != CandidateState.Ready)
                {
                    continue;
                }

                subscription = candidate.SubscriptionId is { } sid
                    ? await db.Subscriptions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == sid, cancellationToken).ConfigureAwait(false)
                    : null;
            }

            if (subscription is null)
            {
                await CloseAsync(candidate.Id, CandidateState.ClosedSkipped, "the subscription no longer exists", null, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var input = new Dictionary<string, object?>
            {
                ["user_subscription"] = new Dictionary<string, object?>
                {
                    ["id"] = subscription.Id.ToString(),
                    ["external_user_id"] = subscription.ExternalUserId,
                    ["user_principal_name"] = subscription.UserPrincipalName,
                    ["display_name"] = subscription.DisplayName,
                },
            };
            var outcome = await profiles.RunSubflowAsync(profile, "reclaim_subscription", input, cancellationToken).ConfigureAwait(false);
            var status = outcome.Succeeded ? Values.ToText(outcome.Outputs.GetValueOrDefault("status")) : "failure";
            var message = outcome.Succeeded ? Values.ToText(outcome.Outputs.GetValueOrDefault("error_message")) : outcome.Execution.Error ?? "the reclaim subflow failed";
            if (status == "success")
            {
                await CloseAsync(candidate.Id, CandidateState.ClosedComplete, $"reclaimed by {profile.Vendor} (execution {outcome.Execution.Id})", subscription.Id, cancellationToken).ConfigureAwait(false);
                reclaimed++;
            }
            else
            {
                await CloseAsync(candidate.Id, CandidateState.AttentionRequired, message, null, cancellationToken).ConfigureAwait(false);
                failed.Add((item.Number, message));
            }
        }

        return plan with { Reclaimed = reclaimed, Failed = failed };
    }

    /// <summary>Reconciles every software model: owned rights against subscriptions in use (exclusions left out).</summary>
    public async Task<IReadOnlyList<ReconciliationLine>> ReconcileAsync(CancellationToken cancellationToken = default)
    {
        await using var db = sam.Store.CreateContext();
        var now = Time.GetUtcNow();
        var lines = new List<ReconciliationLine>();
        var exclusions = await db.Exclusions.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var model in await db.SoftwareModels.AsNoTracking().OrderBy(m => m.Name).ToListAsync(cancellationToken).ConfigureAwait(false))
        {
            var owned = await db.Entitlements.Where(e => e.SoftwareModelId == model.Id).SumAsync(e => e.Rights, cancellationToken).ConfigureAwait(false);
            var unitCost = await UnitCostAsync(db, model.Id, cancellationToken).ConfigureAwait(false);
            var profileTypes = await db.Profiles.AsNoTracking().Where(p => p.SoftwareModelId == model.Id).ToDictionaryAsync(p => p.Id, p => p.ProfileType, cancellationToken).ConfigureAwait(false);
            var rules = await db.Rules.AsNoTracking().Where(r => r.ProfileId != null && profileTypes.Keys.Contains(r.ProfileId.Value)).ToDictionaryAsync(r => r.ProfileId!.Value, cancellationToken).ConfigureAwait(false);
            var subscriptions = (await db.Subscriptions.AsNoTracking().Where(s => s.SoftwareModelId == model.Id).ToListAsync(cancellationToken).ConfigureAwait(false))
                .Where(s => !SamStore.IsExcluded(exclusions, s, profileTypes.GetValueOrDefault(s.ProfileId, ""))).ToList();
            var stale = subscriptions.Count(s => SamStore.IsIdle(s, now.AddDays(-(rules.TryGetValue(s.ProfileId, out var r) ? r.LastActivityThresholdDays : 60))));
            var profileIds = profileTypes.Keys.ToList();
            var open = await db.Candidates.CountAsync(c => c.ProfileId != null && profileIds.Contains(c.ProfileId.Value) && SamStore.Open.Contains(c.State), cancellationToken).ConfigureAwait(false);
            var done = await db.Candidates.CountAsync(c => c.ProfileId != null && profileIds.Contains(c.ProfileId.Value) && c.State == CandidateState.ClosedComplete, cancellationToken).ConfigureAwait(false);
            var line = new ReconciliationLine(model.Name, owned, subscriptions.Count, stale, subscriptions.Count <= owned, open * unitCost, done * unitCost);
            db.Reconciliations.Add(new ReconciliationResultEntity
            {
                Id = Guid.CreateVersion7(now),
                SoftwareModelId = model.Id,
                RunAt = now,
                Owned = line.Owned,
                Used = line.Used,
                Stale = line.Stale,
                Compliant = line.Compliant,
                PotentialSavings = line.PotentialSavings,
                RealisedSavings = line.RealisedSavings,
            });
            lines.Add(line);
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return lines;
    }

    private async Task CloseAsync(Guid candidateId, CandidateState state, string why, Guid? deleteSubscription, CancellationToken cancellationToken)
    {
        await using var db = sam.Store.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var candidate = await db.Candidates.FirstAsync(c => c.Id == candidateId, cancellationToken).ConfigureAwait(false);
        SamStore.Move(db, candidate, state, "reclaim run", why, Time.GetUtcNow());
        if (state == CandidateState.AttentionRequired)
        {
            candidate.ErrorMessage = why;
        }

        if (deleteSubscription is { } id && await db.Subscriptions.FirstOrDefaultAsync(s => s.Id == id, cancellationToken).ConfigureAwait(false) is { } subscription)
        {
            db.Subscriptions.Remove(subscription);
            candidate.SubscriptionId = null;
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static async Task<decimal> UnitCostAsync(Persistence.FlowEngineDbContext db, Guid? modelId, CancellationToken cancellationToken)
    {
        if (modelId is null)
        {
            return 0;
        }

        var costs = await db.Entitlements.AsNoTracking().Where(e => e.SoftwareModelId == modelId).Select(e => e.UnitCost).ToListAsync(cancellationToken).ConfigureAwait(false);
        return costs.Count == 0 ? 0 : costs.Max();
    }
}
