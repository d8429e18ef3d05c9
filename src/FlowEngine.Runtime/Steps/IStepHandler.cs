using FlowEngine.Definitions.StepTypes;

namespace FlowEngine.Runtime.Steps;

/// <summary>
/// Executes one step type. A handler carries its descriptor, so registering it makes the type known to the reader,
/// the validator, the schema and the runtime at once.
/// </summary>
public interface IStepHandler
{
    /// <summary>The step type this handler runs.</summary>
    StepTypeDescriptor Descriptor { get; }

    /// <summary>Runs the step; returns its outputs (an object, or null for none).</summary>
    ValueTask<object?> ExecuteAsync(StepContext context);
}
