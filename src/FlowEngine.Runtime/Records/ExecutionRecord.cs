namespace FlowEngine.Runtime.Records;

/// <summary>Where an execution is in its life.</summary>
public enum ExecutionStatus
{
    /// <summary>Steps are running.</summary>
    Running,

    /// <summary>Paused until something outside happens (a later issue's waits and resumes).</summary>
    Waiting,

    /// <summary>Ended normally.</summary>
    Completed,

    /// <summary>Ended with an error.</summary>
    Failed,

    /// <summary>Stopped by a user or by its timeout.</summary>
    Cancelled,
}

/// <summary>Where a step is in its life.</summary>
public enum StepStatus
{
    /// <summary>Started, not ended.</summary>
    Running,

    /// <summary>Ended normally.</summary>
    Completed,

    /// <summary>Ended with an error.</summary>
    Failed,

    /// <summary>Stopped because the execution was cancelled.</summary>
    Cancelled,

    /// <summary>Was running when the process running it stopped; the execution resumed from its last checkpoint.</summary>
    Interrupted,
}

/// <summary>
/// One execution of one definition version (the flow context): what started it, with which inputs, how it ended.
/// Values are stored as JSON with secrets masked.
/// </summary>
public sealed class ExecutionRecord
{
    /// <summary>Execution id.</summary>
    public Guid Id { get; set; }

    /// <summary>The definition's id.</summary>
    public required string DefinitionId { get; set; }

    /// <summary>The version the execution started on and stays on.</summary>
    public int Version { get; set; }

    /// <summary>The content hash of that version.</summary>
    public required string DefinitionHash { get; set; }

    /// <summary>Current status.</summary>
    public ExecutionStatus Status { get; set; }

    /// <summary>Inputs as JSON, secrets masked.</summary>
    public string InputsJson { get; set; } = "{}";

    /// <summary>Outputs as JSON, secrets masked.</summary>
    public string? OutputsJson { get; set; }

    /// <summary>The error that ended it, secrets scrubbed.</summary>
    public string? Error { get; set; }

    /// <summary>The step that failed, when one did.</summary>
    public string? ErrorStepId { get; set; }

    /// <summary>What started it: cli, http, scheduler, designer, test.</summary>
    public string TriggeredBy { get; set; } = "api";

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>Steps recorded so far.</summary>
    public int StepCount { get; set; }

    /// <summary>Alias overrides the execution was started with (an integration profile's child alias), as JSON, so a resume uses the same accounts.</summary>
    public string? AliasOverridesJson { get; set; }

    /// <summary>The node that runs it now (holds its lease), while it runs.</summary>
    public string? Node { get; set; }

    /// <summary>Until when <see cref="Node"/> holds it; a running execution whose lease ran out is resumed by another node.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; set; }

    /// <summary>
    /// Work that must not run twice at once (e.g. <c>download:&lt;profile id&gt;</c>): at most one running execution per key,
    /// enforced by a unique index, so two nodes cannot both start it.
    /// </summary>
    public string? ConcurrencyKey { get; set; }

    /// <summary>
    /// False for an execution that must not be run again from its checkpoint after an interruption, because it writes
    /// to a vendor and its owner settles the unknown outcome itself (a reclaim checks whether the user still exists).
    /// </summary>
    public bool Resumable { get; set; } = true;

    /// <summary>How many times it was started: 1, plus one per resume after an interruption.</summary>
    public int Attempt { get; set; } = 1;

    /// <summary>Step records, when loaded with them.</summary>
    public List<StepRecord> Steps { get; set; } = [];
}

/// <summary>One run of one step: inputs, outputs, status, times, error and retries.</summary>
public sealed class StepRecord
{
    /// <summary>The execution it belongs to.</summary>
    public Guid ExecutionId { get; set; }

    /// <summary>Order of starting, from 1, unique in the execution.</summary>
    public int Sequence { get; set; }

    /// <summary>The sequence of the enclosing step (a loop, a branch, a call), or null at the top.</summary>
    public int? ParentSequence { get; set; }

    /// <summary>The step id in its definition.</summary>
    public required string StepId { get; set; }

    /// <summary>Where the step is: <c>pick[3]/keep</c>, <c>download/list_users</c>.</summary>
    public required string Path { get; set; }

    /// <summary>The step type keyword.</summary>
    public required string Type { get; set; }

    /// <summary>The definition the step belongs to (a call's steps belong to the callee).</summary>
    public required string DefinitionKey { get; set; }

    /// <summary>Status.</summary>
    public StepStatus Status { get; set; }

    /// <summary>Evaluated inputs as JSON, secrets masked.</summary>
    public string? InputsJson { get; set; }

    /// <summary>Outputs as JSON, secrets masked.</summary>
    public string? OutputsJson { get; set; }

    /// <summary>The error, secrets scrubbed.</summary>
    public string? Error { get; set; }

    /// <summary>When it started.</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>When it ended.</summary>
    public DateTimeOffset? EndedAt { get; set; }

    /// <summary>How many times it was retried.</summary>
    public int RetryCount { get; set; }

    /// <summary>The loop position, for steps inside a for_each.</summary>
    public int? Iteration { get; set; }
}
