using System.Text.Json.Nodes;

namespace FlowEngine.Server.Elsa;

/// <summary>The studio's descriptor lists: activities from our catalog, and only the expression languages our engine evaluates.</summary>
public static class ElsaDescriptors
{
    /// <summary>
    /// What the engine evaluates: <c>Literal</c> is text with <c>{{ pills }}</c> (JSON where the input takes objects
    /// or lists); <c>Pill</c> is one expression of the pill language (<c>lower(user.email)</c>), saved as
    /// <c>{{ lower(user.email) }}</c>. <c>Object</c> (JSON) is accepted on save but not offered in the syntax menu.
    /// </summary>
    public static readonly IReadOnlyList<ExpressionDescriptor> Expressions =
    [
        new("Literal", "Text with {{ pills }}", true, true, []),
        new(StudioModelReader.PillSyntax, "Pill expression", true, true, []),
        new("Object", "JSON", true, false, new JsonObject { ["MonacoLanguage"] = "json" }),
    ];

    /// <summary>The types of workflow inputs and outputs (arrays through the studio's "array" tick).</summary>
    public static readonly IReadOnlyList<VariableTypeDescriptor> VariableTypes = ElsaTypes.Names
        .Select(n => new VariableTypeDescriptor(n, n, "FlowEngine", null)).ToList();

    /// <summary>Only memory: FlowEngine has no persisted workflow variables.</summary>
    public static readonly IReadOnlyList<StorageDriverDescriptor> StorageDrivers = [new("Memory", "Memory", 0, false)];

    /// <summary>Every activity type, plus the (hidden) flowchart root.</summary>
    public static IReadOnlyList<ActivityDescriptor> Activities(ActivityCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var list = catalog.Types.Select(Activity).ToList();
        list.Add(new ActivityDescriptor
        {
            TypeName = ActivityCatalog.FlowchartTypeName,
            Namespace = "Elsa",
            Name = "Flowchart",
            Category = "Flow logic",
            DisplayName = "Flowchart",
            Description = "The definition's steps.",
            IsBrowsable = false,
            IsContainer = true,
            Ports = [],
            Inputs = [],
            Outputs = [],
        });
        return list;
    }

    /// <summary>One activity type as the studio's descriptor.</summary>
    public static ActivityDescriptor Activity(ActivityType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return new ActivityDescriptor
        {
            TypeName = type.TypeName,
            Namespace = type.Namespace,
            Name = type.Name,
            Category = type.Category,
            DisplayName = type.DisplayName,
            Description = type.Description?.Trim(),
            Ports = type.Ports.Select(p => new PortDescriptor(p.Name, p.DisplayName)).ToList(),
            Inputs = type.Inputs.Select(i => new InputDescriptor
            {
                Name = i.Name,
                TypeName = i.TypeName,
                DisplayName = i.DisplayName,
                Description = i.Description,
                Order = i.Order,
                UiHint = i.UiHint,
                DefaultValue = i.DefaultValue,
                IsSensitive = i.IsSensitive,
                UiSpecifications = i.Options is { } options ? new JsonObject
                {
                    ["dropdown"] = new JsonObject
                    {
                        ["selectList"] = new JsonObject
                        {
                            ["items"] = new JsonArray(options.Select(o => (JsonNode?)new JsonObject { ["text"] = o, ["value"] = o }).ToArray()),
                            ["isFlagsEnum"] = false,
                        },
                    },
                } : null,
            }).ToList(),
            Outputs = type.Outputs.Select((o, n) => new OutputDescriptor { Name = o.Name, TypeName = o.TypeName, DisplayName = o.DisplayName, Description = o.Description, Order = n }).ToList(),
        };
    }
}
