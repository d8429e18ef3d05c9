using FlowEngine.Expressions;

namespace FlowEngine.Definitions.Model;

/// <summary>
/// A value written in a definition: a scalar (constant or template with pills), a mapping or a list of values.
/// Evaluating it evaluates every pill inside, so a JSON body with pills deep inside works as written.
/// </summary>
public abstract record ValueNode(SourceSpan Span)
{
    /// <summary>Evaluates pills and returns plain values.</summary>
    public abstract object? Evaluate(EvaluationContext context);

    /// <summary>Every template inside, with the position of the scalar that holds it.</summary>
    public abstract IEnumerable<(Template Template, SourceSpan Span, bool Quoted)> Templates();
}

/// <summary>A scalar: a constant, or a template with pills.</summary>
public sealed record ScalarValue(object? Constant, Template? Template, SourceSpan Span, bool Quoted = false) : ValueNode(Span)
{
    /// <inheritdoc />
    public override object? Evaluate(EvaluationContext context) => Template is null ? Constant : Template.Evaluate(context);

    /// <inheritdoc />
    public override IEnumerable<(Template, SourceSpan, bool)> Templates() =>
        Template is null ? [] : [(Template, Span, Quoted)];
}

/// <summary>A mapping of values.</summary>
public sealed record MapValue(IReadOnlyList<KeyValuePair<string, ValueNode>> Entries, SourceSpan Span) : ValueNode(Span)
{
    /// <inheritdoc />
    public override object? Evaluate(EvaluationContext context)
    {
        // Indexed, not foreach: an enumerator through the interface is an allocation per evaluation (per item of a transform).
        var map = new Dictionary<string, object?>(Entries.Count, StringComparer.Ordinal);
        for (var i = 0; i < Entries.Count; i++)
        {
            var (key, value) = Entries[i];
            map[key] = value.Evaluate(context);
        }

        return map;
    }

    /// <inheritdoc />
    public override IEnumerable<(Template, SourceSpan, bool)> Templates() => Entries.SelectMany(e => e.Value.Templates());
}

/// <summary>A list of values.</summary>
public sealed record ListValue(IReadOnlyList<ValueNode> Items, SourceSpan Span) : ValueNode(Span)
{
    /// <inheritdoc />
    public override object? Evaluate(EvaluationContext context)
    {
        var list = new List<object?>(Items.Count);
        for (var i = 0; i < Items.Count; i++)
        {
            list.Add(Items[i].Evaluate(context));
        }

        return list;
    }

    /// <inheritdoc />
    public override IEnumerable<(Template, SourceSpan, bool)> Templates() => Items.SelectMany(i => i.Templates());
}
