namespace FlowEngine.Runtime.Records;

/// <summary>Where executions, their step records and checkpoints are kept. The runtime writes; the CLI and server read.</summary>
public interface IExecutionStore
{
    /// <summary>Stores a new execution.</summary>
    Task CreateAsync(ExecutionRecord execution, CancellationToken cancellationToken);

    /// <summary>Stores a step record (insert or update by execution and sequence), and a checkpoint when given, in one write.</summary>
    Task SaveStepAsync(StepRecord step, ExecutionCheckpoint? checkpoint, CancellationToken cancellationToken);

    /// <summary>Updates the execution's status, outputs, error and end time.</summary>
    Task UpdateAsync(ExecutionRecord execution, CancellationToken cancellationToken);

    /// <summary>An execution with its step records, or null.</summary>
    Task<ExecutionRecord?> GetAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Recent executions, newest first, without step records.</summary>
    Task<IReadOnlyList<ExecutionRecord>> ListAsync(string? definitionId, int take, CancellationToken cancellationToken);

    /// <summary>The latest checkpoint of an execution, or null.</summary>
    Task<ExecutionCheckpoint?> GetCheckpointAsync(Guid id, CancellationToken cancellationToken);

    /// <summary>Stores how far a long step got (insert or replace by execution and step path), after the step records before it.</summary>
    Task SaveProgressAsync(ExecutionProgress progress, CancellationToken cancellationToken);

    /// <summary>How far a step of an execution got, or null.</summary>
    Task<ExecutionProgress?> GetProgressAsync(Guid executionId, string stepPath, CancellationToken cancellationToken);
}

/// <summary>
/// Leases on running executions, for stores several processes share: the node running an execution renews its lease;
/// a running execution whose lease ran out (its process died) is claimed by another node, or by the same node after a
/// restart, and resumed from its checkpoint.
/// </summary>
public interface IExecutionLeases
{
    /// <summary>Extends the lease of a running execution held by <paramref name="node"/>; false when it is no longer held by it.</summary>
    Task<bool> RenewAsync(Guid id, string node, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>
    /// Running executions that can be claimed: their lease ran out before <paramref name="now"/>, or they are held by
    /// <paramref name="restartedNode"/> (this node's own name, after a restart).
    /// </summary>
    Task<IReadOnlyList<Guid>> OrphansAsync(DateTimeOffset now, string? restartedNode, int take, CancellationToken cancellationToken);

    /// <summary>Takes over a running execution for <paramref name="node"/> when it can still be claimed; false when another node was first.</summary>
    Task<bool> ClaimAsync(Guid id, string node, DateTimeOffset now, string? restartedNode, DateTimeOffset until, CancellationToken cancellationToken);

    /// <summary>Marks the execution's step records still shown as running as interrupted.</summary>
    Task MarkInterruptedAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken);
}

/// <summary>An execution could not start because another one with the same concurrency key is running.</summary>
public sealed class ExecutionConflictException(string key, Guid running)
    : Exception($"'{key}' is already running in execution {running}; it was not started twice")
{
    /// <summary>The concurrency key.</summary>
    public string Key { get; } = key;

    /// <summary>The execution that holds it.</summary>
    public Guid Running { get; } = running;
}
