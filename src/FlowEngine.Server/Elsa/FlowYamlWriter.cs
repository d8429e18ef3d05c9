using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace FlowEngine.Server.Elsa;

/// <summary>
/// Writes a definition document (the keys of our format) as YAML in the style of the shipped files: block
/// mappings and lists, plain scalars where they read back as the same text, double quotes elsewhere.
/// </summary>
public static partial class FlowYamlWriter
{
    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "true", "false", "null", "yes", "no", "on", "off", "~" };

    /// <summary>The YAML text of a document.</summary>
    /// <param name="document">The definition, as keys and values of our format.</param>
    /// <param name="schemaPath">The schema path for editors, written as the first comment line (null: none).</param>
    public static string Write(JsonObject document, string? schemaPath = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        var builder = new StringBuilder();
        if (schemaPath is not null)
        {
            builder.Append("# yaml-language-server: $schema=").Append(schemaPath).Append('\n');
        }

        Mapping(builder, document, 0);
        return builder.ToString();
    }

    private static void Mapping(StringBuilder builder, JsonObject mapping, int indent, bool firstInline = false)
    {
        var first = true;
        foreach (var (key, value) in mapping)
        {
            if (!(first && firstInline))
            {
                builder.Append(' ', indent);
            }

            first = false;
            builder.Append(Scalar(key)).Append(':');
            Value(builder, value, indent);
        }
    }

    private static void Value(StringBuilder builder, JsonNode? value, int indent)
    {
        switch (value)
        {
            case JsonObject { Count: 0 }:
                builder.Append(" {}\n");
                break;
            case JsonArray { Count: 0 }:
                builder.Append(" []\n");
                break;
            case JsonObject o when Inline(o) is { } flow:
                builder.Append(' ').Append(flow).Append('\n');
                break;
            case JsonObject o:
                builder.Append('\n');
                Mapping(builder, o, indent + 2);
                break;
            case JsonArray a:
                builder.Append('\n');
                Sequence(builder, a, indent + 2);
                break;
            default:
                builder.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    // A small mapping of scalars reads best on one line, as the shipped files write types and layouts: { x: 10, y: 20 }.
    private static string? Inline(JsonObject mapping)
    {
        if (mapping.Count > 3 || mapping.Any(e => e.Value is JsonObject or JsonArray))
        {
            return null;
        }

        var flow = "{ " + string.Join(", ", mapping.Select(e => $"{Scalar(e.Key)}: {Scalar(e.Value)}")) + " }";
        return flow.Length <= 60 ? flow : null;
    }

    private static void Sequence(StringBuilder builder, JsonArray sequence, int indent)
    {
        foreach (var item in sequence)
        {
            builder.Append(' ', indent).Append('-');
            switch (item)
            {
                case JsonObject { Count: > 0 } o:
                    builder.Append(' ');
                    Mapping(builder, o, indent + 2, firstInline: true);
                    break;
                case JsonArray { Count: > 0 } a:
                    builder.Append('\n');
                    Sequence(builder, a, indent + 2);
                    break;
                default:
                    Value(builder, item, indent);
                    break;
            }
        }
    }

    private static string Scalar(JsonNode? value)
    {
        if (value is null)
        {
            return "null";
        }

        switch (value.GetValueKind())
        {
            case JsonValueKind.String:
                return Scalar(value.GetValue<string>());
            case JsonValueKind.True:
                return "true";
            case JsonValueKind.False:
                return "false";
            case JsonValueKind.Number:
                var text = value.ToJsonString();
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
                {
                    return whole.ToString(CultureInfo.InvariantCulture);
                }

                var number = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture);
                return number.Contains('.', StringComparison.Ordinal) || number.Contains('E', StringComparison.Ordinal) ? number : number + ".0";
            default:
                return "null";
        }
    }

    private static string Scalar(string text) =>
        PlainPattern().IsMatch(text) && !Reserved.Contains(text) ? text : JsonSerializer.Serialize(text, ElsaJson.Options);

    // Plain only when YAML reads it back as this very text: starts with a letter, '_' or '/', no indicators inside.
    [GeneratedRegex(@"^[A-Za-z_/][A-Za-z0-9_./@()+-]*( [A-Za-z0-9_./@()+-]+)*$")]
    private static partial Regex PlainPattern();
}
