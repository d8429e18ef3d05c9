namespace FlowEngine.Persistence;

/// <summary>An API key of the server: stored as a SHA-256 hash, with a role (admin, integrator, viewer).</summary>
public sealed class ApiKeyEntity
{
    /// <summary>Key id.</summary>
    public Guid Id { get; set; }

    /// <summary>What the key is for.</summary>
    public required string Name { get; set; }

    /// <summary>admin (everything), integrator (definitions, runs, executions) or viewer (read only).</summary>
    public required string Role { get; set; }

    /// <summary>SHA-256 of the key, hex.</summary>
    public required string Hash { get; set; }

    /// <summary>The first characters of the key, to tell keys apart in lists.</summary>
    public required string Prefix { get; set; }

    /// <summary>When it was created.</summary>
    public DateTimeOffset CreatedAt { get; set; }
}
