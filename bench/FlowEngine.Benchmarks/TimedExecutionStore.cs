using System.Diagnostics;
using FlowEngine.Runtime.Records;

namespace FlowEngine.Benchmarks;

/// <summary>
/// A diagnostic decorator: the time the runner spends waiting on its execution store (step records, checkpoints,
/// the execution row), so an e2e run can say how much of the engine's wall time is recording. Leases pass through
/// untimed when the inner store has them (the EF store does), so the runner renews leases as it does in the CLI.
/// </summary>
public class TimedExecutionStore(IExecutionStore inner) : IExecutionStore
{
    /// <summary>A timed store over <paramref name="inner"/>, with its leases when it has them.</summary>
    public static TimedExecutionStore Wrap(IExecutionStore inner) => inner is IExecutionLeases leases ? new Leased(inner, leases) : new TimedExecutionStore(inner);

    private long _ticks;
    private int _calls;

    /// <summary>Milliseconds spent in the inner store's writes.</summary>
    public double WriteMs => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _ticks)).TotalMilliseconds;

    /// <summary>Writes that took over 1 ms (the flushes; the other calls only queue a record).</summary>
    public int SlowWrites => _calls;

    /// <inheritdoc />
    public Task CreateAsync(ExecutionRecord execution, CancellationToken cancellationToken) => Time(() => inner.CreateAsync(execution, cancellationToken));

    /// <inheritdoc />
    public Task SaveStepAsync(StepRecord step, ExecutionCheckpoint? checkpoint, CancellationToken cancellationToken) => Time(() => inner.SaveStepAsync(step, checkpoint, cancellationToken));

    /// <inheritdoc />
    public Task UpdateAsync(ExecutionRecord execution, CancellationToken cancellationToken) => Time(() => inner.UpdateAsync(execution, cancellationToken));

    /// <inheritdoc />
    public Task<ExecutionRecord?> GetAsync(Guid id, CancellationToken cancellationToken) => inner.GetAsync(id, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ExecutionRecord>> ListAsync(string? definitionId, int take, CancellationToken cancellationToken) => inner.ListAsync(definitionId, take, cancellationToken);

    /// <inheritdoc />
    public Task<ExecutionCheckpoint?> GetCheckpointAsync(Guid id, CancellationToken cancellationToken) => inner.GetCheckpointAsync(id, cancellationToken);

    // SQLite's "async" calls mostly run synchronously, so the time is taken around the call and its task both.
    /// <inheritdoc />
    public Task SaveProgressAsync(ExecutionProgress progress, CancellationToken cancellationToken) => Time(() => inner.SaveProgressAsync(progress, cancellationToken));

    /// <inheritdoc />
    public Task<ExecutionProgress?> GetProgressAsync(Guid executionId, string stepPath, CancellationToken cancellationToken) => inner.GetProgressAsync(executionId, stepPath, cancellationToken);

    /// <inheritdoc />
    public IJoinedWrites? JoinedWrites => inner.JoinedWrites;

    private Task Time(Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        var write = call();
        if (write.IsCompleted)
        {
            Add(started);
            return write;
        }

        return AwaitAsync(write, started);
    }

    private async Task AwaitAsync(Task write, long started)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        finally
        {
            Add(started);
        }
    }

    private void Add(long started)
    {
        var ticks = Stopwatch.GetTimestamp() - started;
        Interlocked.Add(ref _ticks, ticks);
        if (Stopwatch.GetElapsedTime(0, ticks) > TimeSpan.FromMilliseconds(1))
        {
            Interlocked.Increment(ref _calls);
        }
    }

    private sealed class Leased(IExecutionStore inner, IExecutionLeases leases) : TimedExecutionStore(inner), IExecutionLeases
    {
        /// <inheritdoc />
        public Task<bool> RenewAsync(Guid id, string node, DateTimeOffset until, CancellationToken cancellationToken) => leases.RenewAsync(id, node, until, cancellationToken);

        /// <inheritdoc />
        public Task<IReadOnlyList<Guid>> OrphansAsync(DateTimeOffset now, string? restartedNode, int take, CancellationToken cancellationToken) => leases.OrphansAsync(now, restartedNode, take, cancellationToken);

        /// <inheritdoc />
        public Task<bool> ClaimAsync(Guid id, string node, DateTimeOffset now, string? restartedNode, DateTimeOffset until, CancellationToken cancellationToken) => leases.ClaimAsync(id, node, now, restartedNode, until, cancellationToken);

        /// <inheritdoc />
        public Task MarkInterruptedAsync(Guid id, DateTimeOffset at, CancellationToken cancellationToken) => leases.MarkInterruptedAsync(id, at, cancellationToken);
    }
}
