namespace FlowEngine.Expressions;

/// <summary>A parsed expression. Nodes are immutable and evaluated against a scope many times.</summary>
/// <remarks><see cref="Offset"/> is the character offset inside the expression text, for error positions.</remarks>
public abstract record Expr(int Offset)
{
    /// <summary>Evaluates the node. Throws <see cref="ExpressionException"/> for a value-level error.</summary>
    public abstract object? Evaluate(EvaluationContext context);
}

/// <summary>A constant: string, long, double, bool or null.</summary>
public sealed record LiteralExpr(object? Value, int Offset) : Expr(Offset)
{
    public override object? Evaluate(EvaluationContext context) => Value;
}

/// <summary>A root name such as <c>inputs</c>, <c>vars</c>, <c>steps</c> or a loop variable.</summary>
public sealed record RootExpr(string Name, int Offset) : Expr(Offset)
{
    public override object? Evaluate(EvaluationContext context) =>
        context.Scope.TryGetRoot(Name, out var value)
            ? value
            : throw new ExpressionException($"'{Name}' is not defined here", Offset);
}

/// <summary><c>target.name</c>.</summary>
public sealed record MemberExpr(Expr Target, string Name, int Offset) : Expr(Offset)
{
    public override object? Evaluate(EvaluationContext context) =>
        Values.GetMember(Target.Evaluate(context), Name, Offset);
}

/// <summary><c>target[index]</c>, by position in an array or by key in an object.</summary>
public sealed record IndexExpr(Expr Target, Expr Index, int Offset) : Expr(Offset)
{
    public override object? Evaluate(EvaluationContext context) =>
        Values.GetIndex(Target.Evaluate(context), Index.Evaluate(context), Offset);
}

/// <summary><c>not x</c>, <c>!x</c> and <c>-x</c>.</summary>
public sealed record UnaryExpr(string Operator, Expr Operand, int Offset) : Expr(Offset)
{
    public override object? Evaluate(EvaluationContext context)
    {
        var value = Operand.Evaluate(context);
        return Operator switch
        {
            "not" => !Values.IsTruthy(value),
            "-" => value switch
            {
                long l => (object)(-l),
                double d => -d,
                _ => throw new ExpressionException($"cannot negate {Values.TypeName(value)}", Offset),
            },
            _ => throw new ExpressionException($"unknown operator '{Operator}'", Offset),
        };
    }
}

/// <summary>Binary operators; <c>and</c>/<c>or</c> short-circuit and return booleans.</summary>
public sealed record BinaryExpr(string Operator, Expr Left, Expr Right, int Offset) : Expr(Offset)
{
    public override object? Evaluate(EvaluationContext context)
    {
        switch (Operator)
        {
            case "and":
                return Values.IsTruthy(Left.Evaluate(context)) && Values.IsTruthy(Right.Evaluate(context));
            case "or":
                return Values.IsTruthy(Left.Evaluate(context)) || Values.IsTruthy(Right.Evaluate(context));
            case "??":
                return Left.Evaluate(context) ?? Right.Evaluate(context);
        }

        var left = Left.Evaluate(context);
        var right = Right.Evaluate(context);
        return Operator switch
        {
            "==" => Values.AreEqual(left, right),
            "!=" => !Values.AreEqual(left, right),
            "<" => Values.Compare(left, right, Offset) < 0,
            "<=" => Values.Compare(left, right, Offset) <= 0,
            ">" => Values.Compare(left, right, Offset) > 0,
            ">=" => Values.Compare(left, right, Offset) >= 0,
            _ => Values.Arithmetic(Operator, left, right, Offset),
        };
    }
}

/// <summary><c>condition ? a : b</c>.</summary>
public sealed record ConditionalExpr(Expr Condition, Expr WhenTrue, Expr WhenFalse, int Offset) : Expr(Offset)
{
    public override object? Evaluate(EvaluationContext context) =>
        Values.IsTruthy(Condition.Evaluate(context)) ? WhenTrue.Evaluate(context) : WhenFalse.Evaluate(context);
}

/// <summary>A call to a built-in function such as <c>lower(x)</c> or <c>add_days(now(), -60)</c>.</summary>
public sealed record CallExpr(string Name, IReadOnlyList<Expr> Arguments, int Offset) : Expr(Offset)
{
    internal Function? Function { get; init; }

    public override object? Evaluate(EvaluationContext context)
    {
        var function = Function ?? throw new ExpressionException($"unknown function '{Name}'", Offset);
        var args = new object?[Arguments.Count];
        for (var i = 0; i < args.Length; i++)
        {
            args[i] = Arguments[i].Evaluate(context);
        }

        try
        {
            return function.Invoke(context, args);
        }
        catch (ExpressionException)
        {
            throw;
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException or ArgumentException)
        {
            throw new ExpressionException($"{Name}(): {ex.Message}", Offset);
        }
    }
}

/// <summary><c>[a, b, c]</c>: a new array.</summary>
public sealed record ArrayExpr(IReadOnlyList<Expr> Items, int Offset) : Expr(Offset)
{
    public override object? Evaluate(EvaluationContext context)
    {
        var list = new List<object?>(Items.Count);
        foreach (var item in Items)
        {
            list.Add(item.Evaluate(context));
        }

        return list;
    }
}
