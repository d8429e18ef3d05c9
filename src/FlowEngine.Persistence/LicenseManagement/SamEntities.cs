namespace FlowEngine.Persistence.LicenseManagement;

/// <summary>Draft until validated and published.</summary>
public enum ProfileStatus
{
    /// <summary>Being set up; no jobs.</summary>
    Draft,

    /// <summary>Validated and published; daily jobs exist.</summary>
    Published,
}

/// <summary>The eight states of a removal candidate.</summary>
public enum CandidateState
{
    /// <summary>Needs someone: a failed reclaim, or a notify-user candidate without a user.</summary>
    AttentionRequired,

    /// <summary>Can be reclaimed.</summary>
    Ready,

    /// <summary>The user was notified (notify user on).</summary>
    AwaitingUser,

    /// <summary>The user asked to keep it; the manager decides.</summary>
    AwaitingApproval,

    /// <summary>Waiting for a manual revocation.</summary>
    AwaitingRevocation,

    /// <summary>Reclaimed.</summary>
    ClosedComplete,

    /// <summary>Not reclaimed (profile deleted, subscription gone, manual path).</summary>
    ClosedSkipped,

    /// <summary>Not reclaimed because the user was active again.</summary>
    ClosedCanceled,
}

/// <summary>A direct integration profile (<c>samp_sw_subscription_profile</c>).</summary>
public sealed class IntegrationProfileEntity
{
    public Guid Id { get; set; }

    public required string DisplayName { get; set; }

    /// <summary>The vendor (spoke id): pagerduty, roadmunk.</summary>
    public required string Vendor { get; set; }

    /// <summary>e.g. "PagerDuty Subscription".</summary>
    public required string ProfileType { get; set; }

    /// <summary>The connection &amp; credential alias: the spoke's parent alias or a child alias.</summary>
    public required string AliasId { get; set; }

    public ProfileStatus Status { get; set; }

    /// <summary>Always on; kept as a field so the form can show it.</summary>
    public bool DownloadSubscriptions { get; set; } = true;

    public bool DownloadActivity { get; set; } = true;

    public bool ReclaimSubscriptions { get; set; } = true;

    /// <summary>"Analyze user activity from": the activity subflow's look-back time, within the last 60 days.</summary>
    public DateTimeOffset AnalyzeActivityFrom { get; set; }

    /// <summary>Most candidates one reclaim run may act on.</summary>
    public int ReclaimCapCount { get; set; } = 100;

    /// <summary>Largest share of the profile's subscriptions one reclaim run may act on (0–1).</summary>
    public double ReclaimCapShare { get; set; } = 0.25;

    public DateTimeOffset? ValidatedAt { get; set; }

    public bool? ValidationSucceeded { get; set; }

    public string? ValidationMessage { get; set; }

    public Guid? SoftwareModelId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A file attached to a profile (the Roadmunk user CSV). The newest one counts.</summary>
public sealed class ProfileAttachmentEntity
{
    public Guid Id { get; set; }

    public Guid ProfileId { get; set; }

    public required string FileName { get; set; }

    public required string Content { get; set; }

    public DateTimeOffset AttachedAt { get; set; }
}

/// <summary>A software model, created when a profile is published.</summary>
public sealed class SoftwareModelEntity
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    public required string Publisher { get; set; }

    public required string Product { get; set; }

    /// <summary>The subscription identifier that maps to it.</summary>
    public required string Identifier { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>One subscription per vendor user (<c>samp_sw_subscription</c>).</summary>
public sealed class SubscriptionEntity
{
    public Guid Id { get; set; }

    public Guid ProfileId { get; set; }

    public required string ExternalUserId { get; set; }

    public required string UserPrincipalName { get; set; }

    public string? DisplayName { get; set; }

    public DateTimeOffset? LastActivity { get; set; }

    public DateTimeOffset? ExternalCreated { get; set; }

    public string? Identifier { get; set; }

    public Guid? SoftwareModelId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A reclamation rule; kept when its profile is deleted.</summary>
public sealed class ReclamationRuleEntity
{
    public Guid Id { get; set; }

    public required string Name { get; set; }

    /// <summary>The profile it applies to (null after the profile was deleted).</summary>
    public Guid? ProfileId { get; set; }

    public Guid? SoftwareModelId { get; set; }

    /// <summary>Days without activity after which a subscription is idle (default 60).</summary>
    public int LastActivityThresholdDays { get; set; } = 60;

    public bool NotifyUser { get; set; }

    public int? DaysBeforeAutoReclamation { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}

/// <summary>A removal (reclamation) candidate, with the evidence that made it one.</summary>
public sealed class RemovalCandidateEntity
{
    public Guid Id { get; set; }

    /// <summary>RCC0000001…</summary>
    public required string Number { get; set; }

    public Guid? ProfileId { get; set; }

    public Guid? SubscriptionId { get; set; }

    public required string ExternalUserId { get; set; }

    public required string UserPrincipalName { get; set; }

    public CandidateState State { get; set; }

    public Guid? RuleId { get; set; }

    public int ThresholdDays { get; set; }

    public DateTimeOffset? LastActivity { get; set; }

    public string? ErrorMessage { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Who changed a candidate's state, when and why.</summary>
public sealed class CandidateHistoryEntity
{
    public long Id { get; set; }

    public Guid CandidateId { get; set; }

    public CandidateState? From { get; set; }

    public CandidateState To { get; set; }

    public required string By { get; set; }

    public required string Why { get; set; }

    public DateTimeOffset At { get; set; }
}

/// <summary>Kept out of license calculations and reclamation: by user principal name (all profiles) or by identifier (per profile type).</summary>
public sealed class ExclusionEntity
{
    public Guid Id { get; set; }

    /// <summary>user_principal_name or identifier.</summary>
    public required string Kind { get; set; }

    public required string Value { get; set; }

    /// <summary>For identifier exclusions: the profile type.</summary>
    public string? ProfileType { get; set; }
}

/// <summary>Rights owned for a software model.</summary>
public sealed class EntitlementEntity
{
    public Guid Id { get; set; }

    public Guid SoftwareModelId { get; set; }

    public int Rights { get; set; }

    /// <summary>Cost of one right per year.</summary>
    public decimal UnitCost { get; set; }

    public string? Description { get; set; }
}

/// <summary>One reconciliation of one software model.</summary>
public sealed class ReconciliationResultEntity
{
    public Guid Id { get; set; }

    public Guid SoftwareModelId { get; set; }

    public DateTimeOffset RunAt { get; set; }

    public int Owned { get; set; }

    public int Used { get; set; }

    public int Stale { get; set; }

    public bool Compliant { get; set; }

    public decimal PotentialSavings { get; set; }

    public decimal RealisedSavings { get; set; }
}

/// <summary>
/// A page of users read by a download that has not finished yet: each page lands here as one row as it arrives (so a
/// download never holds every user in memory, and a resumed one keeps the pages it had), and the profile's
/// subscriptions are replaced from these rows in one transaction when the last page was read. Rows of one execution
/// are deleted when it ends.
/// </summary>
public sealed class StagedPageEntity
{
    /// <summary>Assigned by the database, in the order pages were staged.</summary>
    public long Id { get; set; }

    public Guid ExecutionId { get; set; }

    public Guid ProfileId { get; set; }

    /// <summary>The attempt of the execution that staged it (a resumed execution may stage a page again).</summary>
    public int Attempt { get; set; } = 1;

    /// <summary>How many users <see cref="Users"/> holds.</summary>
    public int Count { get; set; }

    /// <summary>
    /// The page's users as a JSON array of arrays: [external user id, user principal name, display name, last activity
    /// (UTC ticks), external created (UTC ticks), identifier, the id the subscription gets when it is new]. On SQLite it
    /// is stored as SQLite's binary JSON (jsonb; read it with <c>json(Users)</c>), on PostgreSQL as JSON text.
    /// </summary>
    public required string Users { get; set; }
}
