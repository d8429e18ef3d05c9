namespace FlowEngine.Expressions;

/// <summary>Where an expression's root names (<c>inputs</c>, <c>vars</c>, <c>steps</c>, loop variables) come from.</summary>
public interface IExpressionScope
{
    /// <summary>Looks up a root name.</summary>
    bool TryGetRoot(string name, out object? value);
}

/// <summary>What one evaluation needs besides the values: the scope and the clock.</summary>
public readonly record struct EvaluationContext(IExpressionScope Scope, TimeProvider Time);
