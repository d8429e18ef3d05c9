namespace FlowEngine.Definitions.Model;

/// <summary>The three kinds of definition.</summary>
public enum DefinitionKind
{
    /// <summary>Has triggers; started by the scheduler, HTTP, the CLI or the designer.</summary>
    Flow,

    /// <summary>Callable logic with typed inputs and outputs, no trigger.</summary>
    Subflow,

    /// <summary>A reusable, typed step, e.g. a spoke action such as <c>pagerduty.list_users</c>.</summary>
    Action,
}

/// <summary>How a flow is started besides the CLI and the designer.</summary>
public sealed record Trigger(string Type, IReadOnlyDictionary<string, object?> Settings, SourceSpan Span);

/// <summary>One version of a definition, as read from a file or stored.</summary>
public sealed record Definition
{
    /// <summary>Flow, subflow or action.</summary>
    public required DefinitionKind Kind { get; init; }

    /// <summary>Dotted id, e.g. <c>pagerduty.list_users</c>.</summary>
    public required string Id { get; init; }

    /// <summary>Version number, from 1.</summary>
    public required int Version { get; init; }

    /// <summary>Display name.</summary>
    public required string Name { get; init; }

    /// <summary>What it does.</summary>
    public string? Description { get; init; }

    /// <summary>Typed inputs.</summary>
    public IReadOnlyList<ParameterSpec> Inputs { get; init; } = [];

    /// <summary>Typed outputs.</summary>
    public IReadOnlyList<ParameterSpec> Outputs { get; init; } = [];

    /// <summary>Triggers (flows only).</summary>
    public IReadOnlyList<Trigger> Triggers { get; init; } = [];

    /// <summary>Alias overrides for everything this definition runs (flow- or subflow-level "configure connections").</summary>
    public IReadOnlyDictionary<string, string> Connections { get; init; } = new Dictionary<string, string>();

    /// <summary>The steps, in order.</summary>
    public required IReadOnlyList<StepDefinition> Steps { get; init; }

    /// <summary>The file it was read from.</summary>
    public required string SourceFile { get; init; }

    /// <summary>The source text, stored with each version so any version can be shown or exported.</summary>
    public required string SourceText { get; init; }

    /// <summary>SHA-256 of the normalised source text.</summary>
    public required string Hash { get; init; }

    /// <summary>Where the <c>id</c> key is, for errors about the whole definition.</summary>
    public required SourceSpan Span { get; init; }

    /// <summary>Where the <c>version</c> value is.</summary>
    public SourceSpan VersionSpan { get; init; }

    /// <summary><c>id@version</c>.</summary>
    public string Key => $"{Id}@{Version}";

    /// <summary>Every step, depth first.</summary>
    public IEnumerable<StepDefinition> AllSteps() => Walk(Steps);

    private static IEnumerable<StepDefinition> Walk(IEnumerable<StepDefinition> steps)
    {
        foreach (var step in steps)
        {
            yield return step;
            foreach (var child in step.Blocks().SelectMany(b => Walk(b.Steps)))
            {
                yield return child;
            }
        }
    }
}
