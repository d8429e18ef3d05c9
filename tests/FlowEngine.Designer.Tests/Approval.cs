using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FlowEngine.Server.Elsa;
using FlowEngine.Tests.Shared;

namespace FlowEngine.Designer.Tests;

/// <summary>
/// Pins the studio-facing JSON: compares a value with <c>Approved/&lt;name&gt;.json</c> after scrubbing times and ids.
/// A missing file is written (and the test fails, to be reviewed); <c>FLOWENGINE_APPROVE=1</c> rewrites them.
/// </summary>
internal static partial class Approval
{
    private static readonly HashSet<string> TimeKeys = new(StringComparer.Ordinal)
    {
        "createdAt", "updatedAt", "finishedAt", "timestamp", "startedAt", "completedAt",
    };

    public static string Folder => Path.Combine(TestPaths.RepositoryRoot, "tests", "FlowEngine.Designer.Tests", "Approved");

    public static void Verify(string name, JsonNode? value)
    {
        var text = Scrub(value).ToJsonString(ElsaJson.Indented) + "\n";
        var path = Path.Combine(Folder, name + ".json");
        if (!File.Exists(path) || Environment.GetEnvironmentVariable("FLOWENGINE_APPROVE") == "1")
        {
            var missing = !File.Exists(path);
            Directory.CreateDirectory(Folder);
            File.WriteAllText(path, text);
            Assert.False(missing, $"{path} was missing and has been written from this run: review it, then run again");
            return;
        }

        var approved = File.ReadAllText(path).Replace("\r\n", "\n", StringComparison.Ordinal);
        var received = Path.Combine(Folder, name + ".received.json");
        if (approved != text)
        {
            File.WriteAllText(received, text);
        }
        else
        {
            File.Delete(received);
        }

        Assert.Equal(approved, text);
    }

    public static void Verify(string name, string json) => Verify(name, JsonNode.Parse(json));

    private static JsonNode Scrub(JsonNode? node)
    {
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        return Walk(node, null) ?? JsonValue.Create("null")!;

        JsonNode? Walk(JsonNode? value, string? key)
        {
            switch (value)
            {
                case JsonObject o:
                    return new JsonObject(o.Select(e => KeyValuePair.Create(e.Key, Walk(e.Value, e.Key))));
                case JsonArray a:
                    return new JsonArray(a.Select(v => Walk(v, null)).ToArray());
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    var text = v.GetValue<string>();
                    if ((key is not null && TimeKeys.Contains(key)) || ClockPattern().IsMatch(text))
                    {
                        return JsonValue.Create("<time>");
                    }

                    text = TempPattern().Replace(text, "<temp>/");
                    return JsonValue.Create(GuidPattern().Replace(text, m =>
                    {
                        if (!ids.TryGetValue(m.Value, out var id))
                        {
                            ids[m.Value] = id = $"<id{ids.Count + 1}>";
                        }

                        return id;
                    }));
                default:
                    return value?.DeepClone();
            }
        }
    }

    // A time read from the clock (fractional seconds), as opposed to a date written in a flow.
    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d)$")]
    private static partial Regex ClockPattern();

    [GeneratedRegex(@"[^""]*flowengine-tests/[0-9a-f]{32}/")]
    private static partial Regex TempPattern();

    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex GuidPattern();
}
