namespace FlowEngine.Persistence;

/// <summary>Draft or published.</summary>
public enum VersionStatus
{
    /// <summary>Being edited; calls without a version do not see it.</summary>
    Draft,

    /// <summary>Live; a call without a version takes the latest published version.</summary>
    Published,
}

/// <summary>One stored version of a definition, with its source text and content hash.</summary>
public sealed class DefinitionVersionEntity
{
    /// <summary>Surrogate key.</summary>
    public long Id { get; set; }

    /// <summary>The definition's dotted id.</summary>
    public required string DefinitionId { get; set; }

    /// <summary>Version number.</summary>
    public int Version { get; set; }

    /// <summary>flow, subflow or action.</summary>
    public required string Kind { get; set; }

    /// <summary>Display name.</summary>
    public required string Name { get; set; }

    /// <summary>SHA-256 of the normalised source.</summary>
    public required string Hash { get; set; }

    /// <summary>Draft or published.</summary>
    public VersionStatus Status { get; set; }

    /// <summary>The file it came from (or where it would be exported to).</summary>
    public required string SourcePath { get; set; }

    /// <summary>The full source text, YAML or JSON.</summary>
    public required string SourceText { get; set; }

    /// <summary>When it was stored.</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>When it was published.</summary>
    public DateTimeOffset? PublishedAt { get; set; }
}
