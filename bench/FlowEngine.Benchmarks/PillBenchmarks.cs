using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using FlowEngine.Expressions;

namespace FlowEngine.Benchmarks;

/// <summary>Evaluating one parsed pill against reading the same data straight from the dictionaries.</summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class PillBenchmarks
{
    /// <summary>The single-pill path.</summary>
    public const string PathSource = "{{ inputs.user.email }}";

    /// <summary>The interpolated text.</summary>
    public const string TextSource = "Hello {{ inputs.user.name }}, you have {{ inputs.user.seats }} seats";

    /// <summary>The condition.</summary>
    public const string ConditionSource = "{{ inputs.user.active && inputs.user.seats > 2 }}";

    private Dictionary<string, object?> _inputs = null!;
    private EvaluationContext _context;
    private Template _path = null!;
    private Template _text = null!;
    private Template _condition = null!;

    /// <summary>Parses the pills once, as the reader does at load time.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _inputs = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["user"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["email"] = "ana@example.com",
                ["name"] = "Ana",
                ["active"] = true,
                ["seats"] = 3L,
            },
        };
        _context = new EvaluationContext(new RootScope(new Dictionary<string, object?>(StringComparer.Ordinal) { ["inputs"] = _inputs }), TimeProvider.System);
        _path = Template.Parse(PathSource);
        _text = Template.Parse(TextSource);
        _condition = Template.Parse(ConditionSource);
    }

    /// <summary><c>inputs["user"]["email"]</c>.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("path")]
    public object? PathDirect() => User()["email"];

    /// <summary><c>{{ inputs.user.email }}</c>.</summary>
    [Benchmark]
    [BenchmarkCategory("path")]
    public object? PathPill() => _path.Evaluate(_context);

    /// <summary>The same text with C# interpolation.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("text")]
    public object? TextDirect()
    {
        var user = User();
        return $"Hello {(string)user["name"]!}, you have {(long)user["seats"]!} seats";
    }

    /// <summary><c>Hello {{ inputs.user.name }}, you have {{ inputs.user.seats }} seats</c>.</summary>
    [Benchmark]
    [BenchmarkCategory("text")]
    public object? TextPill() => _text.Evaluate(_context);

    /// <summary>The same condition in C#.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("condition")]
    public object? ConditionDirect()
    {
        var user = User();
        return (bool)user["active"]! && (long)user["seats"]! > 2;
    }

    /// <summary><c>{{ inputs.user.active &amp;&amp; inputs.user.seats &gt; 2 }}</c>.</summary>
    [Benchmark]
    [BenchmarkCategory("condition")]
    public object? ConditionPill() => _condition.Evaluate(_context);

    private Dictionary<string, object?> User() => (Dictionary<string, object?>)_inputs["user"]!;

    /// <summary>Root names from a dictionary, like the runtime's scope without loop variables.</summary>
    private sealed class RootScope(Dictionary<string, object?> roots) : IExpressionScope
    {
        public bool TryGetRoot(string name, out object? value) => roots.TryGetValue(name, out value);
    }
}
