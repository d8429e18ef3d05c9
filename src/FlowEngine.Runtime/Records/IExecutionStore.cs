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

    /// <summary>The store's joined writes, when it keeps its records in a database that steps also write to; else null.</summary>
    IJoinedWrites? JoinedWrites => this as IJoinedWrites;
}

/// <summary>
/// A step's own database write (a page of staged users) that joins the store's next write for the same execution:
/// the transaction that saves the paged step's progress, a checkpoint, or the execution's end. The step's data and
/// the progress that says it is there then commit together or not at all, in one commit instead of two.
/// </summary>
public interface IJoinedWrites
{
    /// <summary>
    /// Queues a write for <paramref name="executionId"/>; it runs, in order, inside that execution's next store write.
    /// When many are queued (a flow that stages without saving progress), they are written at once, on their own.
    /// </summary>
    Task JoinAsync(Guid executionId, Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, CancellationToken, Task> write, CancellationToken cancellationToken);

    /// <summary>Runs an execution's queued writes now, in one transaction (before a step reads what they wrote).</summary>
    Task FlushJoinedAsync(Guid executionId, CancellationToken cancellationToken);

    /// <summary>Drops an execution's queued writes unwritten (another node took the execution over and does them again).</summary>
    void Forget(Guid executionId);
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
