namespace FlowEngine.Runtime.Records;

/// <summary>
/// How far a long step inside an execution got (a paged read: the next offset or cursor), so a resumed execution
/// continues where it was instead of starting the step again. Keyed by the step's path in the execution.
/// </summary>
public sealed class ExecutionProgress
{
    /// <summary>The execution.</summary>
    public Guid ExecutionId { get; set; }

    /// <summary>The step's path, e.g. <c>users/fetch</c>.</summary>
    public required string StepPath { get; set; }

    /// <summary>The step's own state, as JSON.</summary>
    public required string StateJson { get; set; }

    /// <summary>When it was written.</summary>
    public DateTimeOffset SavedAt { get; set; }
}
