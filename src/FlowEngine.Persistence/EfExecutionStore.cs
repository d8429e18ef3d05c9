using System.Data.Common;
using FlowEngine.Runtime.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace FlowEngine.Persistence;

/// <summary>Executions, step records and checkpoints in the database.</summary>
/// <remarks>
/// Writes go one at a time: SQLite has one writer, and a parallel for-each must not see "database is locked".
/// Step records are written in batches: at every checkpoint (after each top-level step), every
/// <see cref="BatchSize"/> records, and before the execution's own row changes. A process that dies loses at most
/// the records since the last batch; the checkpoint it resumes from is always written with the records before it.
/// </remarks>
public sealed class EfExecutionStore(FlowStore store) : IExecutionStore, IExecutionLeases, IJoinedWrites
{
    /// <summary>Joined writes an execution may queue before they are written on their own.</summary>
    public const int MaxJoined = 16;

    /// <summary>Step records kept before they are written.</summary>
    public const int BatchSize = 500;

    private readonly SemaphoreSlim _writes = new(1, 1);
    private readonly object _gate = new();
    private readonly Dictionary<(Guid, int), StepRecord> _pending = [];
    private readonly Dictionary<Guid, ExecutionCheckpoint> _pendingCheckpoints = [];
    private readonly Dictionary<Guid, List<Func<DbConnection, DbTransaction, CancellationToken, Task>>> _joined = [];
    private Upserts? _rows;
    private RowReader<ExecutionProgress>? _progressReader;

    /// <inheritdoc />
    /// <exception cref="ExecutionConflictException">Another execution with the same concurrency key is running.</exception>
    public async Task CreateAsync(ExecutionRecord execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var row = Detached(execution);
            await SerializedAsync(async db =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
                await Rows(db).Executions.WriteAsync(db, [row], cancellationToken, insertOnly: true).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException) when (execution.ConcurrencyKey is { } key)
        {
            await using var db = store.CreateContext();
            var running = await db.Executions.AsNoTracking()
                .Where(e => e.ConcurrencyKey == key && e.Status == ExecutionStatus.Running)
                .Select(e => (Guid?)e.Id).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
            if (running is null)
            {
                throw;
            }

            throw new ExecutionConflictException(key, running.Value);
        }
    }

    /// <inheritdoc />
    public Task SaveProgressAsync(ExecutionProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        return FlushAsync(cancellationToken, progress);
    }

    /// <inheritdoc />
    public async Task<ExecutionProgress?> GetProgressAsync(Guid executionId, string stepPath, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        _progressReader ??= RowReader<ExecutionProgress>.For(db, () => new ExecutionProgress { StepPath = "", StateJson = "" }, new Dictionary<string, Action<ExecutionProgress, object?>>
        {
            [nameof(ExecutionProgress.ExecutionId)] = (p, v) => p.ExecutionId = (Guid)v!,
            [nameof(ExecutionProgress.StepPath)] = (p, v) => p.StepPath = (string)v!,
            [nameof(ExecutionProgress.StateJson)] = (p, v) => p.StateJson = (string)v!,
            [nameof(ExecutionProgress.SavedAt)] = (p, v) => p.SavedAt = (DateTimeOffset)v!,
        });
        return await _progressReader.FirstAsync(db, [(nameof(ExecutionProgress.ExecutionId), executionId), (nameof(ExecutionProgress.StepPath), stepPath)], cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> RenewAsync(Guid id, string node, DateTimeOffset until, CancellationToken cancellationToken) =>
        SerializedAsync(async db => await db.Executions.Where(e => e.Id == id && e.Node == node && e.Status == ExecutionStatus.Running)
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.LeaseExpiresAt, until), cancellationToken).ConfigureAwait(false) == 1, cancellationToken);

    /// <inheritdoc />
    public async Task<IReadOnlyList<Guid>> OrphansAsync(DateTimeOffset now, string? restartedNode, int take, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        return await db.Executions.AsNoTracking()
            .Where(e => e.Status == ExecutionStatus.Running && (e.LeaseExpiresAt == null || e.LeaseExpiresAt < now || (restartedNode != null && e.Node == restartedNode)))
            .OrderBy(e => e.StartedAt).Select(e => e.Id).Take(take).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> ClaimAsync(Guid id, string node, DateTimeOffset now, string? restartedNode, DateTimeOffset until, CancellationToken cancellationToken) =>
        // One conditional write: of two nodes claiming at once, only one sees its row changed.
        SerializedAsync(async db => await db.Executions
            .Where(e => e.Id == id && e.Status == ExecutionStatus.Running && (e.LeaseExpiresAt == null || e.LeaseExpiresAt < now || (restartedNode != null && e.Node == restartedNode)))
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.Node, node).SetProperty(e => e.LeaseExpiresAt, until).SetProperty(e => e.Attempt, e => e.Attempt + 1), cancellationToken)
            .ConfigureAwait(false) == 1, cancellationToken);

    /// <inheritdoc />
    public Task MarkInterruptedAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken) =>
        SerializedAsync(db => db.StepRecords.Where(s => s.ExecutionId == id && s.Status == StepStatus.Running)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.Status, StepStatus.Interrupted).SetProperty(s => s.EndedAt, at)
                .SetProperty(s => s.Error, "interrupted: the process running this execution stopped; the execution resumed from its last checkpoint"), cancellationToken), cancellationToken);

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
    /// <remarks>The execution's row is written in the same transaction as the step records kept so far.</remarks>
    public Task UpdateAsync(ExecutionRecord execution, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(execution);
        return FlushAsync(cancellationToken, null, Detached(execution));
    }

    /// <inheritdoc />
    public Task JoinAsync(Guid executionId, Func<DbConnection, DbTransaction, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        int queued;
        lock (_gate)
        {
            if (!_joined.TryGetValue(executionId, out var writes))
            {
                _joined[executionId] = writes = [];
            }

            writes.Add(write);
            queued = writes.Count;
        }

        return queued >= MaxJoined ? FlushJoinedAsync(executionId, cancellationToken) : Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task FlushJoinedAsync(Guid executionId, CancellationToken cancellationToken) =>
        FlushAsync(cancellationToken, null, null, executionId);

    /// <inheritdoc />
    public void Forget(Guid executionId)
    {
        lock (_gate)
        {
            _joined.Remove(executionId);
        }
    }

    /// <summary>Writes the step records and checkpoints kept so far, in one transaction.</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => FlushAsync(cancellationToken, null);

    // The records kept so far, the checkpoints, and (when given) a step's progress and an execution's row, in one
    // transaction, as plain upserts: a step written while running is written again when it ends, by the same key.
    // An execution's joined writes go with its progress, its checkpoint, its row, or an explicit flush of them.
    private Task FlushAsync(CancellationToken cancellationToken, ExecutionProgress? progress, ExecutionRecord? execution = null, Guid? joinedOf = null)
    {
        List<StepRecord> steps;
        List<ExecutionCheckpoint> checkpoints;
        var joined = new List<Func<DbConnection, DbTransaction, CancellationToken, Task>>();
        lock (_gate)
        {
            foreach (var id in new[] { progress?.ExecutionId, execution?.Id, joinedOf }.Concat(_pendingCheckpoints.Keys.Select(k => (Guid?)k)).OfType<Guid>().Distinct())
            {
                if (_joined.Remove(id, out var writes))
                {
                    joined.AddRange(writes);
                }
            }

            if (_pending.Count == 0 && _pendingCheckpoints.Count == 0 && progress is null && execution is null && joined.Count == 0)
            {
                return Task.CompletedTask;
            }

            steps = [.. _pending.Values];
            checkpoints = [.. _pendingCheckpoints.Values];
            _pending.Clear();
            _pendingCheckpoints.Clear();
        }

        return SerializedAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            foreach (var write in joined)
            {
                await write(db.Database.GetDbConnection(), transaction.GetDbTransaction(), cancellationToken).ConfigureAwait(false);
            }

            var rows = Rows(db);
            await rows.Steps.WriteAsync(db, steps, cancellationToken).ConfigureAwait(false);
            await rows.Checkpoints.WriteAsync(db, checkpoints, cancellationToken).ConfigureAwait(false);
            if (progress is not null)
            {
                await rows.Progress.WriteAsync(db, [progress], cancellationToken).ConfigureAwait(false);
            }

            if (execution is not null)
            {
                await rows.Executions.WriteAsync(db, [execution], cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }, cancellationToken);
    }

    private Upserts Rows(FlowEngineDbContext db) =>
        _rows ??= new Upserts(RowUpsert<StepRecord>.For(db, StepColumns), RowUpsert<ExecutionCheckpoint>.For(db, CheckpointColumns), RowUpsert<ExecutionProgress>.For(db, ProgressColumns), RowUpsert<ExecutionRecord>.For(db, ExecutionColumns));

    private static readonly Dictionary<string, Func<StepRecord, object?>> StepColumns = new()
    {
        [nameof(StepRecord.ExecutionId)] = s => s.ExecutionId,
        [nameof(StepRecord.Sequence)] = s => s.Sequence,
        [nameof(StepRecord.ParentSequence)] = s => s.ParentSequence,
        [nameof(StepRecord.StepId)] = s => s.StepId,
        [nameof(StepRecord.Path)] = s => s.Path,
        [nameof(StepRecord.Type)] = s => s.Type,
        [nameof(StepRecord.DefinitionKey)] = s => s.DefinitionKey,
        [nameof(StepRecord.Status)] = s => s.Status,
        [nameof(StepRecord.InputsJson)] = s => s.InputsJson,
        [nameof(StepRecord.OutputsJson)] = s => s.OutputsJson,
        [nameof(StepRecord.Error)] = s => s.Error,
        [nameof(StepRecord.StartedAt)] = s => s.StartedAt,
        [nameof(StepRecord.EndedAt)] = s => s.EndedAt,
        [nameof(StepRecord.RetryCount)] = s => s.RetryCount,
        [nameof(StepRecord.Iteration)] = s => s.Iteration,
    };

    private static readonly Dictionary<string, Func<ExecutionCheckpoint, object?>> CheckpointColumns = new()
    {
        [nameof(ExecutionCheckpoint.ExecutionId)] = c => c.ExecutionId,
        [nameof(ExecutionCheckpoint.SchemaVersion)] = c => c.SchemaVersion,
        [nameof(ExecutionCheckpoint.NextStepIndex)] = c => c.NextStepIndex,
        [nameof(ExecutionCheckpoint.LastSequence)] = c => c.LastSequence,
        [nameof(ExecutionCheckpoint.StateJson)] = c => c.StateJson,
        [nameof(ExecutionCheckpoint.SavedAt)] = c => c.SavedAt,
    };

    private static readonly Dictionary<string, Func<ExecutionProgress, object?>> ProgressColumns = new()
    {
        [nameof(ExecutionProgress.ExecutionId)] = p => p.ExecutionId,
        [nameof(ExecutionProgress.StepPath)] = p => p.StepPath,
        [nameof(ExecutionProgress.StateJson)] = p => p.StateJson,
        [nameof(ExecutionProgress.SavedAt)] = p => p.SavedAt,
    };

    private static readonly Dictionary<string, Func<ExecutionRecord, object?>> ExecutionColumns = new()
    {
        [nameof(ExecutionRecord.Id)] = e => e.Id,
        [nameof(ExecutionRecord.DefinitionId)] = e => e.DefinitionId,
        [nameof(ExecutionRecord.Version)] = e => e.Version,
        [nameof(ExecutionRecord.DefinitionHash)] = e => e.DefinitionHash,
        [nameof(ExecutionRecord.Status)] = e => e.Status,
        [nameof(ExecutionRecord.InputsJson)] = e => e.InputsJson,
        [nameof(ExecutionRecord.OutputsJson)] = e => e.OutputsJson,
        [nameof(ExecutionRecord.Error)] = e => e.Error,
        [nameof(ExecutionRecord.ErrorStepId)] = e => e.ErrorStepId,
        [nameof(ExecutionRecord.TriggeredBy)] = e => e.TriggeredBy,
        [nameof(ExecutionRecord.StartedAt)] = e => e.StartedAt,
        [nameof(ExecutionRecord.EndedAt)] = e => e.EndedAt,
        [nameof(ExecutionRecord.StepCount)] = e => e.StepCount,
        [nameof(ExecutionRecord.AliasOverridesJson)] = e => e.AliasOverridesJson,
        [nameof(ExecutionRecord.Node)] = e => e.Node,
        [nameof(ExecutionRecord.LeaseExpiresAt)] = e => e.LeaseExpiresAt,
        [nameof(ExecutionRecord.Attempt)] = e => e.Attempt,
        [nameof(ExecutionRecord.ConcurrencyKey)] = e => e.ConcurrencyKey,
        [nameof(ExecutionRecord.Resumable)] = e => e.Resumable,
    };

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
        return await SerializedAsync(async db =>
        {
            var cutoff = endedBefore.UtcTicks;
            var ids = (await db.Executions.AsNoTracking().Where(e => e.EndedAt != null).Select(e => new { e.Id, e.EndedAt }).ToListAsync(cancellationToken).ConfigureAwait(false))
                .Where(e => e.EndedAt!.Value.UtcTicks < cutoff).Select(e => e.Id).ToList();
            foreach (var chunk in ids.Chunk(500))
            {
                await db.StepRecords.Where(s => chunk.Contains(s.ExecutionId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                await db.Checkpoints.Where(c => chunk.Contains(c.ExecutionId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                await db.Progress.Where(c => chunk.Contains(c.ExecutionId)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
                await db.Executions.Where(e => chunk.Contains(e.Id)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            }

            return ids.Count;
        }, cancellationToken).ConfigureAwait(false);
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

    private Task SerializedAsync(Func<FlowEngineDbContext, Task> write, CancellationToken cancellationToken) =>
        SerializedAsync(async db =>
        {
            await write(db).ConfigureAwait(false);
            return true;
        }, cancellationToken);

    // Every write of this store goes one at a time, on a context of its own (SQLite has one writer).
    private async Task<T> SerializedAsync<T>(Func<FlowEngineDbContext, Task<T>> write, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = store.CreateContext();
            return await write(db).ConfigureAwait(false);
        }
        finally
        {
            _writes.Release();
        }
    }

    private sealed record Upserts(RowUpsert<StepRecord> Steps, RowUpsert<ExecutionCheckpoint> Checkpoints, RowUpsert<ExecutionProgress> Progress, RowUpsert<ExecutionRecord> Executions);

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
        Resumable = e.Resumable,
    };
}
