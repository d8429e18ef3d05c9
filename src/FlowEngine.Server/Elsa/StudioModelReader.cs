using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.StepTypes;

namespace FlowEngine.Server.Elsa;

/// <summary>
/// Turns what the studio saves back into a definition document in our format (the same keys as a YAML file). What
/// our format cannot say is refused with a message, never dropped: workflow variables, output bindings, expression
/// languages other than text with pills and JSON, steps that are not in one sequence (two starts, a step with two
/// predecessors, a port leading to two steps, a loop back), Elsa's activation/incident/commit strategies. What the
/// studio cannot show (kind, triggers, alias overrides, the detail of input and output types) is kept from the
/// version being edited.
/// </summary>
public sealed partial class StudioModelReader(ActivityCatalog catalog)
{
    /// <summary>The expression type of one pill expression without its braces.</summary>
    public const string PillSyntax = "Pill";

    private static readonly HashSet<string> ActivityKeys = new(StringComparer.Ordinal)
    {
        "id", "nodeId", "name", "type", "version", "customProperties", "metadata", "canStartWorkflow", "runAsynchronously", "source",
    };

    /// <summary>Reads a studio model; returns our document, or the reasons it cannot be one.</summary>
    /// <param name="model">The studio's <c>model</c> (a WorkflowDefinition).</param>
    /// <param name="current">The version being edited (null for a new definition).</param>
    /// <param name="definitionId">The definition's id.</param>
    /// <param name="version">The version number to write.</param>
    public (JsonObject? Document, IReadOnlyList<string> Errors) Read(JsonObject model, Definition? current, string definitionId, int version)
    {
        ArgumentNullException.ThrowIfNull(model);
        var errors = new List<string>();
        if (model["variables"] is JsonArray { Count: > 0 } variables)
        {
            errors.Add($"FlowEngine has no declared workflow variables ({string.Join(", ", variables.Select(v => v?["name"]?.ToString()))}): " +
                "a Set or Append step creates vars.<name> when it runs. Remove them from the Variables tab.");
        }

        if (model["outcomes"] is JsonArray { Count: > 0 })
        {
            errors.Add("FlowEngine definitions have no outcomes; remove them.");
        }

        Options(model["options"] as JsonObject, current, errors);
        foreach (var (key, value) in model["customProperties"] as JsonObject ?? [])
        {
            // Our own read-only facts come back as they were sent; anything else would be a setting we cannot keep.
            if (key is not ("kind" or "sourcePath") && value is not null && value.GetValueKind() != JsonValueKind.Null)
            {
                errors.Add($"FlowEngine keeps no workflow setting '{key}' (it has no Elsa log persistence or other strategies); set it back to its default.");
            }
        }

        var document = new JsonObject
        {
            ["kind"] = (current?.Kind ?? DefinitionKind.Flow).ToString().ToLowerInvariant(),
            ["id"] = definitionId,
            ["name"] = ElsaJson.Text(model["name"]) is { Length: > 0 } name ? name : current?.Name ?? definitionId,
        };
        if (ElsaJson.Text(model["description"]) is { Length: > 0 } description)
        {
            document["description"] = description;
        }

        document["version"] = version;
        var triggers = current is null ? [new Trigger("manual", new Dictionary<string, object?>(), default)] : current.Triggers;
        if (triggers.Count > 0)
        {
            document["triggers"] = new JsonArray(triggers.Select(t => (JsonNode?)new JsonObject { [t.Type] = ElsaJson.FromPlain(t.Settings) ?? new JsonObject() }).ToArray());
        }

        if (Parameters(model["inputs"], current?.Inputs ?? [], true, errors) is { Count: > 0 } inputs)
        {
            document["inputs"] = inputs;
        }

        if (Parameters(model["outputs"], current?.Outputs ?? [], false, errors) is { Count: > 0 } outputs)
        {
            document["outputs"] = outputs;
        }

        if (current is { Connections.Count: > 0 })
        {
            document["connections"] = new JsonObject(current.Connections.Select(c => KeyValuePair.Create(c.Key, (JsonNode?)c.Value)));
        }

        document["steps"] = Steps(model["root"] as JsonObject, errors);
        return errors.Count == 0 ? (document, errors) : (null, errors);
    }

    private static void Options(JsonObject? options, Definition? current, List<string> errors)
    {
        if (options is null)
        {
            return;
        }

        foreach (var (key, what) in new[]
        {
            ("activationStrategyType", "activation strategies"), ("incidentStrategyType", "incident strategies"),
            ("commitStrategyName", "commit strategies"), ("activityCategory", "activity categories"),
        })
        {
            if (ElsaJson.ScalarText(options[key]) is { Length: > 0 } value)
            {
                errors.Add($"FlowEngine has no {what} (the settings ask for '{value}'); leave it empty.");
            }
        }

        if (options["autoUpdateConsumingWorkflows"] is JsonValue auto && auto.GetValueKind() == JsonValueKind.True)
        {
            errors.Add("FlowEngine does not update callers automatically: a call without a version runs the callee's latest published version. Untick 'auto-update consuming workflows'.");
        }

        var kind = current?.Kind ?? DefinitionKind.Flow;
        if (options["usableAsActivity"] is JsonValue usable && (usable.GetValueKind() == JsonValueKind.True) != (kind != DefinitionKind.Flow))
        {
            errors.Add(kind == DefinitionKind.Flow
                ? "a flow cannot be called as an activity; subflows and actions always can. Untick 'usable as activity'."
                : $"a {kind.ToString().ToLowerInvariant()} can always be called as an activity. Tick 'usable as activity' again.");
        }
    }

    private static JsonObject Parameters(JsonNode? node, IReadOnlyList<ParameterSpec> current, bool inputs, List<string> errors)
    {
        var result = new JsonObject();
        if (node is not JsonArray list)
        {
            return result;
        }

        foreach (var item in list.OfType<JsonObject>())
        {
            var name = ElsaJson.Text(item["name"]) ?? "";
            var where = inputs ? "input" : "output";
            if (!NamePattern().IsMatch(name))
            {
                errors.Add($"{where} name '{name}' must be lower-case letters, digits and '_' (pills read it as {(inputs ? "inputs" : "outputs")}.{name})");
                continue;
            }

            var isArray = item["isArray"] is JsonValue a && a.GetValueKind() == JsonValueKind.True;
            var typeName = ElsaJson.Text(item["type"]);
            var type = ElsaTypes.FromElsa(typeName, isArray);
            if (type is null)
            {
                errors.Add($"{where} '{name}' has type '{typeName}'; FlowEngine's types are {string.Join(", ", ElsaTypes.Names)} (tick 'array' for a list)");
                continue;
            }

            var stored = current.FirstOrDefault(p => p.Name == name);
            var spec = stored is not null && ElsaTypes.SameInStudio(stored.Type, type) ? stored : new ParameterSpec(name, type, default) { Required = inputs };
            var label = ElsaJson.Text(item["displayName"]);
            var description = ElsaJson.Text(item["description"]);
            spec = spec with
            {
                Label = string.IsNullOrWhiteSpace(label) || label == name ? null : label,
                Description = string.IsNullOrWhiteSpace(description) ? null : description,
            };
            result[name] = ParameterDocument(spec, inputs);
        }

        return result;
    }

    /// <summary>A parameter as written in a file.</summary>
    public static JsonObject ParameterDocument(ParameterSpec spec, bool isInput)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var document = TypeDocument(spec.Type);
        if (spec.Default is null && spec.Required != isInput)
        {
            document["required"] = spec.Required;
        }

        if (spec.Default is not null)
        {
            document["default"] = ElsaJson.FromPlain(spec.Default);
        }

        if (spec.Description is not null)
        {
            document["description"] = spec.Description.Trim();
        }

        if (spec.Label is not null)
        {
            document["label"] = spec.Label;
        }

        return document;
    }

    private static JsonObject TypeDocument(TypeSpec type)
    {
        var document = new JsonObject { ["type"] = type.Name };
        if (type.Items is not null)
        {
            document["items"] = TypeDocument(type.Items);
        }

        if (type.Properties is { Count: > 0 } properties)
        {
            document["properties"] = new JsonObject(properties.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)ParameterDocument(p.Value, false))));
        }

        return document;
    }

    private sealed record Node(string Id, JsonObject Activity, ActivityType Type);

    private JsonArray Steps(JsonObject? root, List<string> errors)
    {
        if (root is null)
        {
            return [];
        }

        if (ElsaJson.Text(root["type"]) is { } rootType && rootType != ActivityCatalog.FlowchartTypeName)
        {
            errors.Add($"FlowEngine draws definitions as a flowchart; a '{rootType}' root cannot be saved.");
            return [];
        }

        var nodes = new Dictionary<string, Node>(StringComparer.Ordinal);
        foreach (var activity in (root["activities"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var id = ElsaJson.Text(activity["id"]) ?? "";
            var typeName = ElsaJson.Text(activity["type"]) ?? "";
            var label = ElsaJson.Text(activity["name"]) ?? id;
            if (catalog.Find(typeName) is not { } type)
            {
                errors.Add($"'{label}' is a '{typeName}', which is not a FlowEngine step, action or subflow.");
                continue;
            }

            if (!nodes.TryAdd(id, new Node(id, activity, type)))
            {
                errors.Add($"two activities have the id '{id}'.");
            }
        }

        var activityIds = (root["activities"] as JsonArray ?? []).OfType<JsonObject>().Select(a => ElsaJson.Text(a["id"])).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var outgoing = new Dictionary<(string, string), string>();
        var incoming = new Dictionary<string, (string Source, string Port)>(StringComparer.Ordinal);
        foreach (var connection in (root["connections"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var source = ElsaJson.Text(connection["source"]?["activity"]) ?? "";
            var port = ElsaJson.Text(connection["source"]?["port"]) ?? "Done";
            var target = ElsaJson.Text(connection["target"]?["activity"]) ?? "";
            if (!nodes.TryGetValue(source, out var from) || !nodes.TryGetValue(target, out var to))
            {
                // An activity that is on the canvas but did not read has its error above already.
                var missing = !nodes.ContainsKey(source) ? source : target;
                if (!activityIds.Contains(missing))
                {
                    errors.Add($"a connection from '{source}' to '{target}' names no activity '{missing}'; remove the connection or add the activity.");
                }

                continue;
            }

            if (from.Type.Ports.All(p => p.Name != port))
            {
                errors.Add($"'{Label(from)}' has no port '{port}'.");
                continue;
            }

            if (!outgoing.TryAdd((source, port), target))
            {
                errors.Add($"'{Label(from)}' → {port} leads to two steps ('{Label(nodes[outgoing[(source, port)]])}' and '{Label(to)}'): FlowEngine runs one step after another, so connect only one.");
                continue;
            }

            if (!incoming.TryAdd(target, (source, port)))
            {
                errors.Add($"'{Label(to)}' follows two steps ('{Label(nodes[incoming[target].Source])}' and '{Label(from)}'): a step follows exactly one other.");
                continue;
            }

            var toElseIf = to.Type.IsElseIf;
            var viaBranches = from.Type.Ports.First(p => p.Name == port).IsBranches;
            if (toElseIf != viaBranches)
            {
                errors.Add(toElseIf
                    ? $"the Else if '{Label(to)}' must hang off an If's (or an Else if's) 'Else if' port, not '{Label(from)}' → {port}."
                    : $"'{Label(from)}' → {port} must lead to an Else if, not to '{Label(to)}'.");
            }
        }

        var heads = nodes.Values.Where(n => !incoming.ContainsKey(n.Id)).ToList();
        foreach (var orphan in heads.Where(n => n.Type.IsElseIf))
        {
            errors.Add($"the Else if '{Label(orphan)}' is not connected to an If.");
        }

        heads.RemoveAll(n => n.Type.IsElseIf);
        if (heads.Count > 1)
        {
            errors.Add($"{string.Join(", ", heads.Select(h => $"'{Label(h)}'"))} each start the flow: FlowEngine runs steps in one sequence, so connect them one after another.");
        }

        if (errors.Count > 0)
        {
            return [];
        }

        var visited = new HashSet<string>(StringComparer.Ordinal);
        var steps = heads.Count == 0 ? [] : Chain(heads[0], nodes, outgoing, visited, errors);
        foreach (var unreached in nodes.Values.Where(n => !visited.Contains(n.Id)))
        {
            errors.Add($"'{Label(unreached)}' is on a loop of connections; FlowEngine repeats steps with a For each step, not with a connection back.");
            break;
        }

        return steps;
    }

    private static string Label(Node node) => ElsaJson.Text(node.Activity["name"]) ?? node.Id;

    private JsonArray Chain(Node head, Dictionary<string, Node> nodes, Dictionary<(string, string), string> outgoing, HashSet<string> visited, List<string> errors)
    {
        var chain = new JsonArray();
        for (Node? node = head; node is not null; node = outgoing.TryGetValue((node.Id, "Done"), out var next) ? nodes[next] : null)
        {
            if (!visited.Add(node.Id))
            {
                errors.Add($"'{Label(node)}' is on a loop of connections; FlowEngine repeats steps with a For each step, not with a connection back.");
                break;
            }

            chain.Add(Step(node, nodes, outgoing, visited, errors));
        }

        return chain;
    }

    private JsonObject Step(Node node, Dictionary<string, Node> nodes, Dictionary<(string, string), string> outgoing, HashSet<string> visited, List<string> errors)
    {
        var activity = node.Activity;
        var type = node.Type;
        var name = ElsaJson.Text(activity["name"]) ?? node.Id;
        var step = new JsonObject();
        var generated = activity["customProperties"]?[FlowchartMapper.GeneratedIdProperty] is JsonValue g && g.GetValueKind() == JsonValueKind.True && name == node.Id;
        if (!generated)
        {
            if (!StepIdPattern().IsMatch(name))
            {
                errors.Add($"the activity name '{name}' must be a step id: lower-case letters, digits and '_' (other steps read its outputs as steps.<name>).");
            }

            step["id"] = name;
        }

        if (activity["metadata"] is JsonObject metadata)
        {
            if (ElsaJson.Text(metadata["displayText"]) is { Length: > 0 } label && label != name)
            {
                step["name"] = label;
            }

            if (ElsaJson.Text(metadata["description"]) is { Length: > 0 } description)
            {
                step["description"] = description;
            }
        }

        CheckActivity(activity, type, name, errors);
        var values = new List<(ActivityInput Input, JsonNode? Value)>();
        foreach (var input in type.Inputs)
        {
            if (Value(activity[input.Key], input, name, errors) is { } value)
            {
                values.Add((input, value.Node));
            }
        }

        var body = new JsonObject();
        var stepType = type.Step!;
        if (type.Callee is { } callee)
        {
            body["call"] = callee.Id;
            if (values.FirstOrDefault(v => v.Input.Target == InputTarget.CallVersion) is { Input: not null } version)
            {
                body["version"] = version.Value;
            }

            var with = new JsonObject();
            foreach (var (input, value) in values.Where(v => v.Input.Target == InputTarget.CallInput))
            {
                with[input.Source] = value;
            }

            if (with.Count > 0)
            {
                body["with"] = with;
            }

            if (values.FirstOrDefault(v => v.Input.Target == InputTarget.CallConnections) is { Input: not null } connections)
            {
                body["connections"] = connections.Value;
            }
        }
        else
        {
            foreach (var (input, value) in values)
            {
                body[input.Source] = value;
            }
        }

        foreach (var port in type.Ports.Where(p => p.Property is not null))
        {
            if (!outgoing.TryGetValue((node.Id, port.Name), out var target))
            {
                continue;
            }

            if (port.IsBranches)
            {
                var branches = new JsonArray();
                for (var elseIf = nodes[target]; ;)
                {
                    visited.Add(elseIf.Id);
                    var condition = Value(elseIf.Activity[elseIf.Type.Inputs[0].Key], elseIf.Type.Inputs[0], Label(elseIf), errors);
                    if (condition is null)
                    {
                        errors.Add($"the Else if '{Label(elseIf)}' needs a condition.");
                    }

                    var then = outgoing.TryGetValue((elseIf.Id, "Then"), out var thenHead) ? Chain(nodes[thenHead], nodes, outgoing, visited, errors) : [];
                    branches.Add(new JsonObject { ["if"] = condition?.Node, ["then"] = then });
                    if (!outgoing.TryGetValue((elseIf.Id, "ElseIf"), out var next))
                    {
                        break;
                    }

                    elseIf = nodes[next];
                }

                body[port.Property!] = branches;
            }
            else
            {
                body[port.Property!] = Chain(nodes[target], nodes, outgoing, visited, errors);
            }
        }

        // A required block left unconnected is still written, empty, so the reader names what is missing.
        foreach (var required in stepType.Properties.Where(p => p.Required && p.Kind == PropertyKind.Steps && !body.ContainsKey(p.Name)))
        {
            body[required.Name] = new JsonArray();
        }

        if (stepType.Primary is { } primary)
        {
            step[stepType.Keyword] = body[primary]?.DeepClone();
            foreach (var (key, value) in body.Where(e => e.Key != primary).ToList())
            {
                step[key] = value?.DeepClone();
            }
        }
        else
        {
            step[stepType.Keyword] = body;
        }

        if (activity["metadata"]?["designer"]?["position"] is JsonObject position
            && position["x"] is JsonValue x && x.GetValueKind() == JsonValueKind.Number
            && position["y"] is JsonValue y && y.GetValueKind() == JsonValueKind.Number)
        {
            step["layout"] = new JsonObject
            {
                ["x"] = (long)Math.Round(x.GetValue<double>()),
                ["y"] = (long)Math.Round(y.GetValue<double>()),
            };
        }

        return step;
    }

    private static void CheckActivity(JsonObject activity, ActivityType type, string name, List<string> errors)
    {
        foreach (var (key, value) in activity)
        {
            if (ActivityKeys.Contains(key) || type.InputByKey(key) is not null || value is null)
            {
                continue;
            }

            if (value is JsonObject o && o["memoryReference"] is JsonObject)
            {
                errors.Add($"'{name}' binds its output '{key}' to a variable; FlowEngine has no output bindings: read it with a pill such as {{{{ steps.{name}.outputs.{key} }}}}.");
            }
            else if (value is JsonObject { } wrapped && wrapped["expression"] is JsonObject)
            {
                errors.Add($"'{name}' has a value for '{key}', which a {type.DisplayName} step does not have.");
            }
        }

        if (activity["customProperties"] is JsonObject custom)
        {
            if (ElsaJson.ScalarText(custom["commitStrategyName"]) is { Length: > 0 } commit)
            {
                errors.Add($"'{name}' asks for commit strategy '{commit}'; FlowEngine checkpoints after every top-level step by itself.");
            }

            if (custom["resilienceStrategy"] is { } resilience && resilience.GetValueKind() != JsonValueKind.Null)
            {
                errors.Add($"'{name}' has a resilience strategy; retries are set on the spoke's alias (retry) in FlowEngine.");
            }

            if (custom["runAsynchronously"] is JsonValue run && run.GetValueKind() == JsonValueKind.True)
            {
                errors.Add($"'{name}' is set to run asynchronously; FlowEngine runs steps in order (use a For each with parallelism for parallel work).");
            }
        }
    }

    private sealed record Decoded(JsonNode? Node);

    private static Decoded? Value(JsonNode? property, ActivityInput input, string name, List<string> errors)
    {
        if (property is null)
        {
            return null;
        }

        if (property is JsonObject wrapped)
        {
            if (wrapped["memoryReference"] is JsonObject reference && wrapped["expression"] is null)
            {
                errors.Add($"'{name}' reads '{input.DisplayName}' from variable '{reference["id"]}'; FlowEngine has no workflow variables: write a pill such as {{{{ vars.x }}}}.");
                return null;
            }

            if (wrapped["expression"] is not JsonObject expression)
            {
                return null;
            }

            var syntax = ElsaJson.Text(expression["type"]) ?? "Literal";
            var raw = expression["value"];
            switch (syntax)
            {
                case "Literal":
                    return Decode(ElsaJson.ScalarText(raw) ?? (raw is null ? null : raw.ToJsonString()), input, name, errors);
                case PillSyntax:
                    var pill = ElsaJson.ScalarText(raw)?.Trim();
                    if (string.IsNullOrEmpty(pill))
                    {
                        return null;
                    }

                    return Decode(pill.StartsWith("{{", StringComparison.Ordinal) ? pill : $"{{{{ {pill} }}}}", input, name, errors);
                case "Object" or "Json":
                    var json = ElsaJson.ScalarText(raw) ?? raw?.ToJsonString();
                    if (json is null || json.Trim().Length == 0)
                    {
                        return null;
                    }

                    if (!ElsaJson.TryParse(json, out var parsed))
                    {
                        errors.Add($"'{name}': '{input.DisplayName}' is not valid JSON.");
                        return null;
                    }

                    return new Decoded(parsed);
                default:
                    errors.Add($"'{name}': '{input.DisplayName}' is written in {syntax}; FlowEngine evaluates text with {{{{ pills }}}}, pill expressions and JSON only.");
                    return null;
            }
        }

        // An unwrapped value (the studio's raw form).
        return Decode(ElsaJson.ScalarText(property), input, name, errors);
    }

    private static Decoded? Decode(string? text, ActivityInput input, string name, List<string> errors)
    {
        if (text is null)
        {
            return null;
        }

        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return null;
        }

        switch (input.Class)
        {
            case ValueClass.Name:
                if (input.Options is { } options && !options.Contains(trimmed))
                {
                    errors.Add($"'{name}': '{input.DisplayName}' must be one of {string.Join(", ", options)}, not '{trimmed}'.");
                }

                return new Decoded(JsonValue.Create(trimmed));
            case ValueClass.Text:
                return new Decoded(JsonValue.Create(text));
            case ValueClass.Scalar:
                if (trimmed.Equals("true", StringComparison.OrdinalIgnoreCase) || trimmed.Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    return new Decoded(JsonValue.Create(trimmed.Equals("true", StringComparison.OrdinalIgnoreCase)));
                }

                if (IntegerPattern().IsMatch(trimmed) && long.TryParse(trimmed, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
                {
                    return new Decoded(JsonValue.Create(whole));
                }

                if (FloatPattern().IsMatch(trimmed) && double.TryParse(trimmed, NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                {
                    return new Decoded(JsonValue.Create(number));
                }

                return trimmed == "null" ? new Decoded(null) : new Decoded(JsonValue.Create(trimmed));
            default:
                return ElsaJson.TryParse(trimmed, out var json) ? new Decoded(json) : new Decoded(JsonValue.Create(text.TrimEnd('\n', '\r')));
        }
    }

    [GeneratedRegex(@"^[a-z_][a-z0-9_]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex(@"^[a-z_][a-z0-9_]*$")]
    private static partial Regex StepIdPattern();

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntegerPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
