using System.Text;
using System.Text.Json;
using FlowEngine.Definitions;
using FlowEngine.Definitions.Reading;
using YamlDotNet.Serialization;

namespace FlowEngine.Server.Endpoints;

/// <summary>
/// A stored definition's source in the other format: YAML as JSON, JSON as YAML. Both read through the same tree
/// (JSON is YAML), so the converted text reads back to the same definition; YAML comments are not carried over.
/// </summary>
internal static class DefinitionSource
{
    private static readonly ISerializer Yaml = new SerializerBuilder().WithQuotingNecessaryStrings().DisableAliases().Build();

    /// <summary>True when the file name says JSON.</summary>
    public static bool IsJsonPath(string path) => path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when a request body is JSON: by its content type, else by its first character.</summary>
    public static bool IsJsonBody(string? contentType, string text) =>
        contentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true
        || (contentType?.Contains("yaml", StringComparison.OrdinalIgnoreCase) != true && text.TrimStart().StartsWith('{'));

    /// <summary>The source as JSON.</summary>
    public static string ToJson(string file, string text)
    {
        var root = Read(file, text);
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, root);
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    /// <summary>The source as YAML.</summary>
    public static string ToYaml(string file, string text) => Yaml.Serialize(Plain(Read(file, text)));

    private static SourceNode Read(string file, string text)
    {
        var diagnostics = new List<Diagnostic>();
        return SourceTreeReader.Read(file, text, diagnostics)
            ?? throw new ArgumentException($"the stored source of {file} does not read: {string.Join("; ", diagnostics)}");
    }

    private static void Write(Utf8JsonWriter writer, SourceNode node)
    {
        switch (node.Kind)
        {
            case NodeKind.Mapping:
                writer.WriteStartObject();
                foreach (var (key, value) in node.Entries)
                {
                    writer.WritePropertyName(key.Text ?? "");
                    Write(writer, value);
                }

                writer.WriteEndObject();
                break;
            case NodeKind.Sequence:
                writer.WriteStartArray();
                foreach (var item in node.Items)
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            default:
                Expressions.Values.WriteJson(writer, node.ScalarValue());
                break;
        }
    }

    private static object? Plain(SourceNode node) => node.Kind switch
    {
        NodeKind.Mapping => node.Entries.Aggregate(new Dictionary<string, object?>(StringComparer.Ordinal), (map, e) =>
        {
            map[e.Key.Text ?? ""] = Plain(e.Value);
            return map;
        }),
        NodeKind.Sequence => node.Items.Select(Plain).ToList(),
        _ => node.ScalarValue(),
    };
}
