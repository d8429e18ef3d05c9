using FlowEngine.Definitions.StepTypes;
using FlowEngine.Integration.Steps;

namespace FlowEngine.Integration;

/// <summary>The step types of the integration part, for readers and validators that do not run anything.</summary>
public static class IntegrationStepTypes
{
    /// <summary>REST, GraphQL and CSV.</summary>
    public static IReadOnlyList<StepTypeDescriptor> All { get; } = [RestStepHandler.Type, GraphQLStepHandler.Type, CsvStepHandler.Type];

    /// <summary>A catalog with the built-in flow logic and the integration step types.</summary>
    public static StepTypeCatalog Catalog()
    {
        var catalog = StepTypeCatalog.CreateDefault();
        foreach (var type in All)
        {
            catalog.Register(type);
        }

        return catalog;
    }
}
