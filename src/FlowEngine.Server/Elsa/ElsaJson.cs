using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using FlowEngine.Definitions.Model;

namespace FlowEngine.Server.Elsa;

/// <summary>
/// The JSON the studio reads: camelCase, enums as strings, nulls written (the studio's client expects the keys).
/// </summary>
public static class ElsaJson
{
    /// <summary>Serializer options for every <c>/elsa/api</c> response.</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: false);

    /// <summary>The same, indented (approved files).</summary>
    public static JsonSerializerOptions Indented { get; } = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web)
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DictionaryKeyPolicy = null,
            WriteIndented = indented,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>A JSON value from a plain .NET value as the engine uses them (dictionaries, lists, long, double, …).</summary>
    public static JsonNode? FromPlain(object? value) => value switch
    {
        null => null,
        JsonNode node => node.DeepClone(),
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create((long)i),
        long l => JsonValue.Create(l),
        double d => JsonValue.Create(d),
        float f => JsonValue.Create((double)f),
        decimal m => JsonValue.Create(m),
        DateTimeOffset t => JsonValue.Create(t.ToString("O", CultureInfo.InvariantCulture)),
        IReadOnlyDictionary<string, object?> map => new JsonObject(map.Select(e => KeyValuePair.Create(e.Key, FromPlain(e.Value)))),
        IDictionary<string, object?> map => new JsonObject(map.Select(e => KeyValuePair.Create(e.Key, FromPlain(e.Value)))),
        System.Collections.IEnumerable list => new JsonArray(list.Cast<object?>().Select(FromPlain).ToArray()),
        _ => JsonValue.Create(value.ToString()),
    };

    /// <summary>A definition value as JSON: a template stays the text it was written as, pills included.</summary>
    public static JsonNode? FromValue(ValueNode value) => value switch
    {
        ScalarValue { Template: { } template } => JsonValue.Create(template.Source),
        ScalarValue scalar => FromPlain(scalar.Constant),
        MapValue map => new JsonObject(map.Entries.Select(e => KeyValuePair.Create(e.Key, FromValue(e.Value)))),
        ListValue list => new JsonArray(list.Items.Select(FromValue).ToArray()),
        _ => null,
    };

    /// <summary>A JSON number as long when it is whole, else double; other values unchanged.</summary>
    public static JsonNode? Normalise(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject o:
                return new JsonObject(o.Select(e => KeyValuePair.Create(e.Key, Normalise(e.Value))));
            case JsonArray a:
                return new JsonArray(a.Select(Normalise).ToArray());
            default:
                var element = node.GetValueKind();
                if (element == JsonValueKind.Number)
                {
                    var text = node.ToJsonString();
                    if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
                    {
                        return JsonValue.Create(l);
                    }

                    return JsonValue.Create(double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture));
                }

                return node.DeepClone();
        }
    }

    /// <summary>Parses JSON text, or returns false.</summary>
    public static bool TryParse(string text, out JsonNode? node)
    {
        node = null;
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return false;
        }

        try
        {
            node = Normalise(JsonNode.Parse(trimmed));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    /// <summary>A string value of a node, or null when it is not a string.</summary>
    public static string? Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    /// <summary>A scalar node as text: strings as they are, numbers and booleans as JSON.</summary>
    public static string? ScalarText(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => null,
        _ => node.ToJsonString(),
    };
}

/// <summary>Names between our snake_case and the studio's Pascal/camel case.</summary>
public static class ElsaNames
{
    /// <summary><c>integration_profile</c> → <c>IntegrationProfile</c>.</summary>
    public static string Pascal(string name)
    {
        var builder = new StringBuilder(name.Length);
        var upper = true;
        foreach (var c in name)
        {
            if (c is '_' or '.' or '-' or ' ')
            {
                upper = true;
                continue;
            }

            builder.Append(upper ? char.ToUpperInvariant(c) : c);
            upper = false;
        }

        return builder.ToString();
    }

    /// <summary>The activity property the studio uses for a descriptor name (Humanizer's Camelize of a Pascal name).</summary>
    public static string Camel(string pascal) => pascal.Length == 0 ? pascal : char.ToLowerInvariant(pascal[0]) + pascal[1..];

    /// <summary><c>index_as</c> → <c>Index as</c>.</summary>
    public static string Humanize(string name)
    {
        var words = name.Replace('_', ' ').Trim();
        return words.Length == 0 ? name : char.ToUpperInvariant(words[0]) + words[1..];
    }

    /// <summary><c>Workflow 1</c> → <c>workflow_1</c>: a step or definition name segment.</summary>
    public static string Snake(string text)
    {
        var builder = new StringBuilder();
        char previous = ' ';
        foreach (var c in text.Trim())
        {
            if (char.IsUpper(c) && builder.Length > 0 && (char.IsLower(previous) || char.IsDigit(previous)))
            {
                builder.Append('_');
            }

            if (char.IsLetterOrDigit(c) && c < 128)
            {
                builder.Append(char.ToLowerInvariant(c));
            }
            else if (builder.Length > 0 && builder[^1] != '_')
            {
                builder.Append('_');
            }

            previous = c;
        }

        var result = builder.ToString().Trim('_');
        return result.Length == 0 || !char.IsLetter(result[0]) ? "w_" + result : result;
    }
}

/// <summary>Our types as the studio shows them: the type name, with arrays as <c>isArray</c>.</summary>
public static class ElsaTypes
{
    /// <summary>Type names offered by the studio's type pickers (inputs, outputs).</summary>
    public static readonly IReadOnlyList<string> Names = ["string", "integer", "number", "boolean", "datetime", "object", "secret", "any"];

    /// <summary>The studio's (type, isArray) for one of ours.</summary>
    public static (string Type, bool IsArray) ToElsa(TypeSpec type) =>
        type.Name == "array" ? (type.Items?.Name ?? "any", true) : (type.Name, false);

    /// <summary>One of ours from the studio's (type, isArray); null when the name is unknown.</summary>
    public static TypeSpec? FromElsa(string? type, bool isArray)
    {
        var name = string.IsNullOrWhiteSpace(type) ? "any" : type.Trim().ToLowerInvariant();
        name = name switch
        {
            "int32" or "int64" or "int" or "long" => "integer",
            "double" or "decimal" or "single" or "float" => "number",
            "datetimeoffset" => "datetime",
            "bool" => "boolean",
            "jsonelement" or "expandoobject" => "object",
            _ => name,
        };
        if (!TypeSpec.Names.Contains(name))
        {
            return null;
        }

        if (!isArray)
        {
            return new TypeSpec(name);
        }

        return name is "any" ? TypeSpec.Array : new TypeSpec("array", new TypeSpec(name));
    }

    /// <summary>Whether two types read the same in the studio (so a stored type with more detail can be kept).</summary>
    public static bool SameInStudio(TypeSpec a, TypeSpec b) => ToElsa(a) == ToElsa(b);
}
