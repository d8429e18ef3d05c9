namespace FlowEngine.Definitions.StepTypes;

/// <summary>The registered step types. Built-ins come first; integration and license-management types add themselves.</summary>
public sealed class StepTypeCatalog
{
    private readonly Dictionary<string, StepTypeDescriptor> _types = new(StringComparer.Ordinal);

    /// <summary>A catalog holding the built-in step types.</summary>
    public static StepTypeCatalog CreateDefault()
    {
        var catalog = new StepTypeCatalog();
        foreach (var type in BuiltInStepTypes.All)
        {
            catalog.Register(type);
        }

        return catalog;
    }

    /// <summary>Every registered type.</summary>
    public IReadOnlyCollection<StepTypeDescriptor> Types => _types.Values;

    /// <summary>Registers a step type. Registering the same keyword twice is a programming error.</summary>
    public StepTypeCatalog Register(StepTypeDescriptor type)
    {
        ArgumentNullException.ThrowIfNull(type);
        if (!_types.TryAdd(type.Keyword, type))
        {
            throw new ArgumentException($"step type '{type.Keyword}' is registered twice", nameof(type));
        }

        return this;
    }

    /// <summary>Finds a step type by keyword.</summary>
    public StepTypeDescriptor? Find(string keyword) => _types.GetValueOrDefault(keyword);
}
