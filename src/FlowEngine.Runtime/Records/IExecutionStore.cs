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
}
