using System.Collections.Concurrent;
using FlowEngine.Definitions.Model;
using FlowEngine.Expressions;

namespace FlowEngine.Runtime.Execution;

/// <summary>
/// The data of one definition invocation: its inputs, variables, step results and outputs. A call to a subflow
/// gets a frame of its own, so a callee never sees or changes its caller's variables.
/// </summary>
public sealed class Frame
{
    internal Frame(Definition definition, Dictionary<string, object?> inputs, RunState run, string pathPrefix, Frame? parent = null, IReadOnlyDictionary<string, string>? callOverrides = null)
    {
        Definition = definition;
        Inputs = inputs;
        Run = run;
        PathPrefix = pathPrefix;
        Parent = parent;
        CallOverrides = callOverrides;
    }

    /// <summary>The caller's frame, or null for the execution's root.</summary>
    public Frame? Parent { get; }

    /// <summary>Alias overrides given on the call step that started this frame.</summary>
    public IReadOnlyDictionary<string, string>? CallOverrides { get; }

    /// <summary>
    /// The alias to use in place of <paramref name="alias"/>, with IntegrationHub's precedence: the innermost
    /// call's override first (the action level), then each enclosing subflow's and definition's, then the flow's,
    /// then the caller's (an integration profile), else the alias itself.
    /// </summary>
    public string ResolveAlias(string alias)
    {
        for (var frame = this; frame is not null; frame = frame.Parent)
        {
            if (frame.CallOverrides?.TryGetValue(alias, out var fromCall) == true)
            {
                return fromCall;
            }

            if (frame.Definition.Connections.TryGetValue(alias, out var fromDefinition))
            {
                return fromDefinition;
            }
        }

        return Run.Options.AliasOverrides.TryGetValue(alias, out var fromCaller) ? fromCaller : alias;
    }

    /// <summary>Services the runner was given (connection resolvers, HTTP clients), for step handlers.</summary>
    public IServiceProvider? Services => Run.Runner.Services;

    /// <summary>The definition version running in this frame.</summary>
    public Definition Definition { get; }

    /// <summary>Inputs, converted to their declared types.</summary>
    public Dictionary<string, object?> Inputs { get; }

    /// <summary>Variables (<c>vars.x</c>). Concurrent, because a parallel for-each writes them from several tasks.</summary>
    public ConcurrentDictionary<string, object?> Vars { get; } = new(StringComparer.Ordinal);

    /// <summary>Step results (<c>steps.x.outputs</c>, <c>steps.x.status</c>).</summary>
    public ConcurrentDictionary<string, object?> Steps { get; } = new(StringComparer.Ordinal);

    /// <summary>Outputs set by <c>outputs</c> steps.</summary>
    public ConcurrentDictionary<string, object?> Outputs { get; } = new(StringComparer.Ordinal);

    internal RunState Run { get; }

    internal string PathPrefix { get; }

    /// <summary>The caller's block that <c>emit</c> steps of this frame run (a data stream), or null.</summary>
    internal Steps.EmitTarget? EmitTarget { get; init; }
}

/// <summary>What a pill can see: the frame's roots plus the loop variables and caught errors in scope.</summary>
internal sealed class Scope(Frame frame, string? name = null, object? value = null, Scope? parent = null) : IExpressionScope
{
    private readonly string? _name = name;
    private readonly object? _value = value;
    private readonly Scope? _parent = parent;

    public Frame Frame { get; } = frame;

    /// <summary>
    /// True inside a block that runs once per batch of a data stream (a paged step's or a streaming call's <c>do</c>):
    /// the step records there keep a sample of each long list, not every item (see <see cref="Redactor.Recorded"/>).
    /// </summary>
    public bool PerBatch { get; private init; } = parent?.PerBatch ?? false;

    public Scope With(string localName, object? localValue) => new(Frame, localName, localValue, this);

    public Scope InBatch() => PerBatch ? this : new(Frame, null, null, this) { PerBatch = true };

    /// <summary>The root scope of a callee's frame, per batch when the call is.</summary>
    public static Scope Root(Frame frame, bool perBatch) => new(frame) { PerBatch = perBatch };

    public bool TryGetRoot(string root, out object? result)
    {
        for (var s = this; s is not null; s = s._parent)
        {
            if (s._name is not null && string.Equals(s._name, root, StringComparison.Ordinal))
            {
                result = s._value;
                return true;
            }
        }

        result = root switch
        {
            "inputs" => Frame.Inputs,
            "vars" => Frame.Vars,
            "steps" => Frame.Steps,
            "execution" => Frame.Run.ExecutionInfo,
            _ => null,
        };
        return result is not null;
    }
}

/// <summary>A list that an <c>append</c> step owns, so appending never changes a list that came from an input.</summary>
internal sealed class OwnedList : List<object?>
{
    public OwnedList()
    {
    }

    public OwnedList(IEnumerable<object?> items)
        : base(items)
    {
    }
}
