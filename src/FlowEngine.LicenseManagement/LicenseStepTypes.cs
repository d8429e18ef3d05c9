using FlowEngine.Definitions.StepTypes;
using FlowEngine.Integration;

namespace FlowEngine.LicenseManagement;

/// <summary>Every step type the product ships: flow logic, integration and license management.</summary>
public static class LicenseStepTypes
{
    /// <summary>A catalog with all of them, for readers, validators and the schema.</summary>
    public static StepTypeCatalog Catalog()
    {
        var catalog = IntegrationStepTypes.Catalog();
        foreach (var type in SamStepTypes.All)
        {
            catalog.Register(type);
        }

        return catalog;
    }
}
