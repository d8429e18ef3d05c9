namespace FlowEngine.Simulators;

/// <summary>The PagerDuty service region; it shows in <c>as_account-{region}.{subdomain}</c> and in web URLs.</summary>
public enum PagerDutyRegion
{
    /// <summary>api.pagerduty.com</summary>
    Us,

    /// <summary>api.eu.pagerduty.com</summary>
    Eu,
}

/// <summary>
/// What a <see cref="PagerDutySimulator"/> starts with. The same seed (including <see cref="RandomSeed"/>) always gives the
/// same users, ids, on-call entries and credentials; on-call times are relative to the simulator's clock at start.
/// Users are numbered from 1 in generation order; user 1 is the account owner.
/// </summary>
public sealed record PagerDutySeed
{
    /// <summary>How many users the account has (at least 1).</summary>
    public int UserCount { get; init; } = 25;

    /// <summary>The account subdomain (<c>acme</c> → acme.pagerduty.com).</summary>
    public string Subdomain { get; init; } = "acme";

    /// <summary>The service region.</summary>
    public PagerDutyRegion Region { get; init; } = PagerDutyRegion.Us;

    /// <summary>Every Nth user (by number) has open incidents, so DELETE answers 400; 0 turns this off.</summary>
    public int OpenIncidentsEvery { get; init; } = 10;

    /// <summary>Further user numbers (1-based) that have open incidents.</summary>
    public IReadOnlyCollection<int> OpenIncidentUsers { get; init; } = [];

    /// <summary>Every Nth user has <c>invitation_sent=true</c> (invited, not yet accepted); 0 turns this off.</summary>
    public int InvitationSentEvery { get; init; } = 12;

    /// <summary>Further user numbers (1-based) with <c>invitation_sent=true</c>.</summary>
    public IReadOnlyCollection<int> InvitationSentUsers { get; init; } = [];

    /// <summary>Share of users (0..1) with on-call shifts in the last <see cref="RecentOnCallDays"/> days (some still on call now).</summary>
    public double RecentOnCallShare { get; init; } = 0.5;

    /// <summary>Share of users (0..1) whose only on-call shifts ended 75 to 200 days ago. The rest have none.</summary>
    public double StaleOnCallShare { get; init; } = 0.25;

    /// <summary>How far back the "recent" shifts may end.</summary>
    public int RecentOnCallDays { get; init; } = 40;

    /// <summary>The <c>expires_in</c> of OAuth access tokens, in seconds, measured on the simulator's clock.</summary>
    public int AccessTokenLifetimeSeconds { get; init; } = 3600;

    /// <summary>How long an OAuth refresh token stays usable, in seconds (Scoped OAuth: 30 days).</summary>
    public int RefreshTokenLifetimeSeconds { get; init; } = 30 * 24 * 3600;

    /// <summary>When set, <c>/oauth/authorize</c> only accepts this redirect URI (like a registered app); otherwise any.</summary>
    public string? OAuthRedirectUri { get; init; }

    /// <summary>Seeds every generated value.</summary>
    public int RandomSeed { get; init; } = 42;
}
