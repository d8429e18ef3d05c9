using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.Validation;
using FlowEngine.Expressions;
using FlowEngine.Runtime.Records;
using FlowEngine.Runtime.Steps;

namespace FlowEngine.Runtime.Execution;

/// <summary>What an execution ended with.</summary>
public sealed record ExecutionResult(ExecutionRecord Record, IReadOnlyDictionary<string, object?> Outputs)
{
    /// <summary>The final status.</summary>
    public ExecutionStatus Status => Record.Status;

    /// <summary>True when this node stopped because another node took the execution over; it goes on there.</summary>
    public bool TakenOver { get; init; }
}

/// <summary>
/// Runs definition versions: one frame per definition invocation, a step record per step (written when the step
/// ends, and when it starts for steps that hold others), a checkpoint after each top-level step, cancellation
/// and timeouts. One execution's failure never reaches another's data: nothing is shared between executions.
/// </summary>
public sealed class FlowRunner(StepHandlerRegistry handlers, IDefinitionLookup definitions, IExecutionStore store, TimeProvider time, IServiceProvider? services = null)
{
    /// <summary>Services step handlers may need (connections, HTTP); null when only flow logic runs.</summary>
    public IServiceProvider? Services { get; } = services;

    /// <summary>The clock every step and pill uses.</summary>
    public TimeProvider Time { get; } = time;

    /// <summary>Where calls find actions and subflows.</summary>
    public IDefinitionLookup Definitions { get; } = definitions;

    /// <summary>The store executions are recorded in.</summary>
    public IExecutionStore Store { get; } = store;

    /// <summary>
    /// Runs a definition to its end and returns the result. Failures and cancellation are recorded on the
    /// execution, not thrown; only a bad argument (or the caller's own cancellation) throws.
    /// </summary>
    /// <exception cref="ExecutionConflictException">An execution with the same <see cref="RunOptions.ConcurrencyKey"/> is running.</exception>
    public async Task<ExecutionResult> RunAsync(Definition definition, IReadOnlyDictionary<string, object?> inputs, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(inputs);
        options ??= new RunOptions();
        var node = options.Node ?? NodeIdentity.Current;
        var record = new ExecutionRecord
        {
            Id = options.ExecutionId ?? Guid.CreateVersion7(Time.GetUtcNow()),
            DefinitionId = definition.Id,
            Version = definition.Version,
            DefinitionHash = definition.Hash,
            Status = ExecutionStatus.Running,
            TriggeredBy = options.TriggeredBy,
            StartedAt = Time.GetUtcNow(),
            Node = node,
            LeaseExpiresAt = LeaseClock.GetUtcNow() + options.LeaseDuration,
            ConcurrencyKey = options.ConcurrencyKey,
            Resumable = options.Resumable,
            AliasOverridesJson = options.AliasOverrides.Count == 0 ? null : Values.ToJson(options.AliasOverrides.ToDictionary(o => o.Key, o => (object?)o.Value)),
        };

        var redactor = new Redactor();
        Dictionary<string, object?>? given = null;
        try
        {
            given = Coercion.Inputs(definition, inputs);
        }
        catch (StepFailedException ex)
        {
            record.InputsJson = redactor.Json(inputs.ToDictionary(
                i => i.Key,
                i => definition.Inputs.Any(d => d.Name == i.Key && d.Type.Name == "secret") ? SecretValue.Mask : i.Value));
            record.Status = ExecutionStatus.Failed;
            record.Error = redactor.Scrub(ex.Message);
        }

        if (given is not null)
        {
            redactor.Remember(given);
            record.InputsJson = redactor.Json(given);
        }

        await Store.CreateAsync(record, CancellationToken.None).ConfigureAwait(false);
        if (given is null)
        {
            record.EndedAt = Time.GetUtcNow();
            await Store.UpdateAsync(record, CancellationToken.None).ConfigureAwait(false);
            return new ExecutionResult(record, new Dictionary<string, object?>());
        }

        return await RunFromAsync(record, definition, given, options with { Node = node }, 0, 0, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Continues an execution that was interrupted (its process died) from its last checkpoint: the same definition
    /// version, inputs and alias overrides; variables and outputs from the checkpoint, results of the steps before it
    /// from their records. Steps that keep progress (paged reads) continue where they were. The caller must hold the
    /// execution's lease (<see cref="IExecutionLeases.ClaimAsync"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The execution is unknown or not running.</exception>
    public async Task<ExecutionResult> ResumeAsync(Guid executionId, RunOptions? options = null, CancellationToken cancellationToken = default)
    {
        var record = await Store.GetAsync(executionId, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"no execution {executionId}");
        if (record.Status != ExecutionStatus.Running)
        {
            throw new InvalidOperationException($"execution {executionId} is {record.Status.ToString().ToLowerInvariant()}; only a running execution can be resumed");
        }

        var steps = record.Steps.ToList();
        var node = options?.Node ?? record.Node ?? NodeIdentity.Current;
        options = (options ?? new RunOptions()) with
        {
            ExecutionId = record.Id,
            TriggeredBy = record.TriggeredBy,
            Node = node,
            ConcurrencyKey = record.ConcurrencyKey,
            AliasOverrides = record.AliasOverridesJson is { } json && Values.ParseJson(json) is Dictionary<string, object?> overrides
                ? overrides.ToDictionary(o => o.Key, o => Values.ToText(o.Value), StringComparer.Ordinal)
                : new Dictionary<string, string>(),
        };

        if (Leases is not null)
        {
            await Leases.MarkInterruptedAsync(record.Id, Time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
        }

        var definition = Definitions.Find(record.DefinitionId, record.Version);
        string? problem = !record.Resumable
            ? "interrupted: the process running it stopped, and it is not resumed by itself because it writes to a vendor; its owner checks the outcome"
            : definition is null
            ? $"cannot resume: version {record.Version} of '{record.DefinitionId}' is not loaded any more"
            : definition.Hash != record.DefinitionHash
                ? $"cannot resume: version {record.Version} of '{record.DefinitionId}' changed since the execution started"
                : null;
        Dictionary<string, object?>? given = null;
        if (problem is null)
        {
            var stored = Values.ParseJson(record.InputsJson) as Dictionary<string, object?> ?? [];
            var secret = definition!.Inputs.FirstOrDefault(i => i.Type.Name == "secret" && stored.ContainsKey(i.Name));
            if (secret is not null)
            {
                problem = $"cannot resume: input '{secret.Name}' is a secret and secrets are not stored; start the execution again";
            }
            else
            {
                try
                {
                    given = Coercion.Inputs(definition, stored);
                }
                catch (StepFailedException ex)
                {
                    problem = $"cannot resume: {ex.Message}";
                }
            }
        }

        if (problem is not null)
        {
            record.Status = ExecutionStatus.Failed;
            record.Error = problem;
            record.EndedAt = Time.GetUtcNow();
            await Store.UpdateAsync(record, CancellationToken.None).ConfigureAwait(false);
            return new ExecutionResult(record, new Dictionary<string, object?>());
        }

        var checkpoint = await Store.GetCheckpointAsync(record.Id, cancellationToken).ConfigureAwait(false);
        var lastSequence = Math.Max(checkpoint?.LastSequence ?? 0, steps.Count == 0 ? 0 : steps.Max(s => s.Sequence));
        void Restore(Frame frame)
        {
            if (checkpoint is null)
            {
                return;
            }

            if (Values.ParseJson(checkpoint.StateJson) is Dictionary<string, object?> state)
            {
                foreach (var (name, value) in state.GetValueOrDefault("vars") as Dictionary<string, object?> ?? [])
                {
                    frame.Vars[name] = value;
                }

                foreach (var (name, value) in state.GetValueOrDefault("outputs") as Dictionary<string, object?> ?? [])
                {
                    frame.Outputs[name] = value;
                }
            }

            var done = definition!.Steps.Take(checkpoint.NextStepIndex).Where(s => !s.GeneratedId).Select(s => s.Id).ToHashSet(StringComparer.Ordinal);
            foreach (var step in steps.Where(s => s.ParentSequence is null && s.Status == StepStatus.Completed && done.Contains(s.StepId)))
            {
                frame.Steps[step.StepId] = new Dictionary<string, object?>(2, StringComparer.Ordinal)
                {
                    ["outputs"] = (step.OutputsJson is null ? null : Values.ParseJson(step.OutputsJson)) ?? new Dictionary<string, object?>(),
                    ["status"] = "completed",
                };
            }
        }

        return await RunFromAsync(record, definition!, given!, options, checkpoint?.NextStepIndex ?? 0, lastSequence, Restore, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The clock leases are measured with: real time, whatever clock the flows see.</summary>
    public TimeProvider LeaseClock { get; init; } = TimeProvider.System;

    private IExecutionLeases? Leases => Store as IExecutionLeases;

    private async Task<ExecutionResult> RunFromAsync(ExecutionRecord record, Definition definition, Dictionary<string, object?> given, RunOptions options, int startIndex, int lastSequence, Action<Frame>? restore, CancellationToken cancellationToken)
    {
        using var timeout = options.Timeout is { } limit ? new CancellationTokenSource(limit, Time) : null;
        using var leaseLost = new CancellationTokenSource();
        using var linked = timeout is null
            ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, leaseLost.Token)
            : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token, leaseLost.Token);
        var run = new RunState(record, this, options, linked.Token, lastSequence);
        run.Redactor.Remember(given);
        using var stopRenewing = new CancellationTokenSource();
        var renewing = Leases is not { } leases ? Task.CompletedTask : LeaseRenewal.RunAsync(
            options.LeaseDuration, LeaseClock, stop => leases.RenewAsync(record.Id, options.Node!, LeaseClock.GetUtcNow() + options.LeaseDuration, stop), leaseLost, stopRenewing.Token);

        var frame = new Frame(definition, given, run, "");
        restore?.Invoke(frame);
        try
        {
            var scope = new Scope(frame);
            for (var i = startIndex; i < definition.Steps.Count; i++)
            {
                await RunStepAsync(definition.Steps[i], scope, null, "", 0, null, checkpointIndex: i + 1).ConfigureAwait(false);
            }

            record.Status = ExecutionStatus.Completed;
        }
        catch (OperationCanceledException) when (linked.IsCancellationRequested)
        {
            record.Status = ExecutionStatus.Cancelled;
            record.Error = leaseLost.IsCancellationRequested
                ? "stopped: another node took over this execution (its lease was not renewed in time)"
                : timeout?.IsCancellationRequested == true && !cancellationToken.IsCancellationRequested
                    ? $"timed out after {options.Timeout}"
                    : "cancelled";
        }
        catch (StepFailedException ex)
        {
            record.Status = ExecutionStatus.Failed;
            record.Error = run.Redactor.Scrub(ex.StepId is null ? ex.Message : $"step '{ex.StepId}': {ex.Message}");
            record.ErrorStepId = ex.StepId;
        }

        await stopRenewing.CancelAsync().ConfigureAwait(false);
        await renewing.ConfigureAwait(false);
        var outputs = Ordered(definition, frame.Outputs);
        record.OutputsJson = run.Redactor.Json(outputs);
        record.StepCount = run.LastSequence;
        record.EndedAt = Time.GetUtcNow();
        record.LeaseExpiresAt = null;
        if (!leaseLost.IsCancellationRequested)
        {
            // A node that lost the lease leaves the record to the node that took over.
            await Store.UpdateAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
        else
        {
            Store.JoinedWrites?.Forget(record.Id);
        }

        return new ExecutionResult(record, outputs) { TakenOver = leaseLost.IsCancellationRequested };
    }

    internal async ValueTask RunBlockAsync(IReadOnlyList<StepDefinition> steps, Scope scope, int? parent, string path, int depth, int? iteration)
    {
        foreach (var step in steps)
        {
            await RunStepAsync(step, scope, parent, path, depth, iteration, checkpointIndex: null).ConfigureAwait(false);
        }
    }

    internal async ValueTask<Dictionary<string, object?>> CallAsync(Definition callee, IReadOnlyDictionary<string, object?> inputs, Frame caller, IReadOnlyDictionary<string, string>? overrides, int parent, string path, int depth, string stepId, EmitTarget? emitTarget = null, bool perBatch = false)
    {
        var run = caller.Run;
        var given = Coercion.Inputs(callee, inputs, stepId);
        run.Redactor.Remember(given);
        var frame = new Frame(callee, given, run, path + "/", caller, overrides) { EmitTarget = emitTarget };
        await RunBlockAsync(callee.Steps, Scope.Root(frame, perBatch), parent, path, depth, null).ConfigureAwait(false);
        return Ordered(callee, frame.Outputs);
    }

    /// <summary>Outputs in the order the definition declares them, so JSON output is stable.</summary>
    private static Dictionary<string, object?> Ordered(Definition definition, IReadOnlyDictionary<string, object?> outputs)
    {
        var ordered = new Dictionary<string, object?>(outputs.Count, StringComparer.Ordinal);
        foreach (var output in definition.Outputs)
        {
            if (outputs.TryGetValue(output.Name, out var value))
            {
                ordered[output.Name] = value;
            }
        }

        return ordered;
    }

    private async ValueTask RunStepAsync(StepDefinition step, Scope scope, int? parent, string path, int depth, int? iteration, int? checkpointIndex)
    {
        var frame = scope.Frame;
        var run = frame.Run;
        run.Cancellation.ThrowIfCancellationRequested();
        var stepPath = path.Length == 0 ? step.Id : path.EndsWith('/') ? path + step.Id : $"{path}/{step.Id}";
        var record = new StepRecord
        {
            ExecutionId = run.Record.Id,
            Sequence = run.NextSequence(),
            ParentSequence = parent,
            StepId = step.Id,
            Path = stepPath,
            Type = step.Type,
            DefinitionKey = frame.Definition.Key,
            Status = StepStatus.Running,
            StartedAt = Time.GetUtcNow(),
            Iteration = iteration,
        };
        var handler = handlers.Get(step.Type);
        var holdsSteps = handler.Descriptor.HoldsSteps;
        run.Options.Observer?.StepStarted(record, depth);
        if (holdsSteps)
        {
            await Store.SaveStepAsync(record, null, CancellationToken.None).ConfigureAwait(false);
        }

        Exception? failure = null;
        try
        {
            var outputs = await handler.ExecuteAsync(new StepContext(step, scope, record, stepPath, depth)).ConfigureAwait(false);
            record.Status = StepStatus.Completed;
            if (outputs is not null)
            {
                record.OutputsJson = run.Redactor.Recorded(outputs, scope.PerBatch);
            }

            // Only steps with a written id can be named in a pill; generated ids are not kept.
            if (!step.GeneratedId)
            {
                frame.Steps[step.Id] = new Dictionary<string, object?>(2, StringComparer.Ordinal)
                {
                    ["outputs"] = outputs ?? NoOutputs,
                    ["status"] = "completed",
                };
            }
        }
        catch (OperationCanceledException ex) when (run.Cancellation.IsCancellationRequested)
        {
            record.Status = StepStatus.Cancelled;
            failure = ex;
        }
        catch (StepFailedException ex)
        {
            record.Status = StepStatus.Failed;
            record.Error = run.Redactor.Scrub(ex.StepId is null || ex.StepId == step.Id ? ex.Message : $"step '{ex.StepId}': {ex.Message}");
            failure = ex.At(step.Id);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
        {
            // A handler bug or an unexpected value becomes a failure of this step, never a crash of the process.
            record.Status = StepStatus.Failed;
            record.Error = run.Redactor.Scrub($"{ex.GetType().Name}: {ex.Message}");
            failure = new StepFailedException(record.Error, step.Id, "internal", ex);
        }

        record.EndedAt = Time.GetUtcNow();
        // An execution that is never resumed (a vendor write settled by its owner) needs no checkpoints: its records
        // are written with its end, in one transaction.
        var checkpoint = checkpointIndex is { } next && record.Status == StepStatus.Completed && run.Options.Resumable ? Checkpoint(frame, next) : null;
        await Store.SaveStepAsync(record, checkpoint, CancellationToken.None).ConfigureAwait(false);
        run.Options.Observer?.StepEnded(record, depth);
        if (failure is not null)
        {
            throw failure;
        }
    }

    private static readonly IDictionary<string, object?> NoOutputs =
        new System.Collections.ObjectModel.ReadOnlyDictionary<string, object?>(new Dictionary<string, object?>());

    // Step results are not copied into the checkpoint: they are in the step records already, and copying them
    // after every step would make a long sequence quadratic.
    private ExecutionCheckpoint Checkpoint(Frame frame, int next) => new()
    {
        ExecutionId = frame.Run.Record.Id,
        NextStepIndex = next,
        LastSequence = frame.Run.LastSequence,
        SavedAt = Time.GetUtcNow(),
        StateJson = frame.Run.Redactor.Json(new Dictionary<string, object?>
        {
            ["vars"] = frame.Vars,
            ["outputs"] = frame.Outputs,
        }),
    };
}
