using System.Globalization;
using System.Text.RegularExpressions;

namespace FlowEngine.Definitions.Reading;

/// <summary>The shape of a node in a source document.</summary>
public enum NodeKind
{
    /// <summary>A single value.</summary>
    Scalar,

    /// <summary>Keys and values.</summary>
    Mapping,

    /// <summary>A list.</summary>
    Sequence,
}

/// <summary>
/// A YAML or JSON node with the position it was read from. JSON is read through the same YAML parser, so both
/// formats share one tree, one set of positions and one schema.
/// </summary>
public sealed partial class SourceNode
{
    internal SourceNode(NodeKind kind, SourceSpan span)
    {
        Kind = kind;
        Span = span;
    }

    /// <summary>What kind of node this is.</summary>
    public NodeKind Kind { get; }

    /// <summary>Where the node starts.</summary>
    public SourceSpan Span { get; }

    /// <summary>The text of a scalar.</summary>
    public string? Text { get; internal init; }

    /// <summary>True when a scalar was written without quotes (so <c>5</c> is a number and <c>"5"</c> a text).</summary>
    public bool IsPlain { get; internal init; }

    /// <summary>A mapping's entries in source order.</summary>
    public List<KeyValuePair<SourceNode, SourceNode>> Entries { get; } = [];

    /// <summary>A sequence's items.</summary>
    public List<SourceNode> Items { get; } = [];

    /// <summary>Finds a mapping entry by key.</summary>
    public SourceNode? this[string key] =>
        Entries.FirstOrDefault(e => string.Equals(e.Key.Text, key, StringComparison.Ordinal)).Value;

    /// <summary>What the node is, for error messages.</summary>
    public string Describe() => Kind switch
    {
        NodeKind.Mapping => "a mapping",
        NodeKind.Sequence => "a list",
        _ => ScalarValue() switch
        {
            null => "null",
            string s => $"the text '{Truncate(s)}'",
            var v => $"the {Expressions.Values.TypeName(v)} {Expressions.Values.ToText(v)}",
        },
    };

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;

    /// <summary>The typed value of a scalar: null, bool, long, double or string (YAML 1.2 core schema).</summary>
    public object? ScalarValue()
    {
        var text = Text ?? "";
        if (!IsPlain)
        {
            return text;
        }

        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL": return null;
            case "true" or "True" or "TRUE": return true;
            case "false" or "False" or "FALSE": return false;
        }

        if (IntegerPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
        {
            return l;
        }

        if (FloatPattern().IsMatch(text) && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }

        return text;
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
