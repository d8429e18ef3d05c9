using FlowEngine.Expressions;

namespace FlowEngine.Expressions.Tests;

public sealed class TemplateTests
{
    private sealed class MapScope(Dictionary<string, object?> roots) : IExpressionScope
    {
        public bool TryGetRoot(string name, out object? value) => roots.TryGetValue(name, out value);
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static object? Eval(string template, Dictionary<string, object?>? roots = null) =>
        Template.Parse(template).Evaluate(new EvaluationContext(new MapScope(roots ?? Roots()), new FixedTime(Now)));

    private static Dictionary<string, object?> Roots() => new()
    {
        ["inputs"] = new Dictionary<string, object?>
        {
            ["users"] = new List<object?>
            {
                new Dictionary<string, object?> { ["email"] = "Ana@Example.com", ["active"] = true, ["age"] = 31L },
                new Dictionary<string, object?> { ["email"] = "bo@example.com", ["active"] = false, ["age"] = 45L },
            },
            ["limit"] = 60L,
            ["name"] = "PagerDuty",
            ["token"] = new SecretValue("tok-123456"),
        },
    };

    [Fact]
    public void Evaluate_SinglePillOfArray_KeepsTheArray()
    {
        var value = Eval("{{ inputs.users }}");
        var list = Assert.IsType<List<object?>>(value);
        Assert.Equal(2, list.Count);
    }

    [Fact]
    public void Evaluate_SinglePillWithSurroundingSpaces_KeepsItsType()
    {
        Assert.Equal(60L, Eval("  {{ inputs.limit }} "));
        Assert.Equal(true, Eval("{{ inputs.users[0].active }}"));
    }

    [Fact]
    public void Evaluate_TextWithPills_Interpolates()
    {
        Assert.Equal("PagerDuty has 2 users, first ana@example.com", Eval("{{ inputs.name }} has {{ length(inputs.users) }} users, first {{ lower(inputs.users[0].email) }}"));
    }

    [Theory]
    [InlineData("{{ inputs.limit > 30 and not inputs.users[1].active }}", true)]
    [InlineData("{{ inputs.limit == 60 && inputs.name != 'x' }}", true)]
    [InlineData("{{ inputs.limit < 10 or inputs.users[0].age >= 31 }}", true)]
    [InlineData("{{ !(inputs.limit > 10) }}", false)]
    [InlineData("{{ inputs.missing ?? 'fallback' }}", "fallback")]
    [InlineData("{{ inputs.limit > 100 ? 'big' : 'small' }}", "small")]
    [InlineData("{{ inputs.limit * 2 + 1 }}", 121L)]
    [InlineData("{{ inputs.limit / 8 }}", 7.5)]
    [InlineData("{{ inputs.limit / 6 }}", 10L)]
    [InlineData("{{ inputs.limit % 7 }}", 4L)]
    [InlineData("{{ -inputs.limit }}", -60L)]
    [InlineData("{{ 'a' + 1 }}", "a1")]
    [InlineData("{{ upper(trim('  x ')) }}", "X")]
    [InlineData("{{ contains(inputs.name, 'Duty') }}", true)]
    [InlineData("{{ join(split('a,b,c', ','), '-') }}", "a-b-c")]
    [InlineData("{{ length(inputs.users[-1].email) }}", 14L)]
    [InlineData("{{ coalesce(null, inputs.missing, 3) }}", 3L)]
    [InlineData("{{ to_int('42') + 1 }}", 43L)]
    [InlineData("{{ max(3, 9, 4) }}", 9L)]
    [InlineData("{{ is_empty('') and not is_empty(inputs.users) }}", true)]
    [InlineData("{{ length([1, inputs.limit, 'x']) }}", 3L)]
    [InlineData("{{ length(inputs.missing ?? []) }}", 0L)]
    public void Evaluate_Operators_GiveTypedResults(string template, object expected) => Assert.Equal(expected, Eval(template));

    [Fact]
    public void Evaluate_DateHelpers_UseTheInjectedClock()
    {
        Assert.Equal(Now, Eval("{{ now() }}"));
        Assert.Equal(Now.AddDays(-60), Eval("{{ add_days(now(), -inputs.limit) }}"));
        Assert.Equal(true, Eval("{{ date('2026-09-01T00:00:00Z') < add_days(now(), -60) }}"));
        Assert.Equal(86L, Eval("{{ days_between('2026-08-31T12:00:00Z', now()) }}"));
        Assert.Equal("2026-11-25", Eval("{{ format_date(now(), 'yyyy-MM-dd') }}"));
    }

    [Fact]
    public void Evaluate_TextWithSecret_IsASecretShownMasked()
    {
        var value = Eval("Token token={{ inputs.token }}");
        var secret = Assert.IsType<SecretValue>(value);
        Assert.Equal("Token token=tok-123456", secret.Reveal());
        Assert.Equal("Token token=********", secret.ToString());
        Assert.DoesNotContain("tok-123456", Values.ToJson(new Dictionary<string, object?> { ["h"] = value }), StringComparison.Ordinal);
    }

    [Fact]
    public void Evaluate_TransformOfSecret_IsRefused()
    {
        var ex = Assert.Throws<ExpressionException>(() => Eval("{{ lower(inputs.token) }}"));
        Assert.Contains("secret", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{ inputs.name.first }}", "cannot read 'first' of a string")]
    [InlineData("{{ nothing.x }}", "'nothing' is not defined")]
    [InlineData("{{ inputs.limit / 0 }}", "division by zero")]
    [InlineData("{{ inputs.users > 3 }}", "cannot compare array with integer")]
    [InlineData("{{ add_days('not a date', 1) }}", "expected a datetime")]
    public void Evaluate_BadValue_ThrowsWithAClearMessage(string template, string message)
    {
        var ex = Assert.Throws<ExpressionException>(() => Eval(template));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{ inputs.x ", "never closed", 0)]
    [InlineData("{{ inputs.x + }}", "ends too early", 14)]
    [InlineData("{{ lowr(x) }}", "did you mean 'lower'", 3)]
    [InlineData("{{ 'abc }}", "unterminated string", 3)]
    [InlineData("{{ a # b }}", "unexpected character '#'", 5)]
    [InlineData("{{ now(1) }}", "takes 0 arguments but got 1", 3)]
    [InlineData("{{ }}", "empty expression", 2)]
    public void Parse_BadSyntax_ReportsMessageAndOffset(string template, string message, int offset)
    {
        var ex = Assert.Throws<ExpressionException>(() => Template.Parse(template));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Equal(offset, ex.Offset);
    }

    [Fact]
    public void Parse_DeepNesting_IsRefusedNotOverflowed()
    {
        var deep = "{{ " + new string('(', 200) + "1" + new string(')', 200) + " }}";
        var ex = Assert.Throws<ExpressionException>(() => Template.Parse(deep));
        Assert.Contains("nested deeper", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void References_ListRootPathsWithOffsets()
    {
        var refs = Template.Parse("{{ steps.list_users.outputs.users }} and {{ lower(user.email) }}").References().ToList();
        Assert.Equal(["steps.list_users.outputs.users", "user.email"], refs.Select(r => r.ToString()));
        Assert.Equal(3, refs[0].Offset);
    }

    [Fact]
    public void Suggest_FindsTransposedAndMistypedNames()
    {
        Assert.Equal("list_users", Suggest.Closest("lsit_users", ["list_users", "lookup_account"]));
        Assert.Null(Suggest.Closest("zzz", ["list_users"]));
    }

    [Fact]
    public void Evaluation_AFunctionMakingHugeText_FailsWithTheLimit_InsteadOfFillingMemory()
    {
        var error = Assert.Throws<ExpressionException>(() => Eval("{{ join(range(0, 1000000), \"--------------------\") }}"));
        Assert.Contains("more than the 16,777,216 a pill may make", error.Message, StringComparison.Ordinal);
        Assert.Equal(1000, ((string)Eval("{{ join(range(0, 1000), \",\") }}")!).Split(',').Length);
    }
}
