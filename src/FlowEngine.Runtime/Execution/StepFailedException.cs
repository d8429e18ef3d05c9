namespace FlowEngine.Runtime.Execution;

/// <summary>Base of the engine's own exceptions.</summary>
public abstract class FlowEngineException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// A step failed: an expression could not be evaluated, an input had the wrong type, a <c>fail</c> step ran, or a
/// vendor call failed. It carries the id of the step that failed first, and a code a <c>try</c> can test.
/// </summary>
public sealed class StepFailedException(string message, string? stepId = null, string? code = null, Exception? inner = null)
    : FlowEngineException(message, inner)
{
    /// <summary>The step where the failure started.</summary>
    public string? StepId { get; } = stepId;

    /// <summary>An error code (<c>expression</c>, <c>input</c>, <c>fail</c>, or what a fail step set).</summary>
    public string? Code { get; } = code;

    /// <summary>Whether trying again might succeed.</summary>
    public bool IsRetryable { get; init; }

    /// <summary>Extra facts for an <c>on_error</c> block (an HTTP status, the vendor's answer), secrets masked.</summary>
    public IReadOnlyDictionary<string, object?>? Details { get; init; }

    /// <summary>The same failure, attributed to a step when it was not yet.</summary>
    public StepFailedException At(string stepId) =>
        StepId is not null ? this : new StepFailedException(Message, stepId, Code, InnerException) { IsRetryable = IsRetryable, Details = Details };
}
