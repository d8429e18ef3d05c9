using System.Text.Json.Nodes;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.Validation;
using FlowEngine.Server.Elsa;

namespace FlowEngine.Designer.Tests;

/// <summary>A definition as comparable JSON: what it means, without positions, layout, hashes or generated ids.</summary>
internal static class Canonical
{
    public static string Of(Definition definition, bool withLayout = false) => new JsonObject
    {
        ["kind"] = definition.Kind.ToString(),
        ["id"] = definition.Id,
        ["version"] = definition.Version,
        ["name"] = definition.Name,
        ["description"] = definition.Description?.Trim(),
        ["inputs"] = Parameters(definition.Inputs),
        ["outputs"] = Parameters(definition.Outputs),
        ["triggers"] = new JsonArray(definition.Triggers.Select(t => (JsonNode?)new JsonObject { [t.Type] = ElsaJson.FromPlain(t.Settings) }).ToArray()),
        ["connections"] = ElsaJson.FromPlain(definition.Connections.ToDictionary(c => c.Key, c => (object?)c.Value)),
        ["steps"] = Steps(definition.Steps, withLayout),
    }.ToJsonString(ElsaJson.Indented);

    private static JsonArray Parameters(IEnumerable<ParameterSpec> parameters) => new(parameters.Select(p => (JsonNode?)new JsonObject
    {
        ["name"] = p.Name,
        ["type"] = Type(p.Type),
        ["required"] = p.Required,
        ["default"] = ElsaJson.FromPlain(p.Default),
        ["description"] = p.Description?.Trim(),
        ["label"] = p.Label,
    }).ToArray());

    private static JsonNode Type(TypeSpec type) => new JsonObject
    {
        ["name"] = type.Name,
        ["items"] = type.Items is null ? null : Type(type.Items),
        ["properties"] = type.Properties is null ? null : Parameters(type.Properties.Values),
    };

    private static JsonArray Steps(IEnumerable<StepDefinition> steps, bool withLayout) => new(steps.Select(s => (JsonNode?)Step(s, withLayout)).ToArray());

    private static JsonObject Step(StepDefinition step, bool withLayout)
    {
        var properties = new JsonObject();
        foreach (var (name, property) in step.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            properties[name] = property switch
            {
                ValueProperty v => ElsaJson.FromValue(v.Value),
                NameProperty n => n.Name,
                StepsProperty s => Steps(s.Steps, withLayout),
                BranchesProperty b => new JsonArray(b.Branches.Select(br => (JsonNode?)new JsonObject
                {
                    ["if"] = ElsaJson.FromValue(br.Condition),
                    ["then"] = Steps(br.Steps, withLayout),
                }).ToArray()),
                _ => null,
            };
        }

        if (step.Type == "call")
        {
            var (target, version) = DefinitionValidator.ParseTarget(step);
            properties["call"] = target;
            if (version is not null)
            {
                properties["version"] = version;
            }
        }

        var result = new JsonObject
        {
            ["id"] = step.GeneratedId ? "<generated>" : step.Id,
            ["type"] = step.Type,
            ["name"] = step.Name,
            ["description"] = step.Description,
            ["properties"] = properties,
        };
        if (withLayout)
        {
            result["layout"] = step.Position is { } p ? $"{p.X},{p.Y}" : null;
        }

        return result;
    }
}
