using FlowEngine.Runtime.Records;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Persistence;

/// <summary>Executions, step records and checkpoints in the database.</summary>
/// <remarks>
/// Writes go one at a time: SQLite has one writer, and a parallel for-each must not see "database is locked".
/// Step records are written in batches: at every checkpoint (after each top-level step), every
/// <see cref="BatchSize"/> records, and before the execution's own row changes. A process that dies loses at most
/// the records since the last batch; the checkpoint it resumes from is always written with the records before it.
/// </remarks>
public sealed class EfExecutionStore(FlowStore store) : IExecutionStore
{
    /// <summary>Step records kept before they are written.</summary>
    public const int BatchSize = 500;

    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly object _gate = new();
    private readonly Dictionary<(Guid, int), StepRecord> _pending = [];
    private readonly Dictionary<Guid, ExecutionCheckpoint> _pendingCheckpoints = [];
    private readonly HashSet<(Guid, int)> _written = [];
    private readonly HashSet<Guid> _checkpointed = [];

    /// <inheritdoc />
    public async Task CreateAsync(ExecutionRecord execution, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(db => db.Executions.Add(Detached(execution)), cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task SaveStepAsync(StepRecord step, ExecutionCheckpoint? checkpoint, CancellationToken cancellationToken)
    {
        bool flush;
        lock (_gate)
        {
            _pending[(step.ExecutionId, step.Sequence)] = step;
            if (checkpoint is not null)
            {
                _pendingCheckpoints[checkpoint.ExecutionId] = checkpoint;
            }

            flush = checkpoint is not null || _pending.Count >= BatchSize;
        }

        return flush ? FlushAsync(cancellationToken) : Task.CompletedTask;
    }

    /// <inheritdoc />
    public async Task UpdateAsync(ExecutionRecord execution, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await WriteAsync(db => db.Executions.Update(Detached(execution)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Writes the step records and checkpoints kept so far, in one transaction.</summary>
    public Task FlushAsync(CancellationToken cancellationToken)
    {
        List<StepRecord> steps;
        List<ExecutionCheckpoint> checkpoints;
        lock (_gate)
        {
            if (_pending.Count == 0 && _pendingCheckpoints.Count == 0)
            {
                return Task.CompletedTask;
            }

            steps = [.. _pending.Values];
            checkpoints = [.. _pendingCheckpoints.Values];
            _pending.Clear();
            _pendingCheckpoints.Clear();
        }

        return WriteAsync(db =>
        {
            foreach (var step in steps)
            {
                var key = (step.ExecutionId, step.Sequence);
                if (_written.Contains(key))
                {
                    db.StepRecords.Update(step);
                }
                else
                {
                    db.StepRecords.Add(step);
                }

                // A step still running will be written again when it ends; one that ended never is.
                if (step.Status == StepStatus.Running)
                {
                    _written.Add(key);
                }
                else
                {
                    _written.Remove(key);
                }
            }

            foreach (var checkpoint in checkpoints)
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
    }

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

    /// <summary>
    /// Deletes executions that ended before <paramref name="endedBefore"/>, with their step records and checkpoints
    /// (the flow context retention, 14 days by default). Running executions and license data are never touched.
    /// </summary>
    /// <returns>How many executions were deleted.</returns>
    public async Task<int> PruneAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = store.CreateContext();
            var cutoff = endedBefore.UtcTicks;
            var ids = (await db.Executions.AsNoTracking().Where(e => e.EndedAt != null).Select(e => new { e.Id, e.EndedAt }).ToListAsync(cancellationToken).ConfigureAwait(false))
                .Where(e => e.EndedAt!.Value.UtcTicks < cutoff).Select(e => e.Id).ToList();
            foreach (var chunk in ids.Chunk(500))
            {
                await db.StepRecords.Where(s => chunk.Contains(s.ExecutionId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                await db.Checkpoints.Where(c => chunk.Contains(c.ExecutionId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                await db.Executions.Where(e => chunk.Contains(e.Id)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            }

            return ids.Count;
        }
        finally
        {
            _writes.Release();
        }
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
        AliasOverridesJson = e.AliasOverridesJson,
        Node = e.Node,
        LeaseExpiresAt = e.LeaseExpiresAt,
        Attempt = e.Attempt,
        ConcurrencyKey = e.ConcurrencyKey,
    };
}
