namespace FlowEngine.Runtime.Records;

/// <summary>
/// The state an interrupted execution resumes from: which top-level step comes next, and the variables and step
/// results so far, as JSON. Written after every top-level step, in the same store write as its step record.
/// </summary>
public sealed class ExecutionCheckpoint
{
    /// <summary>The execution.</summary>
    public Guid ExecutionId { get; set; }

    /// <summary>Format version of <see cref="StateJson"/>, so a newer engine can read an older checkpoint.</summary>
    public int SchemaVersion { get; set; } = 1;

    /// <summary>Index of the next top-level step to run.</summary>
    public int NextStepIndex { get; set; }

    /// <summary>The last step sequence number used.</summary>
    public int LastSequence { get; set; }

    /// <summary><c>{ "vars": {…}, "outputs": {…} }</c>; step results come from the step records; secrets are masked, so a resume re-reads them from their source.</summary>
    public required string StateJson { get; set; }

    /// <summary>When it was written.</summary>
    public DateTimeOffset SavedAt { get; set; }
}
