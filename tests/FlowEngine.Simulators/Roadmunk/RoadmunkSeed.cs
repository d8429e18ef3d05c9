namespace FlowEngine.Simulators;

/// <summary>Roadmunk's regional gateways: <c>app</c> (North America), <c>eu</c>, <c>apac</c>.</summary>
public enum RoadmunkRegion
{
    App,
    Eu,
    Apac,
}

/// <summary>Account roles. GraphQL serves them as <c>ACCOUNT_ADMIN</c>, <c>COLLABORATOR</c>, <c>REVIEWER</c>; the CSV as display names.</summary>
public enum RoadmunkRole
{
    AccountAdmin,
    Collaborator,
    Reviewer,
}

/// <summary>
/// What a <see cref="RoadmunkSimulator"/> starts with. The same seed always gives the same users, ids and token; dates are
/// relative to the simulator's clock at start. User 1 is the default Account Admin (active, cannot be inactivated).
/// </summary>
public sealed record RoadmunkSeed
{
    /// <summary>How many users the account has (at least 1), active and inactive.</summary>
    public int UserCount { get; init; } = 25;

    /// <summary>The gateway region this simulator stands for.</summary>
    public RoadmunkRegion Region { get; init; } = RoadmunkRegion.App;

    public string AccountName { get; init; } = "Acme Roadmaps";

    /// <summary>User e-mails are <c>first.last@{EmailDomain}</c>.</summary>
    public string EmailDomain { get; init; } = "acme.example.com";

    /// <summary>Last logins fall within this many days before now (never before the user was added).</summary>
    public int LastLoginSpreadDays { get; init; } = 180;

    /// <summary>Share of users (0..1, not the default admin) that never logged in: <c>lastLoginAt</c> null.</summary>
    public double NeverLoggedInShare { get; init; } = 0.1;

    /// <summary>Users were added (<c>createdAt</c>) within this many days before now.</summary>
    public int CreatedAtSpreadDays { get; init; } = 730;

    /// <summary>Share of users (0..1) added in the last 14 days, half of them without a login yet.</summary>
    public double NewUserShare { get; init; } = 0.1;

    /// <summary>Share of users (0..1, not the default admin) already inactive.</summary>
    public double InactiveShare { get; init; } = 0.15;

    /// <summary>Share of the other users that are Account Admins; <see cref="ReviewerShare"/> are Reviewers; the rest Collaborators.</summary>
    public double AdminShare { get; init; } = 0.1;

    public double ReviewerShare { get; init; } = 0.35;

    /// <summary>Seeds every generated value.</summary>
    public int RandomSeed { get; init; } = 42;
}
