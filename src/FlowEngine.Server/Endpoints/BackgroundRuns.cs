using System.Collections.Concurrent;
using FlowEngine.Definitions.Model;
using FlowEngine.Hosting;
using FlowEngine.Runtime.Execution;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;

namespace FlowEngine.Server.Endpoints;

/// <summary>
/// Executions started through the server run in the background, each with its own cancellation source kept here
/// until it ends; stopping the server cancels them all.
/// </summary>
internal sealed class BackgroundRuns(ServerState state, Engine engine, IHostApplicationLifetime lifetime, ServerOptions options)
{
    private int MaxRunning => options.MaxRunning;

    private static readonly TimeSpan CreatedWait = TimeSpan.FromSeconds(10);
    private readonly ConcurrentDictionary<Guid, CancellationTokenSource> _running = new();

    /// <summary>
    /// Starts an execution and returns once its record is stored (so a GET finds it), with the task that ends with it.
    /// </summary>
    public async Task<(Guid Id, Task<ExecutionResult> Completion)> StartAsync(
        FlowRunner runner, Definition definition, IReadOnlyDictionary<string, object?> inputs, string triggeredBy, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        if (_running.Count >= MaxRunning)
        {
            throw new ServerBusyException($"the server runs {_running.Count} executions already, its limit (FLOWENGINE_MAX_RUNNING={MaxRunning}); nothing was started — try again when some have ended");
        }

        var id = Guid.CreateVersion7();
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
        _running[id] = cancel;
        var options = new RunOptions { ExecutionId = id, TriggeredBy = triggeredBy, Timeout = timeout };
        var task = Task.Run(() => runner.RunAsync(definition, inputs, options, cancel.Token), CancellationToken.None);
        _ = task.ContinueWith(
            _ =>
            {
                if (_running.TryRemove(id, out var source))
                {
                    source.Dispose();
                }
            },
            CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

        var deadline = DateTime.UtcNow + CreatedWait;
        while (!task.IsCompleted && DateTime.UtcNow < deadline && !await ExistsAsync(id, cancellationToken).ConfigureAwait(false))
        {
            await Task.Delay(10, cancellationToken).ConfigureAwait(false);
        }

        return (id, task);
    }

    /// <summary>The runner over the stored definitions as they are now.</summary>
    public Task<FlowRunner> RunnerAsync(CancellationToken cancellationToken) => state.RunnerAsync(cancellationToken);

    /// <summary>Asks a running execution to stop; false when it is not running in this server.</summary>
    public bool Cancel(Guid id)
    {
        if (!_running.TryGetValue(id, out var source))
        {
            return false;
        }

        try
        {
            source.Cancel();
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>Whether an execution is running in this server.</summary>
    public bool IsRunning(Guid id) => _running.ContainsKey(id);

    private async Task<bool> ExistsAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = engine.Store.CreateContext();
        return await db.Executions.AsNoTracking().AnyAsync(e => e.Id == id, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>The server is at its limit of running executions; the caller may try again later (429).</summary>
internal sealed class ServerBusyException(string message) : Exception(message);
