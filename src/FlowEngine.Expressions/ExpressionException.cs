namespace FlowEngine.Expressions;

/// <summary>A syntax or evaluation error inside one expression.</summary>
/// <param name="message">What went wrong, in words an integrator understands.</param>
/// <param name="offset">Character offset inside the expression or template text.</param>
public sealed class ExpressionException(string message, int offset) : Exception(message)
{
    /// <summary>Character offset inside the expression or template text where the problem is.</summary>
    public int Offset { get; } = offset;
}
