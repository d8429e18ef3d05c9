using System.Collections;
using System.Globalization;

namespace FlowEngine.Expressions;

/// <summary>A built-in function. Functions are pure but for the clock, which comes from the context.</summary>
internal sealed record Function(
    string Name,
    int MinArgs,
    int MaxArgs,
    string Description,
    Func<EvaluationContext, object?[], object?> Body,
    bool AcceptsSecrets = false)
{
    public string Arity => MinArgs == MaxArgs
        ? $"{MinArgs} argument{(MinArgs == 1 ? "" : "s")}"
        : MaxArgs == int.MaxValue ? $"at least {MinArgs} arguments" : $"{MinArgs} to {MaxArgs} arguments";

    public object? Invoke(EvaluationContext context, object?[] args)
    {
        if (!AcceptsSecrets && args.Any(a => a is SecretValue))
        {
            throw new ExpressionException($"{Name}() cannot take a secret; secrets can only be passed on whole", 0);
        }

        var result = Body(context, args);
        return result switch
        {
            string text when text.Length > Functions.MaxTextLength =>
                throw new ExpressionException($"{Name}() made a text of {text.Length:N0} characters, more than the {Functions.MaxTextLength:N0} a pill may make", 0),
            ICollection list when list.Count > Functions.MaxItems =>
                throw new ExpressionException($"{Name}() made a list of {list.Count:N0} items, more than the {Functions.MaxItems:N0} a pill may make", 0),
            _ => result,
        };
    }
}

/// <summary>The functions a pill may call. The list is closed: an expression cannot reach anything else.</summary>
public static class Functions
{
    private static readonly Dictionary<string, Function> All = Build().ToDictionary(f => f.Name, StringComparer.Ordinal);

    /// <summary>Longest text a function may return (16 Mi characters): a pill cannot build unbounded text.</summary>
    public const int MaxTextLength = 16 * 1024 * 1024;

    /// <summary>Most items a function may return in a list.</summary>
    public const int MaxItems = 1_000_000;

    /// <summary>Names of every built-in function, for suggestions and documentation.</summary>
    public static IReadOnlyCollection<string> Names => All.Keys;

    /// <summary>Name, arity and description of each function, for the README and the schema.</summary>
    public static IEnumerable<(string Name, string Arity, string Description)> Describe() =>
        All.Values.OrderBy(f => f.Name, StringComparer.Ordinal).Select(f => (f.Name, f.Arity, f.Description));

    internal static Function? Find(string name) => All.GetValueOrDefault(name);

    private static string Text(object? v) => Values.ToText(v);

    private static long Int(object? v) => v switch
    {
        long l => l,
        double d => (long)d,
        string s => long.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture),
        bool b => b ? 1 : 0,
        _ => throw new InvalidCastException($"expected an integer, got {Values.TypeName(v)}"),
    };

    private static DateTimeOffset Date(object? v) =>
        Values.TryDate(v, out var d) ? d : throw new FormatException($"expected a datetime, got {Values.TypeName(v)} '{Text(v)}'");

    private static IList List(object? v) =>
        v as IList ?? throw new InvalidCastException($"expected an array, got {Values.TypeName(v)}");

    private static IEnumerable<Function> Build()
    {
        yield return new("now", 0, 0, "The current time (UTC).", (c, _) => c.Time.GetUtcNow());
        yield return new("today", 0, 0, "Midnight UTC of the current day.", (c, _) => new DateTimeOffset(c.Time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero));
        yield return new("date", 1, 1, "Parses an ISO 8601 text into a datetime.", (_, a) => Date(a[0]));
        yield return new("add_days", 2, 2, "A datetime plus n days (n may be negative).", (_, a) => Date(a[0]).AddDays(Values.ToDouble(a[1] ?? 0L)));
        yield return new("add_hours", 2, 2, "A datetime plus n hours.", (_, a) => Date(a[0]).AddHours(Values.ToDouble(a[1] ?? 0L)));
        yield return new("add_minutes", 2, 2, "A datetime plus n minutes.", (_, a) => Date(a[0]).AddMinutes(Values.ToDouble(a[1] ?? 0L)));
        yield return new("days_between", 2, 2, "Whole days from the first datetime to the second.", (_, a) => (long)Math.Floor((Date(a[1]) - Date(a[0])).TotalDays));
        yield return new("format_date", 2, 2, "Formats a datetime with a .NET format string, in UTC.", (_, a) => Date(a[0]).ToUniversalTime().ToString(Text(a[1]), CultureInfo.InvariantCulture));
        yield return new("length", 1, 1, "Length of a text, array or object; 0 for null.", (_, a) => a[0] switch
        {
            null => 0L,
            string s => (long)s.Length,
            SecretValue s => (long)s.Reveal().Length,
            ICollection c => (long)c.Count,
            var v => throw new InvalidCastException($"length() needs a text, array or object, got {Values.TypeName(v)}"),
        }, AcceptsSecrets: true);
        yield return new("is_empty", 1, 1, "True for null, \"\" and empty arrays or objects.", (_, a) => !Values.IsTruthy(a[0]) && a[0] is not bool and not long and not double, AcceptsSecrets: true);
        yield return new("lower", 1, 1, "Lower-case text.", (_, a) => Text(a[0]).ToLowerInvariant());
        yield return new("upper", 1, 1, "Upper-case text.", (_, a) => Text(a[0]).ToUpperInvariant());
        yield return new("trim", 1, 1, "Text without leading and trailing white space.", (_, a) => Text(a[0]).Trim());
        yield return new("contains", 2, 2, "Whether a text contains a text, or an array contains a value.", (_, a) => a[0] switch
        {
            string s => s.Contains(Text(a[1]), StringComparison.Ordinal),
            IList l => l.Cast<object?>().Any(x => Values.AreEqual(x, a[1])),
            IDictionary<string, object?> m => m.ContainsKey(Text(a[1])),
            null => false,
            var v => throw new InvalidCastException($"contains() needs a text, array or object, got {Values.TypeName(v)}"),
        });
        yield return new("starts_with", 2, 2, "Whether a text starts with another.", (_, a) => Text(a[0]).StartsWith(Text(a[1]), StringComparison.Ordinal));
        yield return new("ends_with", 2, 2, "Whether a text ends with another.", (_, a) => Text(a[0]).EndsWith(Text(a[1]), StringComparison.Ordinal));
        yield return new("replace", 3, 3, "Text with every occurrence of the second argument replaced by the third.", (_, a) => Text(a[0]).Replace(Text(a[1]), Text(a[2]), StringComparison.Ordinal));
        yield return new("split", 2, 2, "Splits a text on a separator into an array of texts.", (_, a) => Text(a[0]).Split(Text(a[1])).Cast<object?>().ToList());
        yield return new("join", 2, 2, "Joins an array's items into one text with a separator.", (_, a) => string.Join(Text(a[1]), List(a[0]).Cast<object?>().Select(Text)));
        yield return new("concat", 1, int.MaxValue, "Texts joined end to end; arrays concatenated when every argument is an array.", (_, a) =>
            a.All(x => x is IList) ? a.SelectMany(x => ((IList)x!).Cast<object?>()).ToList() : string.Concat(a.Select(Text)));
        yield return new("coalesce", 1, int.MaxValue, "The first argument that is not null.", (_, a) => a.FirstOrDefault(x => x is not null), AcceptsSecrets: true);
        yield return new("to_string", 1, 1, "The text of a value (JSON for arrays and objects).", (_, a) => Text(a[0]));
        yield return new("to_int", 1, 1, "An integer from a number, a text or a boolean.", (_, a) => Int(a[0]));
        yield return new("to_number", 1, 1, "A number from an integer or a text.", (_, a) => a[0] is string s ? double.Parse(s, CultureInfo.InvariantCulture) : Values.ToDouble(a[0] ?? 0L));
        yield return new("to_bool", 1, 1, "Truthiness of a value as a boolean.", (_, a) => Values.IsTruthy(a[0]));
        yield return new("round", 1, 2, "A number rounded to n decimals (0 by default).", (_, a) => a.Length > 1 ? Math.Round(Values.ToDouble(a[0] ?? 0L), (int)Int(a[1])) : (object)(long)Math.Round(Values.ToDouble(a[0] ?? 0L)));
        yield return new("abs", 1, 1, "Absolute value.", (_, a) => a[0] is long l ? (object)Math.Abs(l) : Math.Abs(Values.ToDouble(a[0] ?? 0L)));
        yield return new("min", 1, int.MaxValue, "Smallest of the arguments, or of one array.", (_, a) => Extreme(a, -1));
        yield return new("max", 1, int.MaxValue, "Largest of the arguments, or of one array.", (_, a) => Extreme(a, 1));
        yield return new("first", 1, 1, "First item of an array, or null.", (_, a) => List(a[0]) is { Count: > 0 } l ? l[0] : null);
        yield return new("last", 1, 1, "Last item of an array, or null.", (_, a) => List(a[0]) is { Count: > 0 } l ? l[^1] : null);
        yield return new("keys", 1, 1, "Property names of an object.", (_, a) => (a[0] as IDictionary<string, object?> ?? throw new InvalidCastException("keys() needs an object")).Keys.Cast<object?>().ToList());
        yield return new("set_of", 1, 1, "An object whose keys are the array's items (as text), for fast contains() checks.", (_, a) =>
        {
            var set = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var item in List(a[0]))
            {
                set[Text(item)] = true;
            }

            return set;
        });
        yield return new("json", 1, 1, "A value serialised as JSON text.", (_, a) => Values.ToJson(a[0]));
        yield return new("parse_json", 1, 1, "A JSON text parsed into a value.", (_, a) => Values.ParseJson(Text(a[0])));
        yield return new("range", 1, 2, "Integers from start (0) up to but not including end.", (_, a) =>
        {
            long start = a.Length > 1 ? Int(a[0]) : 0, end = a.Length > 1 ? Int(a[1]) : Int(a[0]);
            if (end - start > 1_000_000)
            {
                throw new ArgumentException("range() is limited to 1,000,000 items");
            }

            var list = new List<object?>();
            for (var i = start; i < end; i++)
            {
                list.Add(i);
            }

            return list;
        });
    }

    private static object? Extreme(object?[] args, int sign)
    {
        IEnumerable<object?> items = args.Length == 1 && args[0] is IList l ? l.Cast<object?>() : args;
        object? best = null;
        foreach (var item in items)
        {
            if (item is not null && (best is null || Math.Sign(Values.Compare(item, best, 0)) == sign))
            {
                best = item;
            }
        }

        return best;
    }
}
