using System.Text.Json;
using System.Text.Json.Nodes;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.StepTypes;

namespace FlowEngine.Definitions.Schema;

/// <summary>
/// Writes the JSON Schema of the definition format from the registered step types, so the schema editors use
/// (shipped as <c>flows/flowengine.schema.json</c>) can never drift from what the reader accepts.
/// </summary>
public static class SchemaGenerator
{
    /// <summary>The schema's file name under <c>flows/</c>.</summary>
    public const string FileName = "flowengine.schema.json";

    /// <summary>Generates the schema as indented JSON text with a final newline.</summary>
    public static string Generate(StepTypeCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var types = catalog.Types.OrderBy(t => t.Keyword, StringComparer.Ordinal).ToList();
        var defs = new JsonObject
        {
            ["type_name"] = new JsonObject { ["enum"] = Array(TypeSpec.Names) },
            ["parameter"] = Parameter(),
            ["trigger"] = Trigger(),
            ["steps"] = new JsonObject { ["type"] = "array", ["items"] = Ref("step") },
            ["layout"] = new JsonObject
            {
                ["type"] = "object",
                ["properties"] = new JsonObject { ["x"] = Type("number"), ["y"] = Type("number") },
                ["additionalProperties"] = false,
            },
            ["step"] = new JsonObject { ["anyOf"] = Array(types.Select(t => (JsonNode)Ref($"step_{t.Keyword}"))) },
        };

        foreach (var type in types)
        {
            defs[$"step_{type.Keyword}"] = Step(type);
        }

        var schema = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "https://flowengine.dev/schema/flowengine.schema.json",
            ["title"] = "FlowEngine definition (flow, subflow or action)",
            ["description"] = "Generated from the registered step types by 'flowengine schema'; do not edit by hand.",
            ["type"] = "object",
            ["required"] = Array(["kind", "id", "version", "steps"]),
            ["additionalProperties"] = false,
            ["properties"] = new JsonObject
            {
                ["$schema"] = Type("string"),
                ["kind"] = new JsonObject { ["enum"] = Array(["flow", "subflow", "action"]), ["description"] = "flow (has triggers), subflow or action (callable, typed inputs and outputs)." },
                ["id"] = new JsonObject { ["type"] = "string", ["pattern"] = "^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$", ["description"] = "Dotted id, e.g. pagerduty.list_users." },
                ["name"] = Type("string"),
                ["description"] = Type("string"),
                ["version"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["description"] = "Bump it when the content changes." },
                ["inputs"] = Parameters(),
                ["outputs"] = Parameters(),
                ["triggers"] = new JsonObject { ["type"] = "array", ["items"] = Ref("trigger") },
                ["steps"] = Ref("steps"),
            },
            ["$defs"] = defs,
        };

        return schema.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
    }

    private static JsonObject Step(StepTypeDescriptor type)
    {
        var properties = new JsonObject
        {
            ["id"] = new JsonObject { ["type"] = "string", ["pattern"] = "^[a-z_][a-z0-9_]*$" },
            ["name"] = Type("string"),
            ["description"] = Type("string"),
            ["layout"] = Ref("layout"),
        };

        if (type.Primary is not null)
        {
            foreach (var property in type.Properties)
            {
                properties[property.Name] = Property(property);
            }

            return new JsonObject
            {
                ["title"] = type.Title,
                ["description"] = type.Description,
                ["type"] = "object",
                ["required"] = Array(type.Properties.Where(p => p.Required).Select(p => p.Name).Prepend(type.Primary).Distinct()),
                ["properties"] = properties,
                ["additionalProperties"] = false,
            };
        }

        var inner = new JsonObject();
        foreach (var property in type.Properties)
        {
            inner[property.Name] = Property(property);
        }

        properties[type.Keyword] = new JsonObject
        {
            ["type"] = "object",
            ["description"] = type.Description,
            ["required"] = Array(type.Properties.Where(p => p.Required).Select(p => p.Name)),
            ["properties"] = inner,
            ["additionalProperties"] = false,
        };

        return new JsonObject
        {
            ["title"] = type.Title,
            ["description"] = type.Description,
            ["type"] = "object",
            ["required"] = Array([type.Keyword]),
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
    }

    private static JsonObject Property(StepPropertySpec property) => property.Kind switch
    {
        PropertyKind.Steps => new JsonObject { ["$ref"] = "#/$defs/steps", ["description"] = property.Description },
        PropertyKind.Branches => new JsonObject
        {
            ["description"] = property.Description,
            ["type"] = "array",
            ["items"] = new JsonObject
            {
                ["type"] = "object",
                ["required"] = Array(["if", "then"]),
                ["properties"] = new JsonObject { ["if"] = new JsonObject(), ["then"] = Ref("steps") },
                ["additionalProperties"] = false,
            },
        },
        PropertyKind.Name when property.AllowedNames is { } allowed => new JsonObject { ["enum"] = Array(allowed), ["description"] = property.Description },
        PropertyKind.Name => new JsonObject { ["type"] = "string", ["description"] = property.Description },
        _ => new JsonObject { ["description"] = property.Description + (property.ExpectedType is { } t ? $" ({t}, or a pill giving one)" : "") },
    };

    private static JsonObject Parameters() => new() { ["type"] = "object", ["additionalProperties"] = Ref("parameter") };

    private static JsonObject Parameter() => new()
    {
        ["anyOf"] = Array(
        [
            Ref("type_name"),
            new JsonObject
            {
                ["type"] = "object",
                ["required"] = Array(["type"]),
                ["properties"] = new JsonObject
                {
                    ["type"] = Ref("type_name"),
                    ["required"] = Type("boolean"),
                    ["default"] = new JsonObject(),
                    ["description"] = Type("string"),
                    ["label"] = Type("string"),
                    ["items"] = Ref("parameter"),
                    ["properties"] = Parameters(),
                },
                ["additionalProperties"] = false,
            },
        ]),
    };

    private static JsonObject Trigger() => new()
    {
        ["type"] = "object",
        ["minProperties"] = 1,
        ["maxProperties"] = 1,
        ["properties"] = new JsonObject
        {
            ["manual"] = new JsonObject { ["type"] = Array(["object", "null"]) },
            ["schedule"] = new JsonObject { ["type"] = "object", ["required"] = Array(["cron"]), ["properties"] = new JsonObject { ["cron"] = Type("string"), ["time_zone"] = Type("string") } },
            ["http"] = new JsonObject { ["type"] = "object", ["required"] = Array(["path"]), ["properties"] = new JsonObject { ["path"] = Type("string"), ["method"] = Type("string") } },
        },
        ["additionalProperties"] = false,
    };

    private static JsonObject Type(string name) => new() { ["type"] = name };

    private static JsonObject Ref(string name) => new() { ["$ref"] = $"#/$defs/{name}" };

    private static JsonArray Array(IEnumerable<string> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)).ToArray());

    private static JsonArray Array(IEnumerable<JsonNode> values) => new(values.ToArray());
}
