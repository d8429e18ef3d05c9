using FlowEngine.Definitions.StepTypes;

namespace FlowEngine.Runtime.Steps;

/// <summary>The step handlers of a runtime, and the step-type catalog the reader and validator use.</summary>
public sealed class StepHandlerRegistry
{
    private readonly Dictionary<string, IStepHandler> _handlers = new(StringComparer.Ordinal);

    /// <summary>The catalog of every registered type's descriptor.</summary>
    public StepTypeCatalog Catalog { get; } = new();

    /// <summary>A registry with the built-in flow-logic steps.</summary>
    public static StepHandlerRegistry CreateDefault() => new StepHandlerRegistry()
        .Register(new SetHandler())
        .Register(new AppendHandler())
        .Register(new IfHandler())
        .Register(new ForEachHandler())
        .Register(new CallHandler())
        .Register(new TryHandler())
        .Register(new FailHandler())
        .Register(new LogHandler())
        .Register(new OutputsHandler())
        .Register(new EmitHandler())
        .Register(new TransformHandler());

    /// <summary>Registers a handler and its step type.</summary>
    public StepHandlerRegistry Register(IStepHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Catalog.Register(handler.Descriptor);
        _handlers[handler.Descriptor.Keyword] = handler;
        return this;
    }

    /// <summary>The handler of a step type.</summary>
    public IStepHandler Get(string keyword) =>
        _handlers.TryGetValue(keyword, out var handler) ? handler : throw new KeyNotFoundException($"no handler for step type '{keyword}'");
}
