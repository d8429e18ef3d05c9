using System.Text;

namespace FlowEngine.Expressions;

/// <summary>A reference to a root name and the constant member names after it, e.g. <c>steps.list.outputs.users</c>.</summary>
/// <param name="Root">The root name (<c>inputs</c>, <c>vars</c>, <c>steps</c>, a loop variable).</param>
/// <param name="Members">Constant member names that follow the root, up to the first computed index.</param>
/// <param name="Offset">Offset of the root inside the template text.</param>
public sealed record PathReference(string Root, IReadOnlyList<string> Members, int Offset)
{
    /// <inheritdoc />
    public override string ToString() => Members.Count == 0 ? Root : $"{Root}.{string.Join('.', Members)}";
}

/// <summary>
/// A text that may hold data pills: <c>"{{ inputs.users }}"</c> (one pill: the value keeps its type) or
/// <c>"Hello {{ user.name }}"</c> (text: pills are interpolated). Parsed once, evaluated many times.
/// </summary>
public sealed class Template
{
    private readonly object[] _parts; // string or Expr

    private Template(string source, object[] parts, Expr? single)
    {
        Source = source;
        _parts = parts;
        SinglePill = single;
    }

    /// <summary>The text as written.</summary>
    public string Source { get; }

    /// <summary>The expression when the whole text is one pill; its value keeps its type.</summary>
    public Expr? SinglePill { get; }

    /// <summary>True when the text has no pill at all.</summary>
    public bool IsConstant => _parts.All(p => p is string);

    /// <summary>The expressions inside, in order.</summary>
    public IEnumerable<Expr> Expressions => _parts.OfType<Expr>();

    /// <summary>True when <paramref name="text"/> contains a pill opener.</summary>
    public static bool HasPills(string text) => text.Contains("{{", StringComparison.Ordinal);

    /// <summary>Parses a text with pills. Throws <see cref="ExpressionException"/> with the offset of the problem.</summary>
    public static Template Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = new List<object>();
        var position = 0;
        while (position < text.Length)
        {
            var open = text.IndexOf("{{", position, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add(text[position..]);
                break;
            }

            if (open > position)
            {
                parts.Add(text[position..open]);
            }

            var close = text.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw new ExpressionException("'{{' is never closed with '}}'", open);
            }

            parts.Add(Parser.Parse(text[(open + 2)..close], open + 2));
            position = close + 2;
        }

        Expr? single = null;
        var nonBlank = parts.Where(p => p is not string s || !string.IsNullOrWhiteSpace(s)).ToList();
        if (nonBlank.Count == 1 && nonBlank[0] is Expr e)
        {
            single = e;
        }

        return new Template(text, [.. parts], single);
    }

    /// <summary>Evaluates the template. One pill returns its value as is; text returns a string.</summary>
    /// <remarks>Text that interpolates a secret is itself a secret, so it is masked wherever it is shown.</remarks>
    public object? Evaluate(EvaluationContext context)
    {
        if (SinglePill is not null)
        {
            return SinglePill.Evaluate(context);
        }

        if (_parts.Length == 1 && _parts[0] is string constant)
        {
            return constant;
        }

        var sb = new StringBuilder();
        StringBuilder? display = null;
        foreach (var part in _parts)
        {
            if (part is string s)
            {
                sb.Append(s);
                display?.Append(s);
                continue;
            }

            var value = ((Expr)part).Evaluate(context);
            if (value is SecretValue sv)
            {
                display ??= new StringBuilder().Append(sb);
                sb.Append(sv.Reveal());
                display.Append(sv.Display);
            }
            else
            {
                var text = Values.ToText(value);
                sb.Append(text);
                display?.Append(text);
            }
        }

        return display is null ? sb.ToString() : new SecretValue(sb.ToString(), display.ToString());
    }

    /// <summary>Every root path the template reads, for load-time checks.</summary>
    public IEnumerable<PathReference> References() => Expressions.SelectMany(Walk);

    /// <summary>Root paths read by one expression.</summary>
    public static IEnumerable<PathReference> Walk(Expr expr)
    {
        switch (expr)
        {
            case RootExpr or MemberExpr or IndexExpr when TryPath(expr, out var path):
                yield return path!;
                if (expr is IndexExpr ie)
                {
                    foreach (var r in Walk(ie.Index))
                    {
                        yield return r;
                    }
                }

                foreach (var r in InnerIndexes(expr).SelectMany(Walk))
                {
                    yield return r;
                }

                break;
            case UnaryExpr u:
                foreach (var r in Walk(u.Operand))
                {
                    yield return r;
                }

                break;
            case BinaryExpr b:
                foreach (var r in Walk(b.Left).Concat(Walk(b.Right)))
                {
                    yield return r;
                }

                break;
            case ConditionalExpr c:
                foreach (var r in Walk(c.Condition).Concat(Walk(c.WhenTrue)).Concat(Walk(c.WhenFalse)))
                {
                    yield return r;
                }

                break;
            case ArrayExpr array:
                foreach (var r in array.Items.SelectMany(Walk))
                {
                    yield return r;
                }

                break;
            case CallExpr call:
                foreach (var r in call.Arguments.SelectMany(Walk))
                {
                    yield return r;
                }

                break;
            case MemberExpr m:
                foreach (var r in Walk(m.Target))
                {
                    yield return r;
                }

                break;
            case IndexExpr i:
                foreach (var r in Walk(i.Target).Concat(Walk(i.Index)))
                {
                    yield return r;
                }

                break;
        }
    }

    private static IEnumerable<Expr> InnerIndexes(Expr expr)
    {
        for (var e = expr; ;)
        {
            switch (e)
            {
                case MemberExpr m: e = m.Target; break;
                case IndexExpr i:
                    if (!ReferenceEquals(i, expr))
                    {
                        yield return i.Index;
                    }

                    e = i.Target;
                    break;
                default: yield break;
            }
        }
    }

    /// <summary>Reads <c>root.a.b['c'][0]</c> as a root and its constant member names (stopping at a computed index).</summary>
    public static bool TryPath(Expr expr, out PathReference? path)
    {
        var members = new List<string>();
        var e = expr;
        while (true)
        {
            switch (e)
            {
                case MemberExpr m:
                    members.Add(m.Name);
                    e = m.Target;
                    continue;
                case IndexExpr { Index: LiteralExpr { Value: string key } } i:
                    members.Add(key);
                    e = i.Target;
                    continue;
                case IndexExpr i:
                    members.Clear();
                    e = i.Target;
                    continue;
                case RootExpr root:
                    members.Reverse();
                    path = new PathReference(root.Name, members, root.Offset);
                    return true;
                default:
                    path = null;
                    return false;
            }
        }
    }

    /// <inheritdoc />
    public override string ToString() => Source;
}
