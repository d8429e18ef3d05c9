using System.Text.Json;
using System.Text.Json.Nodes;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.StepTypes;
using FlowEngine.Definitions.Validation;

namespace FlowEngine.Server.Elsa;

/// <summary>Where a step (or an else-if branch) is drawn, and as what.</summary>
public sealed record FlowchartNode(string ActivityId, string NodeId, string TypeName, string Name);

/// <summary>
/// Draws a definition as the studio's flowchart: every step is an activity, consecutive steps are joined
/// <c>Done → In</c>, a block of child steps (then, else, do, try, on_error) hangs off the port named after it, and
/// each <c>else_if</c> branch is an "Else if" activity chained from the If's "Else if" port. Positions come from each
/// step's <c>layout</c>; steps without one are laid out in rows.
/// </summary>
public sealed class FlowchartMapper(ActivityCatalog catalog)
{
    /// <summary>The root's id.</summary>
    public const string RootId = "flowchart1";

    /// <summary>The root's node id; an activity's node id is this plus <c>:</c> and its id.</summary>
    public const string RootNodeId = "Workflow1:" + RootId;

    /// <summary>Marks an activity whose step had no id in the file, so saving does not write the generated one.</summary>
    public const string GeneratedIdProperty = "generatedId";

    private const double ColumnWidth = 260, RowHeight = 120;

    /// <summary>The catalog the types come from.</summary>
    public ActivityCatalog Catalog { get; } = catalog;

    /// <summary>The flowchart of a definition.</summary>
    public JsonObject Root(Definition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var session = new Session(this);
        session.Layout(definition.Steps, 0, 0);
        var activities = new JsonArray();
        var connections = new JsonArray();
        session.Chain(definition.Steps, activities, connections);
        return new JsonObject
        {
            ["type"] = ActivityCatalog.FlowchartTypeName,
            ["version"] = 1,
            ["id"] = RootId,
            ["nodeId"] = RootNodeId,
            ["name"] = "Flowchart1",
            ["customProperties"] = new JsonObject(),
            ["metadata"] = new JsonObject(),
            ["activities"] = activities,
            ["connections"] = connections,
        };
    }

    /// <summary>Every step's node, by step id (for the instance viewer).</summary>
    public IReadOnlyDictionary<string, FlowchartNode> Nodes(Definition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var nodes = new Dictionary<string, FlowchartNode>(StringComparer.Ordinal);
        foreach (var step in definition.AllSteps())
        {
            var (type, _) = TypeOf(step);
            nodes[step.Id] = new FlowchartNode(step.Id, NodeId(step.Id), type.TypeName, step.Id);
        }

        return nodes;
    }

    /// <summary>A node id from an activity id.</summary>
    public static string NodeId(string activityId) => $"{RootNodeId}:{activityId}";

    /// <summary>The workflow-level inputs or outputs.</summary>
    public static IReadOnlyList<ArgumentDefinition> Arguments(IReadOnlyList<ParameterSpec> parameters, bool inputs) =>
        parameters.Select(p =>
        {
            var (type, isArray) = ElsaTypes.ToElsa(p.Type);
            return new ArgumentDefinition
            {
                Type = type,
                IsArray = isArray,
                Name = p.Name,
                DisplayName = p.Label ?? p.Name,
                Description = p.Description?.Trim() ?? "",
                UiHint = inputs ? "singleline" : null,
            };
        }).ToList();

    /// <summary>
    /// The activity type of a step: a call to a known action or subflow with its inputs given one by one becomes that
    /// callee's type; any other call (a data-stream call with a do block among them) stays the generic Call type.
    /// </summary>
    public (ActivityType Type, Definition? Callee) TypeOf(StepDefinition step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.Type == BuiltInStepTypes.Call.Keyword && !step.Properties.ContainsKey("do") && !step.Properties.ContainsKey("as"))
        {
            var (target, _) = DefinitionValidator.ParseTarget(step);
            if (Catalog.ForCallee(target) is { Callee: { } callee } calleeType)
            {
                var with = step.Properties.GetValueOrDefault("with");
                var names = callee.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
                if (with is null || (with is ValueProperty { Value: MapValue map } && map.Entries.All(e => names.Contains(e.Key))))
                {
                    return (calleeType, callee);
                }
            }
        }

        return (Catalog.ForStep(step.Type) ?? throw new InvalidOperationException($"step type '{step.Type}' has no activity type"), null);
    }

    /// <summary>The text the studio shows for a value in an input of a class.</summary>
    public static string Encode(JsonNode? value, ValueClass valueClass, bool compact)
    {
        if (value is JsonValue v && v.GetValueKind() == JsonValueKind.String)
        {
            var text = v.GetValue<string>();
            // A text that would read back as JSON (a number, true, a quoted string) is shown as a JSON string.
            return valueClass == ValueClass.Json && ElsaJson.TryParse(text, out _) ? JsonSerializer.Serialize(text, ElsaJson.Options) : text;
        }

        if (value is null)
        {
            return "null";
        }

        return value is JsonValue || compact ? value.ToJsonString(ElsaJson.Options) : value.ToJsonString(ElsaJson.Indented);
    }

    private sealed class Session(FlowchartMapper mapper)
    {
        private readonly Dictionary<string, (double X, double Y)> _positions = new(StringComparer.Ordinal);

        /// <summary>Places steps without a layout in rows: a chain left to right, each block on a row below its step.</summary>
        public (double MaxX, double MaxY) Layout(IReadOnlyList<StepDefinition> chain, double x, double y)
        {
            var maxY = y;
            var maxX = x;
            foreach (var step in chain)
            {
                _positions[step.Id] = step.Position ?? (x, y);
                var right = x;
                foreach (var (property, kind) in Blocks(step))
                {
                    if (kind == PropertyKind.Branches && step.Properties[property] is BranchesProperty branches)
                    {
                        for (var i = 0; i < branches.Branches.Count; i++)
                        {
                            var rowY = maxY + RowHeight;
                            _positions[ElseIfId(step, i)] = (x + 40, rowY);
                            var (bx, by) = Layout(branches.Branches[i].Steps, x + 40 + ColumnWidth, rowY);
                            right = Math.Max(right, bx);
                            maxY = Math.Max(rowY, by);
                        }
                    }
                    else if (step.Properties[property] is StepsProperty block && block.Steps.Count > 0)
                    {
                        var rowY = maxY + RowHeight;
                        var (bx, by) = Layout(block.Steps, x + 40, rowY);
                        right = Math.Max(right, bx);
                        maxY = Math.Max(rowY, by);
                    }
                }

                maxX = Math.Max(maxX, right);
                x = Math.Max(x + ColumnWidth, right + ColumnWidth);
            }

            return (maxX, maxY);
        }

        /// <summary>Adds a chain's activities and connections; returns the first activity's id.</summary>
        public string? Chain(IReadOnlyList<StepDefinition> chain, JsonArray activities, JsonArray connections)
        {
            string? previous = null, first = null;
            foreach (var step in chain)
            {
                var (type, callee) = mapper.TypeOf(step);
                activities.Add(Activity(step, type, callee));
                first ??= step.Id;
                if (previous is not null)
                {
                    connections.Add(Connection(previous, "Done", step.Id));
                }

                foreach (var port in type.Ports.Where(p => p.Property is not null))
                {
                    switch (step.Properties.GetValueOrDefault(port.Property!))
                    {
                        case StepsProperty block when Chain(block.Steps, activities, connections) is { } head:
                            connections.Add(Connection(step.Id, port.Name, head));
                            break;
                        case BranchesProperty branches:
                            var from = step.Id;
                            for (var i = 0; i < branches.Branches.Count; i++)
                            {
                                var id = ElseIfId(step, i);
                                activities.Add(ElseIf(id, branches.Branches[i]));
                                connections.Add(Connection(from, port.Name, id));
                                if (Chain(branches.Branches[i].Steps, activities, connections) is { } branchHead)
                                {
                                    connections.Add(Connection(id, "Then", branchHead));
                                }

                                from = id;
                            }

                            break;
                    }
                }

                previous = step.Id;
            }

            return first;
        }

        private static IEnumerable<(string Property, PropertyKind Kind)> Blocks(StepDefinition step) =>
            step.Properties.Where(p => p.Value is StepsProperty or BranchesProperty)
                .Select(p => (p.Key, p.Value is BranchesProperty ? PropertyKind.Branches : PropertyKind.Steps));

        private static string ElseIfId(StepDefinition step, int index) => $"{step.Id}_else_if_{index + 1}";

        private JsonObject ElseIf(string id, Branch branch)
        {
            var type = mapper.Catalog.ElseIfType;
            var activity = Base(id, id, type.TypeName, _positions.GetValueOrDefault(id), null, null, new JsonObject());
            activity[type.Inputs[0].Key] = Wrapped(type.Inputs[0], ElsaJson.FromValue(branch.Condition));
            return activity;
        }

        private JsonObject Activity(StepDefinition step, ActivityType type, Definition? callee)
        {
            var custom = new JsonObject();
            if (step.GeneratedId)
            {
                custom[GeneratedIdProperty] = true;
            }

            var activity = Base(step.Id, step.Id, type.TypeName, _positions.GetValueOrDefault(step.Id), step.Name, step.Description, custom);
            var with = step.Value("with") as MapValue;
            foreach (var input in type.Inputs)
            {
                JsonNode? value;
                var present = true;
                switch (input.Target)
                {
                    case InputTarget.CallInput:
                        var entry = with?.Entries.FirstOrDefault(e => e.Key == input.Source);
                        present = entry?.Value is not null;
                        value = present ? ElsaJson.FromValue(entry!.Value.Value) : null;
                        break;
                    case InputTarget.CallVersion:
                        value = step.Value("version") is { } version ? ElsaJson.FromValue(version)
                            : callee is not null && DefinitionValidator.ParseTarget(step).Version is { } pinned ? JsonValue.Create((long)pinned) : null;
                        present = value is not null;
                        break;
                    case InputTarget.CallConnections:
                        present = step.Value("connections") is not null;
                        value = present ? ElsaJson.FromValue(step.Value("connections")!) : null;
                        break;
                    default:
                        switch (step.Properties.GetValueOrDefault(input.Source))
                        {
                            case ValueProperty v:
                                value = ElsaJson.FromValue(v.Value);
                                break;
                            case NameProperty n:
                                value = JsonValue.Create(n.Name);
                                break;
                            default:
                                present = false;
                                value = null;
                                break;
                        }

                        break;
                }

                if (present)
                {
                    activity[input.Key] = Wrapped(input, value);
                }
            }

            return activity;
        }

        private static JsonObject Wrapped(ActivityInput input, JsonNode? value) => new()
        {
            ["typeName"] = input.TypeName,
            ["expression"] = new JsonObject
            {
                ["type"] = "Literal",
                ["value"] = Encode(value, input.Class, compact: input.UiHint != "json-editor" && input.UiHint != "multiline"),
            },
        };

        private static JsonObject Base(string id, string name, string typeName, (double X, double Y) position, string? label, string? description, JsonObject custom)
        {
            var metadata = new JsonObject
            {
                ["designer"] = new JsonObject { ["position"] = new JsonObject { ["x"] = position.X, ["y"] = position.Y } },
            };
            if (label is not null)
            {
                metadata["displayText"] = label;
            }

            if (description is not null)
            {
                metadata["description"] = description;
            }

            return new JsonObject
            {
                ["id"] = id,
                ["nodeId"] = NodeId(id),
                ["name"] = name,
                ["type"] = typeName,
                ["version"] = 1,
                ["customProperties"] = custom,
                ["metadata"] = metadata,
            };
        }

        private static JsonObject Connection(string source, string port, string target) => new()
        {
            ["source"] = new JsonObject { ["activity"] = source, ["port"] = port },
            ["target"] = new JsonObject { ["activity"] = target, ["port"] = "In" },
            ["vertices"] = new JsonArray(),
        };
    }
}
