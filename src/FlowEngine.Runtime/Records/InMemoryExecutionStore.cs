using System.Collections.Concurrent;

namespace FlowEngine.Runtime.Records;

/// <summary>An execution store in memory: for tests, benchmarks and <c>flowengine run --no-store</c>.</summary>
public sealed class InMemoryExecutionStore : IExecutionStore
{
    private readonly ConcurrentDictionary<Guid, ExecutionRecord> _executions = new();
    private readonly ConcurrentDictionary<Guid, ExecutionCheckpoint> _checkpoints = new();
    private readonly ConcurrentDictionary<Guid, Dictionary<int, int>> _positions = new();
    private readonly ConcurrentDictionary<(Guid, string), ExecutionProgress> _progress = new();

    /// <inheritdoc />
    public Task CreateAsync(ExecutionRecord execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        lock (_executions)
        {
            if (execution.ConcurrencyKey is { } key
                && _executions.Values.FirstOrDefault(e => e.ConcurrencyKey == key && e.Status == ExecutionStatus.Running && e.Id != execution.Id) is { } running)
            {
                throw new ExecutionConflictException(key, running.Id);
            }

            _executions[execution.Id] = execution;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task SaveStepAsync(StepRecord step, ExecutionCheckpoint? checkpoint, CancellationToken cancellationToken)
    {
        var execution = _executions[step.ExecutionId];
        var positions = _positions.GetOrAdd(step.ExecutionId, _ => []);
        lock (positions)
        {
            if (positions.TryGetValue(step.Sequence, out var index))
            {
                execution.Steps[index] = step;
            }
            else
            {
                positions[step.Sequence] = execution.Steps.Count;
                execution.Steps.Add(step);
            }
        }

        if (checkpoint is not null)
        {
            _checkpoints[step.ExecutionId] = checkpoint;
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task UpdateAsync(ExecutionRecord execution, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public Task<ExecutionRecord?> GetAsync(Guid id, CancellationToken cancellationToken) =>
        Task.FromResult(_executions.GetValueOrDefault(id));

    /// <inheritdoc />
    public Task<IReadOnlyList<ExecutionRecord>> ListAsync(string? definitionId, int take, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ExecutionRecord>>(_executions.Values
            .Where(e => definitionId is null || e.DefinitionId == definitionId)
            .OrderByDescending(e => e.StartedAt).Take(take).ToList());

    /// <inheritdoc />
    public Task<ExecutionCheckpoint?> GetCheckpointAsync(Guid id, CancellationToken cancellationToken) =>
        Task.FromResult(_checkpoints.GetValueOrDefault(id));

    /// <inheritdoc />
    public Task SaveProgressAsync(ExecutionProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        _progress[(progress.ExecutionId, progress.StepPath)] = progress;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<ExecutionProgress?> GetProgressAsync(Guid executionId, string stepPath, CancellationToken cancellationToken) =>
        Task.FromResult(_progress.GetValueOrDefault((executionId, stepPath)));
}
