using FlowEngine.Runtime.Records;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Persistence;

/// <summary>Executions, step records and checkpoints in the database.</summary>
/// <remarks>Writes go one at a time: SQLite has one writer, and a parallel for-each must not see "database is locked".</remarks>
public sealed class EfExecutionStore(FlowStore store) : IExecutionStore
{
    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly HashSet<(Guid, int)> _started = [];
    private readonly HashSet<Guid> _checkpointed = [];

    /// <inheritdoc />
    public Task CreateAsync(ExecutionRecord execution, CancellationToken cancellationToken) => WriteAsync(db => db.Executions.Add(Detached(execution)), cancellationToken);

    /// <inheritdoc />
    public Task SaveStepAsync(StepRecord step, ExecutionCheckpoint? checkpoint, CancellationToken cancellationToken) => WriteAsync(db =>
    {
        // Only steps that hold others are written when they start; remembering them saves a lookup per step.
        if (_started.Remove((step.ExecutionId, step.Sequence)))
        {
            db.StepRecords.Update(step);
        }
        else
        {
            db.StepRecords.Add(step);
            if (step.Status == StepStatus.Running)
            {
                _started.Add((step.ExecutionId, step.Sequence));
            }
        }

        if (checkpoint is not null)
        {
            if (_checkpointed.Add(checkpoint.ExecutionId))
            {
                db.Checkpoints.Add(checkpoint);
            }
            else
            {
                db.Checkpoints.Update(checkpoint);
            }
        }
    }, cancellationToken);

    /// <inheritdoc />
    public Task UpdateAsync(ExecutionRecord execution, CancellationToken cancellationToken) => WriteAsync(db => db.Executions.Update(Detached(execution)), cancellationToken);

    /// <inheritdoc />
    public async Task<ExecutionRecord?> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        var execution = await db.Executions.AsNoTracking().FirstOrDefaultAsync(e => e.Id == id, cancellationToken).ConfigureAwait(false);
        if (execution is not null)
        {
            execution.Steps = await db.StepRecords.AsNoTracking().Where(s => s.ExecutionId == id).OrderBy(s => s.Sequence).ToListAsync(cancellationToken).ConfigureAwait(false);
        }

        return execution;
    }

    /// <summary>Finds an execution by the start of its id, as the CLI shows ids shortened.</summary>
    public async Task<IReadOnlyList<Guid>> FindByPrefixAsync(string prefix, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        var ids = await db.Executions.AsNoTracking().Select(e => e.Id).ToListAsync(cancellationToken).ConfigureAwait(false);
        return ids.Where(i => i.ToString().StartsWith(prefix, StringComparison.OrdinalIgnoreCase)).ToList();
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ExecutionRecord>> ListAsync(string? definitionId, int take, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        var query = db.Executions.AsNoTracking();
        if (definitionId is not null)
        {
            query = query.Where(e => e.DefinitionId == definitionId);
        }

        return await query.OrderByDescending(e => e.StartedAt).Take(take).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<ExecutionCheckpoint?> GetCheckpointAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        return await db.Checkpoints.AsNoTracking().FirstOrDefaultAsync(c => c.ExecutionId == id, cancellationToken).ConfigureAwait(false);
    }

    private Task WriteAsync(Action<FlowEngineDbContext> change, CancellationToken cancellationToken) =>
        WriteAsync(db =>
        {
            change(db);
            return Task.CompletedTask;
        }, cancellationToken);

    private async Task WriteAsync(Func<FlowEngineDbContext, Task> change, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = store.CreateContext();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await change(db).ConfigureAwait(false);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _writes.Release();
        }
    }

    // The runtime keeps mutating its record; EF gets a copy so tracking never aliases live state.
    private static ExecutionRecord Detached(ExecutionRecord e) => new()
    {
        Id = e.Id,
        DefinitionId = e.DefinitionId,
        Version = e.Version,
        DefinitionHash = e.DefinitionHash,
        Status = e.Status,
        InputsJson = e.InputsJson,
        OutputsJson = e.OutputsJson,
        Error = e.Error,
        ErrorStepId = e.ErrorStepId,
        TriggeredBy = e.TriggeredBy,
        StartedAt = e.StartedAt,
        EndedAt = e.EndedAt,
        StepCount = e.StepCount,
    };
}
