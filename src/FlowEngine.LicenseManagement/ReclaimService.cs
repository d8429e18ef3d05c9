using FlowEngine.Expressions;
using FlowEngine.Persistence;
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
    // The lookups a run makes for every candidate, compiled once: a LINQ query otherwise rebuilds its cache key and
    // parameters from the expression tree on every call.
    private static readonly Func<FlowEngineDbContext, string, CancellationToken, Task<RemovalCandidateEntity>> CandidateByNumber =
        EF.CompileAsyncQuery((FlowEngineDbContext db, string number, CancellationToken _) => db.Candidates.AsNoTracking().First(c => c.Number == number));

    private static readonly Func<FlowEngineDbContext, Guid, CancellationToken, Task<SubscriptionEntity?>> SubscriptionById =
        EF.CompileAsyncQuery((FlowEngineDbContext db, Guid id, CancellationToken _) => db.Subscriptions.AsNoTracking().FirstOrDefault(s => s.Id == id));

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

    /// <summary>How long a reclaim run's lock lasts without renewal (renewed while it runs).</summary>
    public static TimeSpan LockDuration { get; set; } = Runtime.Execution.NodeIdentity.DefaultLease;

    /// <summary>
    /// Reclaims what the plan lists, unless the plan says it must stop; each candidate at most once. One reclaim run per
    /// profile at a time, across nodes. Each removal is recorded before it is sent (an idempotency record, unique per
    /// candidate, so two runs can never both send it) and settled after; a removal left unsettled by a process that
    /// died is first checked with the vendor (does the user still exist?) and sent again only if it is needed.
    /// </summary>
    /// <exception cref="LicenseException">A reclaim run for the profile is already running.</exception>
    public Task<ReclaimReport> RunAsync(Guid profileId, CancellationToken cancellationToken = default) => RunAsync(profileId, null, cancellationToken);

    /// <summary>
    /// Profiles whose reclaim run's node stopped: its lock expired (or, on a restarted node with a stable name, is its
    /// own), so <see cref="RecoverAsync"/> can finish it.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> AbandonedRunsAsync(string? restartedNode, CancellationToken cancellationToken = default) =>
        (await Locks.AbandonedAsync(RunLockPrefix, restartedNode, cancellationToken).ConfigureAwait(false))
            .Select(name => Guid.TryParse(name[RunLockPrefix.Length..], out var id) ? id : Guid.Empty).Where(id => id != Guid.Empty).ToList();

    /// <summary>Finishes the given abandoned reclaim runs (see <see cref="AbandonedRunsAsync"/>); returns the reports of those it finished.</summary>
    public async Task<IReadOnlyList<ReclaimReport>> RecoverAsync(IReadOnlyList<Guid> profileIds, string? restartedNode, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(profileIds);
        var reports = new List<ReclaimReport>();
        foreach (var profileId in profileIds)
        {
            try
            {
                reports.Add(await RunAsync(profileId, restartedNode, cancellationToken).ConfigureAwait(false));
            }
            catch (LicenseException)
            {
                // Another node took it first, or the profile is gone; nothing to finish here.
            }
        }

        return reports;
    }

    private const string RunLockPrefix = "reclaim-run:";

    private RunLocks Locks => new(sam.Store, TimeProvider.System);

    private async Task<ReclaimReport> RunAsync(Guid profileId, string? restartedNode, CancellationToken cancellationToken)
    {
        var profile = await profiles.FindAsync(profileId.ToString(), cancellationToken).ConfigureAwait(false);
        var node = Runtime.Execution.NodeIdentity.Current;
        await using var hold = await Locks.TryAcquireAsync(RunLockPrefix + profileId, node, LockDuration, restartedNode, cancellationToken).ConfigureAwait(false)
            ?? throw new LicenseException($"a reclaim run for '{profile.DisplayName}' is already running (held by {(await Locks.FindAsync(RunLockPrefix + profileId, cancellationToken).ConfigureAwait(false))?.Holder ?? "another node"}); it was not started twice");
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, hold.Lost);
        var token = linked.Token;

        var reclaimed = 0;
        var failed = new List<(string, string)>();
        await SettleInDoubtAsync(profile, failed, () => reclaimed++, token).ConfigureAwait(false);

        var plan = await PlanAsync(profileId, token).ConfigureAwait(false);
        if (plan.StoppedBecause is not null || plan.Planned.Count == 0)
        {
            return plan with { Reclaimed = reclaimed, Failed = failed };
        }

        var profileInput = await profiles.ProfileInputAsync(profile, token).ConfigureAwait(false);
        foreach (var item in plan.Planned)
        {
            token.ThrowIfCancellationRequested();
            RemovalCandidateEntity candidate;
            SubscriptionEntity? subscription;
            await using (var db = sam.Store.CreateContext())
            {
                candidate = await CandidateByNumber(db, item.Number, token).ConfigureAwait(false);
                if (candidate.State != CandidateState.Ready)
                {
                    continue;
                }

                subscription = candidate.SubscriptionId is { } sid ? await SubscriptionById(db, sid, token).ConfigureAwait(false) : null;
            }

            if (subscription is null)
            {
                await FinishAsync(candidate.Id, CandidateState.ClosedSkipped, "the subscription no longer exists", null, null, token).ConfigureAwait(false);
                continue;
            }

            var executionId = Guid.CreateVersion7(Time.GetUtcNow());
            if (!await ClaimAsync(candidate.Id, executionId, profile.Vendor, token).ConfigureAwait(false))
            {
                continue;
            }

            await SendAsync(profile, profileInput, candidate, subscription, executionId, failed, () => reclaimed++, token).ConfigureAwait(false);
        }

        return plan with { Reclaimed = reclaimed, Failed = failed };
    }

    /// <summary>
    /// The removal of one candidate: runs the vendor's reclaim subflow under the execution id its idempotency record
    /// names (not resumable: an interrupted removal is settled here, never replayed), then records the outcome.
    /// </summary>
    private async Task SendAsync(IntegrationProfileEntity profile, Dictionary<string, object?>? profileInput, RemovalCandidateEntity candidate, SubscriptionEntity subscription, Guid executionId, List<(string, string)> failed, Action reclaimed, CancellationToken cancellationToken)
    {
        var input = new Dictionary<string, object?> { ["user_subscription"] = SubscriptionInput(subscription) };
        var outcome = await profiles.RunSubflowAsync(profile, "reclaim_subscription", input, cancellationToken,
            new SubflowRun($"reclaim:{candidate.Id}", executionId, Resumable: false) { ProfileInput = profileInput }).ConfigureAwait(false);
        var status = outcome.Succeeded ? Values.ToText(outcome.Outputs.GetValueOrDefault("status")) : "failure";
        var message = outcome.Succeeded ? Values.ToText(outcome.Outputs.GetValueOrDefault("error_message")) : outcome.Execution.Error ?? "the reclaim subflow failed";
        if (status == "success")
        {
            await FinishAsync(candidate.Id, CandidateState.ClosedComplete, $"reclaimed by {profile.Vendor} (execution {outcome.Execution.Id})", subscription.Id, true, cancellationToken).ConfigureAwait(false);
            reclaimed();
        }
        else
        {
            await FinishAsync(candidate.Id, CandidateState.AttentionRequired, message, null, false, cancellationToken).ConfigureAwait(false);
            failed.Add((candidate.Number, message));
        }
    }

    /// <summary>
    /// Removals sent by a run whose process stopped before it recorded the outcome: asks the vendor whether the user
    /// still exists (the vendor's <c>check_subscription</c> subflow). Gone: closed complete, nothing sent. Still
    /// there: sent again. No way to check: Attention Required, with what to check.
    /// </summary>
    private async Task SettleInDoubtAsync(IntegrationProfileEntity profile, List<(string, string)> failed, Action reclaimed, CancellationToken cancellationToken)
    {
        List<(RemovalCandidateEntity Candidate, IdempotencyRecordEntity Record)> inDoubt;
        await using (var db = sam.Store.CreateContext())
        {
            var waiting = await db.Candidates.AsNoTracking().Where(c => c.ProfileId == profile.Id && c.State == CandidateState.AwaitingRevocation)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var keys = waiting.Select(c => Key(c.Id)).ToList();
            var records = await db.IdempotencyRecords.AsNoTracking().Where(r => keys.Contains(r.Key) && r.State == IdempotencyState.Started)
                .ToDictionaryAsync(r => r.Key, cancellationToken).ConfigureAwait(false);
            inDoubt = waiting.Where(c => records.ContainsKey(Key(c.Id))).Select(c => (c, records[Key(c.Id)])).ToList();
        }

        var runner = await profiles.RunnerAsync(cancellationToken).ConfigureAwait(false);
        var canCheck = runner.Definitions.Find($"{profile.Vendor}.sam.check_subscription", null) is not null;
        foreach (var (candidate, record) in inDoubt)
        {
            // The removal's own execution may still show as running until its dead node's lease runs out (then it is
            // failed, never replayed); only after that is the outcome settled here.
            if (!await EndedAsync(record.ExecutionId, cancellationToken).ConfigureAwait(false))
            {
                failed.Add((candidate.Number, $"the removal's execution {record.ExecutionId} still shows as running; its outcome is settled once it ends"));
                continue;
            }

            var subscription = await SubscriptionOfAsync(candidate, cancellationToken).ConfigureAwait(false);
            if (!canCheck)
            {
                await FinishAsync(candidate.Id, CandidateState.AttentionRequired,
                    $"the removal sent at {record.StartedAt:u} has an unknown outcome (the process running it stopped) and {profile.Vendor} has no check_subscription subflow; check user {candidate.ExternalUserId} in {profile.Vendor}, then close or retry the candidate",
                    null, false, cancellationToken).ConfigureAwait(false);
                failed.Add((candidate.Number, "outcome unknown after an interruption"));
                continue;
            }

            var check = await profiles.RunSubflowAsync(profile, "check_subscription",
                new Dictionary<string, object?> { ["user_subscription"] = SubscriptionInput(subscription, candidate) }, cancellationToken).ConfigureAwait(false);
            if (!check.Succeeded)
            {
                failed.Add((candidate.Number, $"could not check whether the removal sent at {record.StartedAt:u} happened ({check.Execution.Error}); the next run checks again"));
                continue;
            }

            if (!Values.IsTruthy(check.Outputs.GetValueOrDefault("exists")))
            {
                await FinishAsync(candidate.Id, CandidateState.ClosedComplete,
                    $"reclaimed by {profile.Vendor}: the removal sent at {record.StartedAt:u} was interrupted, and {profile.Vendor} confirmed the user no longer exists (execution {check.Execution.Id}); nothing was sent again",
                    subscription?.Id, true, cancellationToken).ConfigureAwait(false);
                reclaimed();
                continue;
            }

            // The removal never reached the vendor: send it now, under a new execution the record names.
            var executionId = Guid.CreateVersion7(Time.GetUtcNow());
            await using (var db = sam.Store.CreateContext())
            {
                var tracked = await db.IdempotencyRecords.FirstAsync(r => r.Key == record.Key, cancellationToken).ConfigureAwait(false);
                tracked.ExecutionId = executionId;
                tracked.Attempts++;
                tracked.Node = Runtime.Execution.NodeIdentity.Current;
                tracked.Detail = $"sent again: {profile.Vendor} still had the user after the interrupted attempt";
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }

            if (subscription is null)
            {
                await FinishAsync(candidate.Id, CandidateState.ClosedSkipped, "the subscription no longer exists", null, false, cancellationToken).ConfigureAwait(false);
                continue;
            }

            await SendAsync(profile, null, candidate, subscription, executionId, failed, reclaimed, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Key(Guid candidateId) => $"reclaim:{candidateId}";

    /// <summary>Waits (up to three lock durations) for an execution to stop running; true when it did or never existed.</summary>
    private async Task<bool> EndedAsync(Guid? executionId, CancellationToken cancellationToken)
    {
        var deadline = DateTimeOffset.UtcNow + (3 * LockDuration);
        while (true)
        {
            await using (var db = sam.Store.CreateContext())
            {
                if (!await db.Executions.AnyAsync(e => e.Id == executionId && e.Status == Runtime.Records.ExecutionStatus.Running, cancellationToken).ConfigureAwait(false))
                {
                    return true;
                }
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }
    }

    private static Dictionary<string, object?> SubscriptionInput(SubscriptionEntity? subscription, RemovalCandidateEntity? candidate = null) => new()
    {
        ["id"] = subscription?.Id.ToString(),
        ["external_user_id"] = subscription?.ExternalUserId ?? candidate?.ExternalUserId,
        ["user_principal_name"] = subscription?.UserPrincipalName ?? candidate?.UserPrincipalName,
        ["display_name"] = subscription?.DisplayName,
    };

    private async Task<SubscriptionEntity?> SubscriptionOfAsync(RemovalCandidateEntity candidate, CancellationToken cancellationToken)
    {
        await using var db = sam.Store.CreateContext();
        return candidate.SubscriptionId is { } sid
            ? await SubscriptionById(db, sid, cancellationToken).ConfigureAwait(false)
            : null;
    }

    /// <summary>
    /// Claims a Ready candidate for one removal: moves it to Awaiting Revocation and writes its idempotency record in
    /// one transaction. The record's key is unique, so of two runs (or nodes) trying at once only one succeeds.
    /// Plain statements (a conditional update and an upsert), with nothing read first: these two transactions per
    /// removal through EF's change tracking were half of each removal's own time (bench/README.md, "Profile, fourth round").
    /// </summary>
    private async Task<bool> ClaimAsync(Guid candidateId, Guid executionId, string vendor, CancellationToken cancellationToken)
    {
        await using var db = sam.Store.CreateContext();
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var sql = new ModelSql(db);
        var now = Time.GetUtcNow();
        if (!await MoveAsync(sql, candidateId, CandidateState.AwaitingRevocation, $"removal being sent to {vendor} (execution {executionId})", now, cancellationToken, from: CandidateState.Ready).ConfigureAwait(false))
        {
            return false;
        }

        // A new record, or a new attempt of one refused before (Attention Required, then made Ready again); any other
        // record means the removal was sent already, and nothing changes.
        var records = sql.Table<IdempotencyRecordEntity>();
        var started = await sql.ExecuteAsync(
            $"""
            INSERT INTO {records} ("Key", "State", "Node", "ExecutionId", "Detail", "Attempts", "StartedAt", "EndedAt")
            VALUES (@key, @started, @node, @execution, NULL, 1, @now, NULL)
            ON CONFLICT ("Key") DO UPDATE SET "State" = excluded."State", "Node" = excluded."Node", "ExecutionId" = excluded."ExecutionId",
              "Attempts" = {records}."Attempts" + 1, "StartedAt" = excluded."StartedAt", "EndedAt" = NULL
            WHERE {records}."State" = @failed
            """,
            cancellationToken,
            sql.Value<IdempotencyRecordEntity>(nameof(IdempotencyRecordEntity.Key), "@key", Key(candidateId)),
            sql.Value<IdempotencyRecordEntity>(nameof(IdempotencyRecordEntity.State), "@started", IdempotencyState.Started),
            sql.Value<IdempotencyRecordEntity>(nameof(IdempotencyRecordEntity.State), "@failed", IdempotencyState.Failed),
            sql.Value<IdempotencyRecordEntity>(nameof(IdempotencyRecordEntity.Node), "@node", Runtime.Execution.NodeIdentity.Current),
            sql.Value<IdempotencyRecordEntity>(nameof(IdempotencyRecordEntity.ExecutionId), "@execution", executionId),
            sql.Value<IdempotencyRecordEntity>(nameof(IdempotencyRecordEntity.StartedAt), "@now", now)).ConfigureAwait(false);
        if (started == 0)
        {
            return false; // the transaction is rolled back: the candidate stays as it was
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return true;
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

    /// <summary>
    /// Moves a candidate to <paramref name="to"/> (only from <paramref name="from"/> when given) with its history row,
    /// written first from the state the candidate is in; <paramref name="also"/> adds assignments (", col = …", may
    /// use @why). The plain-SQL twin of <see cref="SamStore.Move"/>. False when no candidate moved.
    /// </summary>
    private static async Task<bool> MoveAsync(ModelSql sql, Guid candidateId, CandidateState to, string why, DateTimeOffset now, CancellationToken cancellationToken, CandidateState? from = null, string also = "")
    {
        var history = sql.Table<CandidateHistoryEntity>();
        var candidates = sql.Table<RemovalCandidateEntity>();
        var only = from is null ? "" : """ AND "State" = @from""";
        ModelSql.Parameter[] values =
        [
            sql.Value<CandidateHistoryEntity>(nameof(CandidateHistoryEntity.To), "@to", to),
            sql.Value<CandidateHistoryEntity>(nameof(CandidateHistoryEntity.By), "@by", "reclaim run"),
            sql.Value<CandidateHistoryEntity>(nameof(CandidateHistoryEntity.Why), "@why", why),
            sql.Value<CandidateHistoryEntity>(nameof(CandidateHistoryEntity.At), "@now", now),
            sql.Value<RemovalCandidateEntity>(nameof(RemovalCandidateEntity.Id), "@id", candidateId),
        ];
        var moved = await sql.ExecuteAsync(
            $"""
            INSERT INTO {history} ("CandidateId", "From", "To", "By", "Why", "At")
            SELECT "Id", "State", @to, @by, @why, @now FROM {candidates} WHERE "Id" = @id{only};
            UPDATE {candidates} SET "State" = @to, "UpdatedAt" = @now{also} WHERE "Id" = @id{only}
            """,
            cancellationToken,
            from is null ? values : [.. values, sql.Value<RemovalCandidateEntity>(nameof(RemovalCandidateEntity.State), "@from", from)]).ConfigureAwait(false);
        return moved > 0;
    }

    /// <summary>Moves a candidate to its outcome and settles its idempotency record, in one transaction of plain statements.</summary>
    private async Task FinishAsync(Guid candidateId, CandidateState state, string why, Guid? deleteSubscription, bool? succeeded, CancellationToken cancellationToken)
    {
        await using var db = sam.Store.CreateContext();
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var sql = new ModelSql(db);
        var now = Time.GetUtcNow();
        var also = (state == CandidateState.AttentionRequired ? ", \"ErrorMessage\" = @why" : "") + (deleteSubscription is not null ? ", \"SubscriptionId\" = NULL" : "");
        if (!await MoveAsync(sql, candidateId, state, why, now, cancellationToken, also: also).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"removal candidate {candidateId} is not in the store");
        }

        if (deleteSubscription is { } gone)
        {
            await sql.ExecuteAsync($"""DELETE FROM {sql.Table<SubscriptionEntity>()} WHERE "Id" = @id""", cancellationToken,
                sql.Value<SubscriptionEntity>(nameof(SubscriptionEntity.Id), "@id", gone)).ConfigureAwait(false);
        }

        if (succeeded is { } ok)
        {
            await sql.ExecuteAsync($"""UPDATE {sql.Table<IdempotencyRecordEntity>()} SET "State" = @settled, "Detail" = @why, "EndedAt" = @now WHERE "Key" = @key""", cancellationToken,
                sql.Value<IdempotencyRecordEntity>(nameof(IdempotencyRecordEntity.State), "@settled", ok ? IdempotencyState.Succeeded : IdempotencyState.Failed),
                sql.Value<IdempotencyRecordEntity>(nameof(IdempotencyRecordEntity.Detail), "@why", why),
                sql.Value<IdempotencyRecordEntity>(nameof(IdempotencyRecordEntity.EndedAt), "@now", now),
                sql.Value<IdempotencyRecordEntity>(nameof(IdempotencyRecordEntity.Key), "@key", Key(candidateId))).ConfigureAwait(false);
        }

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
