using FlowEngine.LicenseManagement;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;

namespace FlowEngine.Hosting;

/// <summary>What one pass of <see cref="Recovery"/> took over.</summary>
/// <param name="Resumed">Executions claimed and now resuming (they finish in the background: <see cref="Recovery.Pending"/>).</param>
/// <param name="ReclaimRuns">Reclaim runs whose node stopped, now being finished.</param>
public sealed record RecoveryPass(IReadOnlyList<Guid> Resumed, int ReclaimRuns);

/// <summary>
/// Finds work whose node stopped and finishes it on this node: running executions whose lease ran out are claimed
/// (one conditional write, so one node wins) and resumed from their checkpoints; reclaim runs whose lock expired are
/// taken over, settling removals whose outcome is unknown with the vendor first. On the first pass after a restart
/// a node with a stable name (FLOWENGINE_NODE) also takes back its own work at once, without waiting for leases.
/// </summary>
public sealed class Recovery(Engine engine, LicenseParts license)
{
    private readonly List<Task> _pending = [];
    private bool _started;

    /// <summary>Resumes and reclaim runs started by earlier passes and not finished yet.</summary>
    public Task Pending
    {
        get
        {
            lock (_pending)
            {
                _pending.RemoveAll(t => t.IsCompleted);
                return Task.WhenAll(_pending);
            }
        }
    }

    /// <summary>Outcomes of the executions this node resumed, newest last.</summary>
    public List<ExecutionResult> Finished { get; } = [];

    /// <summary>One pass: claims what can be claimed and starts finishing it in the background.</summary>
    public async Task<RecoveryPass> RunOnceAsync(CancellationToken cancellationToken)
    {
        var restarted = !_started && NodeIdentity.IsStable ? NodeIdentity.Current : null;
        _started = true;
        var node = NodeIdentity.Current;
        var lease = NodeIdentity.DefaultLease;
        var resumed = new List<Guid>();
        var runner = await license.RunnerSource(cancellationToken).ConfigureAwait(false);
        var leases = (IExecutionLeases)engine.Executions;
        var now = runner.LeaseClock.GetUtcNow();
        foreach (var id in await leases.OrphansAsync(now, restarted, 100, cancellationToken).ConfigureAwait(false))
        {
            if (!await leases.ClaimAsync(id, node, now, restarted, runner.LeaseClock.GetUtcNow() + lease, cancellationToken).ConfigureAwait(false))
            {
                continue;
            }

            resumed.Add(id);
            Track(ResumeAsync(runner, id, node, cancellationToken));
        }

        // Reclaim runs wait for the resumes above (a removal execution left running is failed by its resume first).
        var abandoned = await license.Reclaim.AbandonedRunsAsync(restarted, cancellationToken).ConfigureAwait(false);
        if (abandoned.Count > 0)
        {
            var resumes = Pending;
            Track(Task.Run(async () =>
            {
                await resumes.ConfigureAwait(false);
                await license.Reclaim.RecoverAsync(abandoned, restarted, cancellationToken).ConfigureAwait(false);
            }, cancellationToken));
        }

        return new RecoveryPass(resumed, abandoned.Count);
    }

    private async Task ResumeAsync(FlowRunner runner, Guid id, string node, CancellationToken cancellationToken)
    {
        var result = await runner.ResumeAsync(id, new RunOptions { Node = node }, cancellationToken).ConfigureAwait(false);
        await new SubscriptionStaging(engine.Sam).AfterRunAsync(result).ConfigureAwait(false);

        lock (Finished)
        {
            Finished.Add(result);
        }
    }

    private void Track(Task task)
    {
        lock (_pending)
        {
            _pending.Add(task);
        }
    }
}
