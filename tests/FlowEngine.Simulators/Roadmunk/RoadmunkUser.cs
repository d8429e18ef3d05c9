namespace FlowEngine.Simulators;

/// <summary>A user of the simulated Roadmunk account.</summary>
public sealed record RoadmunkUser
{
    /// <summary>1-based position in the seed; user 1 is the default Account Admin.</summary>
    public required int Number { get; init; }

    /// <summary>24 hex digits.</summary>
    public required string Id { get; init; }

    public required string Email { get; init; }

    public required string FirstName { get; init; }

    public required string LastName { get; init; }

    public required RoadmunkRole Role { get; init; }

    public required bool IsActive { get; init; }

    public DateTimeOffset? LastLoginAt { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The account's default Account Admin, who cannot be inactivated.</summary>
    public bool IsDefaultAdmin { get; init; }
}
