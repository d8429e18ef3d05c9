using FlowEngine.Definitions.Model;
using FlowEngine.Expressions;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;

namespace FlowEngine.Runtime.Steps;

/// <summary>What a step handler gets: the step, a way to evaluate its values, to run child blocks, and to record.</summary>
public sealed class StepContext
{
    private readonly Scope _scope;
    private readonly int _depth;

    internal StepContext(StepDefinition step, Scope scope, StepRecord record, string path, int depth)
    {
        Step = step;
        _scope = scope;
        Record = record;
        Path = path;
        _depth = depth;
    }

    /// <summary>The step being run.</summary>
    public StepDefinition Step { get; }

    /// <summary>The frame of the definition the step belongs to.</summary>
    public Frame Frame => _scope.Frame;

    /// <summary>The step's record; handlers may set inputs and retry counts on it.</summary>
    public StepRecord Record { get; }

    /// <summary>The step's path in the execution, e.g. <c>pick[3]/keep</c>.</summary>
    public string Path { get; }

    /// <summary>The execution's id.</summary>
    public Guid ExecutionId => Record.ExecutionId;

    /// <summary>Which start of the execution this is: 1, plus one per resume after an interruption.</summary>
    public int Attempt => Frame.Run.Record.Attempt;

    /// <summary>Cancelled when the execution is cancelled or times out.</summary>
    public CancellationToken CancellationToken => Frame.Run.Cancellation;

    /// <summary>When the execution's time limit runs out (null: it has none). A step that waits (for a slot, a lock) gives up before, with its own message.</summary>
    public DateTimeOffset? Deadline => Frame.Run.Deadline;

    /// <summary>The clock.</summary>
    public TimeProvider Time => Frame.Run.Runner.Time;

    /// <summary>Evaluates a value of the step. An expression error becomes a step failure naming the step and the expression.</summary>
    public object? Evaluate(ValueNode? node)
    {
        if (node is null)
        {
            return null;
        }

        try
        {
            return node.Evaluate(Frame.Run.Evaluation(_scope));
        }
        catch (ExpressionException ex)
        {
            var source = node.Templates().Select(t => t.Template.Source).FirstOrDefault() ?? "";
            throw new StepFailedException($"in '{source}': {ex.Message}", Step.Id, "expression");
        }
    }

    /// <summary>Evaluates a named value property of the step.</summary>
    public object? Evaluate(string property) => Evaluate(Step.Value(property));

    /// <summary>The same step seen with an extra name in scope (e.g. <c>connection</c> once the alias is resolved).</summary>
    public StepContext With(string name, object? value) => new(Step, _scope.With(name, value), Record, Path, _depth);

    /// <summary>Records what the step was given, secrets masked.</summary>
    public void RecordInputs(object? inputs) => Record.InputsJson = Frame.Run.Redactor.Recorded(inputs, _scope.PerBatch);

    /// <summary>
    /// Runs a block of child steps in this step's scope, with extra local names. <paramref name="perBatch"/>: the block
    /// runs once per batch of a data stream (a page), so its step records keep a sample of long lists.
    /// </summary>
    public ValueTask RunBlockAsync(IReadOnlyList<StepDefinition> steps, string pathSuffix = "", IReadOnlyList<(string Name, object? Value)>? locals = null, int? iteration = null, bool perBatch = false)
    {
        var scope = perBatch ? _scope.InBatch() : _scope;
        foreach (var (name, value) in locals ?? [])
        {
            scope = scope.With(name, value);
        }

        return Frame.Run.Runner.RunBlockAsync(steps, scope, Record.Sequence, Path + pathSuffix, _depth + 1, iteration);
    }

    /// <summary>Runs a definition in a frame of its own under this step; returns its outputs.</summary>
    public ValueTask<Dictionary<string, object?>> CallAsync(Definition callee, IReadOnlyDictionary<string, object?> inputs, IReadOnlyDictionary<string, string>? aliasOverrides = null) =>
        Frame.Run.Runner.CallAsync(callee, inputs, Frame, aliasOverrides, Record.Sequence, Path, _depth + 1, Step.Id, perBatch: _scope.PerBatch);

    /// <summary>Remembers a value the execution must never show (a token read from a credential).</summary>
    public void RememberSecret(string secret) => Frame.Run.Redactor.Remember(new Expressions.SecretValue(secret));

    /// <summary>Masks every secret the execution has seen in a text (for errors quoting a vendor's answer).</summary>
    public string Scrub(string text) => Frame.Run.Redactor.Scrub(text);

    /// <summary>Finds an action or subflow: the given version, or the latest published.</summary>
    public Definition? FindDefinition(string id, int? version) => Frame.Run.Runner.Definitions.Find(id, version);

    /// <summary>
    /// What this step saved with <see cref="SaveProgressAsync"/> in an earlier attempt of the execution (before the
    /// process running it stopped), or null on a first run.
    /// </summary>
    public async Task<Dictionary<string, object?>?> LoadProgressAsync()
    {
        var saved = await Frame.Run.Runner.Store.GetProgressAsync(Record.ExecutionId, Path, CancellationToken).ConfigureAwait(false);
        return saved is null ? null : Values.ParseJson(saved.StateJson) as Dictionary<string, object?>;
    }

    /// <summary>
    /// Saves how far this step got, after the records of the steps it ran so far, so a resumed execution can
    /// continue from here. Call it only once the work before it is stored.
    /// </summary>
    public Task SaveProgressAsync(IReadOnlyDictionary<string, object?> state) =>
        Frame.Run.Runner.Store.SaveProgressAsync(
            new ExecutionProgress { ExecutionId = Record.ExecutionId, StepPath = Path, StateJson = Frame.Run.Redactor.Json(state), SavedAt = Time.GetUtcNow() },
            CancellationToken.None);

    /// <summary>
    /// Queues a database write of this step to commit with the execution's next store write (the paged step's progress,
    /// the next checkpoint or the execution's end), when the store supports it; false when it does not (write it now).
    /// </summary>
    public async Task<bool> TryJoinWriteAsync(Func<System.Data.Common.DbConnection, System.Data.Common.DbTransaction, CancellationToken, Task> write)
    {
        if (Frame.Run.Runner.Store.JoinedWrites is not { } joined)
        {
            return false;
        }

        await joined.JoinAsync(Record.ExecutionId, write, CancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>Commits this execution's joined writes now (before reading what they wrote).</summary>
    public Task FlushJoinedWritesAsync() =>
        Frame.Run.Runner.Store.JoinedWrites?.FlushJoinedAsync(Record.ExecutionId, CancellationToken) ?? Task.CompletedTask;

    /// <summary>Where an <c>emit</c> step hands its items: the block of the <c>call</c> that started this frame, or null.</summary>
    internal EmitTarget? EmitTarget => Frame.EmitTarget;

    /// <summary>Runs a definition in a frame of its own under this step, whose <c>emit</c> steps run this step's <paramref name="block"/>.</summary>
    internal ValueTask<Dictionary<string, object?>> CallStreamingAsync(Definition callee, IReadOnlyDictionary<string, object?> inputs, IReadOnlyDictionary<string, string>? aliasOverrides, IReadOnlyList<StepDefinition> block, string name) =>
        Frame.Run.Runner.CallAsync(callee, inputs, Frame, aliasOverrides, Record.Sequence, Path, _depth + 1, Step.Id, new EmitTarget(this, block, name), _scope.PerBatch);

    /// <summary>Writes to the execution's log.</summary>
    public void Log(string level, object? message)
    {
        var text = Frame.Run.Redactor.Scrub(Values.ToText(message));
        Frame.Run.Options.Observer?.Logged(Step.Id, level, text);
    }
}
