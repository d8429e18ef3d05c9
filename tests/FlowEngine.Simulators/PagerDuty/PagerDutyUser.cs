namespace FlowEngine.Simulators;

/// <summary>A user in the simulated PagerDuty account (the fields the simulator serves; PagerDuty has no created-at).</summary>
public sealed record PagerDutyUser
{
    /// <summary>1-based position in the seed; user 1 is the owner.</summary>
    public required int Number { get; init; }

    /// <summary>PagerDuty id such as <c>PABC123</c>.</summary>
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required string Email { get; init; }

    /// <summary>One of admin, limited_user, observer, owner, read_only_user, restricted_access, read_only_limited_user, user.</summary>
    public required string Role { get; init; }

    public required string TimeZone { get; init; }

    public required string Color { get; init; }

    public required string JobTitle { get; init; }

    public string? Description { get; init; }

    /// <summary>True while the user has not accepted the invitation.</summary>
    public bool InvitationSent { get; init; }

    /// <summary>Open incidents assigned to the user; DELETE is refused while this is above 0.</summary>
    public int OpenIncidents { get; init; }
}
