namespace FlowEngine.Definitions.Model;

/// <summary>One step: its id, its type (the keyword that names it, e.g. <c>for_each</c>) and its properties.</summary>
public sealed record StepDefinition
{
    /// <summary>The step id, unique in its definition. Generated as <c>type_n</c> when the file gives none.</summary>
    public required string Id { get; init; }

    /// <summary>The step type keyword.</summary>
    public required string Type { get; init; }

    /// <summary>Where the step starts.</summary>
    public required SourceSpan Span { get; init; }

    /// <summary>An optional label.</summary>
    public string? Name { get; init; }

    /// <summary>An optional description.</summary>
    public string? Description { get; init; }

    /// <summary>True when the id was generated rather than written.</summary>
    public bool GeneratedId { get; init; }

    /// <summary>The step's properties by name.</summary>
    public required IReadOnlyDictionary<string, StepProperty> Properties { get; init; }

    /// <summary>Designer layout position, kept so a round trip through the designer does not move boxes.</summary>
    public (double X, double Y)? Position { get; init; }

    /// <summary>A value property, or null when absent.</summary>
    public ValueNode? Value(string name) => Properties.GetValueOrDefault(name) is ValueProperty v ? v.Value : null;

    /// <summary>A name property, or null when absent.</summary>
    public string? NameOf(string name) => Properties.GetValueOrDefault(name) is NameProperty n ? n.Name : null;

    /// <summary>A block of steps, or an empty list when absent.</summary>
    public IReadOnlyList<StepDefinition> Block(string name) =>
        Properties.GetValueOrDefault(name) is StepsProperty s ? s.Steps : [];

    /// <summary>Every block of child steps, by property name.</summary>
    public IEnumerable<(string Property, IReadOnlyList<StepDefinition> Steps)> Blocks()
    {
        foreach (var (name, property) in Properties)
        {
            switch (property)
            {
                case StepsProperty s:
                    yield return (name, s.Steps);
                    break;
                case BranchesProperty b:
                    foreach (var branch in b.Branches)
                    {
                        yield return (name, branch.Steps);
                    }

                    break;
            }
        }
    }
}

/// <summary>A property of a step.</summary>
public abstract record StepProperty(SourceSpan Span);

/// <summary>A value, possibly with pills.</summary>
public sealed record ValueProperty(ValueNode Value) : StepProperty(Value.Span);

/// <summary>A plain name (a loop variable, a call target, a variable to write); never a template.</summary>
public sealed record NameProperty(string Name, SourceSpan Span) : StepProperty(Span);

/// <summary>A block of child steps.</summary>
public sealed record StepsProperty(IReadOnlyList<StepDefinition> Steps, SourceSpan Span) : StepProperty(Span);

/// <summary>A list of condition/steps pairs (<c>else_if</c>).</summary>
public sealed record BranchesProperty(IReadOnlyList<Branch> Branches, SourceSpan Span) : StepProperty(Span);

/// <summary>A condition and the steps that run when it holds.</summary>
public sealed record Branch(ValueNode Condition, IReadOnlyList<StepDefinition> Steps, SourceSpan Span);
