using FlowEngine.Persistence;
using FlowEngine.Persistence.LicenseManagement;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.LicenseManagement;

/// <summary>A user as a download subflow hands it over.</summary>
public sealed record DownloadedUser(string ExternalUserId, string UserPrincipalName, string? DisplayName, DateTimeOffset? ExternalCreated, DateTimeOffset? LastActivity, string? Identifier);

/// <summary>What a download changed.</summary>
public sealed record DownloadSummary(int Added, int Updated, int Removed, int Total);

/// <summary>
/// The license-management writes, each in one transaction: replacing a profile's subscriptions after a complete
/// download, moving last activity forward only, and evaluating removal candidates against the rule.
/// </summary>
public sealed class SamStore(FlowStore store, TimeProvider time)
{
    /// <summary>The states in which a candidate is still open.</summary>
    public static readonly CandidateState[] Open =
        [CandidateState.AttentionRequired, CandidateState.Ready, CandidateState.AwaitingUser, CandidateState.AwaitingApproval, CandidateState.AwaitingRevocation];

    /// <summary>The database.</summary>
    public FlowStore Store { get; } = store;

    /// <summary>The clock.</summary>
    public TimeProvider Time { get; } = time;

    /// <summary>
    /// Makes the profile's subscriptions exactly the downloaded users (keyed by external user id): new ones added,
    /// known ones updated, missing ones removed (their open candidates closed skipped). Called once, after every page
    /// was read, so a download that fails midway changes nothing.
    /// </summary>
    public async Task<DownloadSummary> ReplaceSubscriptionsAsync(Guid profileId, IReadOnlyList<DownloadedUser> users, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(users);
        var duplicates = users.GroupBy(u => u.ExternalUserId).Where(g => g.Count() > 1).Select(g => g.Key).Take(3).ToList();
        if (duplicates.Count > 0)
        {
            throw new InvalidOperationException($"the download returned the same user more than once ({string.Join(", ", duplicates)}); nothing was stored");
        }

        await using var db = Store.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var profile = await db.Profiles.FirstOrDefaultAsync(p => p.Id == profileId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"no integration profile {profileId}");
        var existing = await db.Subscriptions.Where(s => s.ProfileId == profileId).ToDictionaryAsync(s => s.ExternalUserId, cancellationToken).ConfigureAwait(false);
        var now = Time.GetUtcNow();
        int added = 0, updated = 0;
        foreach (var downloaded in users)
        {
            var user = downloaded;
            if (existing.Remove(user.ExternalUserId, out var subscription))
            {
                // An account's creation date never moves later: a pending invitation counts from when it was first seen.
                if (subscription.ExternalCreated is { } known && user.ExternalCreated > known)
                {
                    user = user with { ExternalCreated = known };
                }

                var changed = subscription.UserPrincipalName != user.UserPrincipalName || subscription.DisplayName != user.DisplayName
                    || subscription.ExternalCreated != user.ExternalCreated || subscription.Identifier != user.Identifier
                    || (user.LastActivity is { } seen && (subscription.LastActivity is null || seen > subscription.LastActivity));
                if (changed)
                {
                    subscription.UserPrincipalName = user.UserPrincipalName;
                    subscription.DisplayName = user.DisplayName;
                    subscription.ExternalCreated = user.ExternalCreated;
                    subscription.Identifier = user.Identifier;
                    if (user.LastActivity is { } later && (subscription.LastActivity is null || later > subscription.LastActivity))
                    {
                        subscription.LastActivity = later;
                    }

                    subscription.UpdatedAt = now;
                    updated++;
                }
            }
            else
            {
                db.Subscriptions.Add(new SubscriptionEntity
                {
                    Id = Guid.CreateVersion7(now),
                    ProfileId = profileId,
                    ExternalUserId = user.ExternalUserId,
                    UserPrincipalName = user.UserPrincipalName,
                    DisplayName = user.DisplayName,
                    ExternalCreated = user.ExternalCreated,
                    LastActivity = user.LastActivity,
                    Identifier = user.Identifier,
                    SoftwareModelId = profile.SoftwareModelId,
                    CreatedAt = now,
                    UpdatedAt = now,
                });
                added++;
            }
        }

        var gone = existing.Values.Select(s => s.Id).ToList();
        if (gone.Count > 0)
        {
            var candidates = await db.Candidates.Where(c => c.SubscriptionId != null && gone.Contains(c.SubscriptionId.Value) && Open.Contains(c.State))
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            foreach (var candidate in candidates)
            {
                Move(db, candidate, CandidateState.ClosedSkipped, "download", "the user is no longer in the vendor's account", now);
                candidate.SubscriptionId = null;
            }

            db.Subscriptions.RemoveRange(existing.Values);
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new DownloadSummary(added, updated, gone.Count, users.Count);
    }

    /// <summary>Moves last activity forward only ("update user activity if later"), by external user id or user principal name; returns how many users moved.</summary>
    public async Task<int> UpdateActivityAsync(Guid profileId, IEnumerable<(string? ExternalUserId, string? UserPrincipalName, DateTimeOffset At)> activity, CancellationToken cancellationToken)
    {
        await using var db = Store.CreateContext();
        // Read untracked, write only the users that moved (one UPDATE each, in one transaction): tracking every
        // subscription of a large account cost more than the update itself.
        var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => s.ProfileId == profileId)
            .Select(s => new ActivityRow { Id = s.Id, ExternalUserId = s.ExternalUserId, UserPrincipalName = s.UserPrincipalName, LastActivity = s.LastActivity })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var byId = subscriptions.ToDictionary(s => s.ExternalUserId, StringComparer.Ordinal);
        var byName = subscriptions.GroupBy(s => s.UserPrincipalName, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        var now = Time.GetUtcNow();
        var moved = new HashSet<ActivityRow>();
        foreach (var (id, name, at) in activity)
        {
            var subscription = id is not null && byId.TryGetValue(id, out var s1) ? s1 : name is not null && byName.TryGetValue(name, out var s2) ? s2 : null;
            if (subscription is null || at > now.AddMinutes(5))
            {
                continue;
            }

            if (subscription.LastActivity is null || at > subscription.LastActivity)
            {
                subscription.LastActivity = at;
                moved.Add(subscription);
            }
        }

        if (moved.Count == 0)
        {
            return 0;
        }

        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var sql = new ModelSql(db);
        // One statement, prepared once and run for each user that moved.
        await using (var update = sql.Repeat(
            $"""UPDATE {sql.Table<SubscriptionEntity>()} SET "LastActivity" = @at, "UpdatedAt" = @now WHERE "Id" = @id""",
            sql.Value<SubscriptionEntity>(nameof(SubscriptionEntity.LastActivity), "@at", null),
            sql.Value<SubscriptionEntity>(nameof(SubscriptionEntity.UpdatedAt), "@now", now),
            sql.Value<SubscriptionEntity>(nameof(SubscriptionEntity.Id), "@id", Guid.Empty)))
        {
            foreach (var row in moved)
            {
                await update.ExecuteAsync(cancellationToken, row.LastActivity, now, row.Id).ConfigureAwait(false);
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return moved.Count;
    }

    private sealed class ActivityRow
    {
        public Guid Id { get; init; }

        public required string ExternalUserId { get; init; }

        public required string UserPrincipalName { get; init; }

        public DateTimeOffset? LastActivity { get; set; }
    }

    /// <summary>
    /// Creates candidates for subscriptions idle past the rule's threshold (excluded users and identifiers, and
    /// accounts created within the threshold, are left alone), cancels open candidates of users active again, and
    /// moves notified candidates whose wait is over to Ready.
    /// </summary>
    public async Task<(int Created, int Canceled)> EvaluateCandidatesAsync(Guid profileId, CancellationToken cancellationToken)
    {
        await using var db = Store.CreateContext();
        var profile = await db.Profiles.AsNoTracking().FirstAsync(p => p.Id == profileId, cancellationToken).ConfigureAwait(false);
        var rule = await db.Rules.AsNoTracking().FirstOrDefaultAsync(r => r.ProfileId == profileId, cancellationToken).ConfigureAwait(false)
            ?? new ReclamationRuleEntity { Name = "default", LastActivityThresholdDays = 60 };
        var now = Time.GetUtcNow();
        var cutoff = now.AddDays(-rule.LastActivityThresholdDays);
        var exclusions = await db.Exclusions.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => s.ProfileId == profileId).ToListAsync(cancellationToken).ConfigureAwait(false);
        var open = await db.Candidates.Where(c => c.ProfileId == profileId && Open.Contains(c.State)).ToListAsync(cancellationToken).ConfigureAwait(false);
        var openBySubscription = open.Where(c => c.SubscriptionId is not null).GroupBy(c => c.SubscriptionId!.Value).ToDictionary(g => g.Key, g => g.First());
        var next = await NextNumberAsync(db, cancellationToken).ConfigureAwait(false);
        int created = 0, canceled = 0;
        // New candidates (thousands on a first run) are inserted in batches after the loop, not tracked one by one.
        var newCandidates = new List<RemovalCandidateEntity>();
        var newHistory = new List<CandidateHistoryEntity>();

        foreach (var subscription in subscriptions)
        {
            var excluded = IsExcluded(exclusions, subscription, profile.ProfileType);
            var idle = !excluded && IsIdle(subscription, cutoff);
            openBySubscription.TryGetValue(subscription.Id, out var candidate);
            if (idle && candidate is null)
            {
                var entity = new RemovalCandidateEntity
                {
                    Id = Guid.CreateVersion7(now),
                    Number = $"RCC{next++:D7}",
                    ProfileId = profileId,
                    SubscriptionId = subscription.Id,
                    ExternalUserId = subscription.ExternalUserId,
                    UserPrincipalName = subscription.UserPrincipalName,
                    State = rule.NotifyUser ? CandidateState.AwaitingUser : CandidateState.Ready,
                    RuleId = rule.Id == Guid.Empty ? null : rule.Id,
                    ThresholdDays = rule.LastActivityThresholdDays,
                    LastActivity = subscription.LastActivity,
                    CreatedAt = now,
                    UpdatedAt = now,
                };
                newCandidates.Add(entity);
                newHistory.Add(new CandidateHistoryEntity
                {
                    CandidateId = entity.Id,
                    To = entity.State,
                    By = "activity refresh",
                    Why = subscription.LastActivity is { } last
                        ? $"no activity since {last:u} ({(int)(now - last).TotalDays} days, threshold {rule.LastActivityThresholdDays})"
                        : $"no recorded activity, threshold {rule.LastActivityThresholdDays} days",
                    At = now,
                });
                created++;
            }
            else if (!idle && candidate is not null && candidate.State is not CandidateState.AwaitingRevocation)
            {
                // Closed Canceled means "activity was detected"; an exclusion is not activity, so that candidate is skipped.
                Move(db, candidate, excluded ? CandidateState.ClosedSkipped : CandidateState.ClosedCanceled, "activity refresh",
                    excluded ? "the user is excluded" : $"activity detected at {subscription.LastActivity:u}", now);
                canceled++;
            }
            else if (candidate is { State: CandidateState.AwaitingUser } waiting && rule.DaysBeforeAutoReclamation is { } days && waiting.CreatedAt.AddDays(days) <= now)
            {
                Move(db, waiting, CandidateState.Ready, "activity refresh", $"no answer from the user in {days} days", now);
            }
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        await RowUpsert<RemovalCandidateEntity>.For(db, SamColumns.Candidates).WriteAsync(db, newCandidates, cancellationToken, insertOnly: true).ConfigureAwait(false);
        await RowUpsert<CandidateHistoryEntity>.For(db, SamColumns.History).WriteAsync(db, newHistory, cancellationToken, insertOnly: true).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (created, canceled);
    }

    /// <summary>Whether a subscription counts as idle: no activity since the cutoff, and not an account created after it.</summary>
    public static bool IsIdle(SubscriptionEntity subscription, DateTimeOffset cutoff)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        if (subscription.ExternalCreated is { } created && created > cutoff)
        {
            return false;
        }

        return subscription.LastActivity is null || subscription.LastActivity < cutoff;
    }

    /// <summary>Whether exclusions keep a subscription out (by user principal name anywhere, by identifier per profile type).</summary>
    public static bool IsExcluded(IEnumerable<ExclusionEntity> exclusions, SubscriptionEntity subscription, string profileType)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        return exclusions.Any(e =>
            (e.Kind == "user_principal_name" && string.Equals(e.Value, subscription.UserPrincipalName, StringComparison.OrdinalIgnoreCase))
            || (e.Kind == "identifier" && e.Value == subscription.Identifier && (e.ProfileType is null || e.ProfileType == profileType)));
    }

    /// <summary>Changes a candidate's state and records who, when and why.</summary>
    public static void Move(FlowEngineDbContext db, RemovalCandidateEntity candidate, CandidateState to, string by, string why, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(candidate);
        History(db, candidate.Id, candidate.State, to, by, why, at);
        candidate.State = to;
        candidate.UpdatedAt = at;
    }

    private static void History(FlowEngineDbContext db, Guid candidate, CandidateState? from, CandidateState to, string by, string why, DateTimeOffset at) =>
        db.CandidateHistory.Add(new CandidateHistoryEntity { CandidateId = candidate, From = from, To = to, By = by, Why = why, At = at });

    private static async Task<int> NextNumberAsync(FlowEngineDbContext db, CancellationToken cancellationToken)
    {
        var last = await db.Candidates.OrderByDescending(c => c.Number).Select(c => c.Number).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        return last is null ? 1 : int.Parse(last[3..], System.Globalization.CultureInfo.InvariantCulture) + 1;
    }
}
