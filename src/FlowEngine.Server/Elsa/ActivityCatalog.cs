using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.StepTypes;

namespace FlowEngine.Server.Elsa;

/// <summary>Where an activity input goes in our step.</summary>
public enum InputTarget
{
    /// <summary>A property of the step type.</summary>
    Property,

    /// <summary>One input of the callee, under <c>with:</c>.</summary>
    CallInput,

    /// <summary>The pinned version of a call.</summary>
    CallVersion,

    /// <summary>The alias overrides of a call.</summary>
    CallConnections,
}

/// <summary>How an input's text in the studio reads back into a value.</summary>
public enum ValueClass
{
    /// <summary>Always a text (pills allowed).</summary>
    Text,

    /// <summary>A number or a boolean when it reads as one, else a text (a pill).</summary>
    Scalar,

    /// <summary>JSON when it parses, else a text (a pill); a text that would parse as JSON is shown quoted.</summary>
    Json,

    /// <summary>A plain name, never a template.</summary>
    Name,
}

/// <summary>One input of an activity type: the studio's name and editor, and where the value goes in our step.</summary>
public sealed record ActivityInput(string Name, InputTarget Target, string Source, ValueClass Class, string TypeName, string DisplayName, string? Description, string UiHint)
{
    /// <summary>The activity property the studio stores the value under.</summary>
    public string Key => ElsaNames.Camel(Name);

    /// <summary>Allowed values (a dropdown).</summary>
    public IReadOnlyList<string>? Options { get; init; }

    /// <summary>The default the studio shows (not written back by it).</summary>
    public object? DefaultValue { get; init; }

    /// <summary>Shown masked.</summary>
    public bool IsSensitive { get; init; }

    /// <summary>Position in the editor.</summary>
    public int Order { get; init; }
}

/// <summary>An out-port: <c>Done</c> (the next step) or a block of child steps.</summary>
public sealed record ActivityPort(string Name, string DisplayName, string? Property, bool IsBranches = false);

/// <summary>An output the activity type declares.</summary>
public sealed record ActivityOutput(string Name, string TypeName, string DisplayName, string? Description);

/// <summary>One activity type of the studio: one of our step types, a callable action or subflow, or an else-if branch.</summary>
public sealed record ActivityType
{
    /// <summary>The studio's type name (a key, with version 1).</summary>
    public required string TypeName { get; init; }

    /// <summary>Namespace part.</summary>
    public required string Namespace { get; init; }

    /// <summary>Short name; the studio names new activities after it (<c>list_users1</c>).</summary>
    public required string Name { get; init; }

    /// <summary>Toolbox group.</summary>
    public required string Category { get; init; }

    /// <summary>Shown in the toolbox and under the node's name.</summary>
    public required string DisplayName { get; init; }

    /// <summary>What it does.</summary>
    public string? Description { get; init; }

    /// <summary>The step type it writes (<c>call</c> for actions and subflows); null for an else-if branch.</summary>
    public StepTypeDescriptor? Step { get; init; }

    /// <summary>The action or subflow it calls.</summary>
    public Definition? Callee { get; init; }

    /// <summary>An <c>else_if</c> branch of an <c>if</c> step (not a step itself).</summary>
    public bool IsElseIf { get; init; }

    /// <summary>Inputs.</summary>
    public IReadOnlyList<ActivityInput> Inputs { get; init; } = [];

    /// <summary>Out-ports, <c>Done</c> last (none for an else-if branch).</summary>
    public IReadOnlyList<ActivityPort> Ports { get; init; } = [];

    /// <summary>Outputs (a callee's declared outputs).</summary>
    public IReadOnlyList<ActivityOutput> Outputs { get; init; } = [];

    /// <summary>Finds an input by the studio's property name.</summary>
    public ActivityInput? InputByKey(string key) => Inputs.FirstOrDefault(i => i.Key == key);
}

/// <summary>
/// The studio's activity types: each of our step types, each callable action and subflow (a <c>call</c> step with its
/// inputs as separate fields) and the else-if branch, grouped by category (flow logic, the spokes, license management).
/// </summary>
public sealed class ActivityCatalog
{
    /// <summary>The type name of our step types' namespace.</summary>
    public const string StepNamespace = "FlowEngine";

    /// <summary>The else-if branch type.</summary>
    public const string ElseIfTypeName = StepNamespace + ".else_if";

    /// <summary>The flowchart root's type.</summary>
    public const string FlowchartTypeName = "Elsa.Flowchart";

    private readonly Dictionary<string, ActivityType> _byTypeName = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActivityType> _byStep = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ActivityType> _byCallee = new(StringComparer.Ordinal);

    /// <summary>Builds the catalog from the step types and the callable definitions (latest usable version of each).</summary>
    /// <param name="steps">The registered step types.</param>
    /// <param name="callables">Actions and subflows, one version each.</param>
    /// <param name="categoryOf">The toolbox group of an action or subflow.</param>
    public ActivityCatalog(StepTypeCatalog steps, IEnumerable<Definition> callables, Func<Definition, string> categoryOf)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(callables);
        ArgumentNullException.ThrowIfNull(categoryOf);
        foreach (var step in steps.Types.OrderBy(t => t.Keyword, StringComparer.Ordinal))
        {
            var type = FromStep(step);
            _byTypeName[type.TypeName] = type;
            _byStep[step.Keyword] = type;
        }

        var elseIf = ElseIf();
        _byTypeName[elseIf.TypeName] = elseIf;
        foreach (var callee in callables.Where(c => c.Kind is DefinitionKind.Action or DefinitionKind.Subflow).OrderBy(c => c.Id, StringComparer.Ordinal))
        {
            var type = FromCallee(callee, categoryOf(callee));
            _byTypeName[type.TypeName] = type;
            _byCallee[callee.Id] = type;
        }
    }

    /// <summary>Every type, step types first.</summary>
    public IEnumerable<ActivityType> Types => _byTypeName.Values;

    /// <summary>A type by the studio's type name.</summary>
    public ActivityType? Find(string typeName) => _byTypeName.GetValueOrDefault(typeName);

    /// <summary>The type of one of our step types.</summary>
    public ActivityType? ForStep(string keyword) => _byStep.GetValueOrDefault(keyword);

    /// <summary>The type that calls an action or subflow.</summary>
    public ActivityType? ForCallee(string id) => _byCallee.GetValueOrDefault(id);

    /// <summary>The else-if branch type.</summary>
    public ActivityType ElseIfType => _byTypeName[ElseIfTypeName];

    private static ActivityType FromStep(StepTypeDescriptor step)
    {
        var inputs = new List<ActivityInput>();
        var ports = new List<ActivityPort>();
        var order = 0;
        foreach (var property in step.Properties)
        {
            switch (property.Kind)
            {
                case PropertyKind.Steps:
                    ports.Add(new ActivityPort(ElsaNames.Pascal(property.Name), ElsaNames.Humanize(property.Name), property.Name));
                    break;
                case PropertyKind.Branches:
                    ports.Add(new ActivityPort(ElsaNames.Pascal(property.Name), ElsaNames.Humanize(property.Name), property.Name, IsBranches: true));
                    break;
                default:
                    inputs.Add(Input(property, order++));
                    break;
            }
        }

        ports.Add(new ActivityPort("Done", "Done", null));
        return new ActivityType
        {
            TypeName = $"{StepNamespace}.{step.Keyword}",
            Namespace = StepNamespace,
            Name = step.Keyword,
            Category = step.Category,
            DisplayName = step.Title,
            Description = step.Description,
            Step = step,
            Inputs = inputs,
            Ports = ports,
        };
    }

    private static ActivityInput Input(StepPropertySpec property, int order)
    {
        var description = property.Required ? property.Description : property.Description + " (optional)";
        if (property.Kind == PropertyKind.Name)
        {
            return new ActivityInput(InputKey(property.Name), InputTarget.Property, property.Name, ValueClass.Name, "string",
                ElsaNames.Humanize(property.Name), description, property.AllowedNames is null ? "singleline" : "dropdown")
            {
                Options = property.AllowedNames,
                DefaultValue = property.DefaultName,
                Order = order,
            };
        }

        var (valueClass, uiHint) = Editor(property.ExpectedType);
        if (property.Name == "if")
        {
            uiHint = "singleline";
        }

        return new ActivityInput(InputKey(property.Name), InputTarget.Property, property.Name, valueClass,
            TypeName(property.ExpectedType), ElsaNames.Humanize(property.Name), description, uiHint) { Order = order };
    }

    // Every studio activity has a "version" of its own (the activity type's), so the call's version needs another key.
    private static string InputKey(string property) => property == "version" ? "CalleeVersion" : ElsaNames.Pascal(property);

    /// <summary>How a value of a type is edited: scalars on one line, objects in the JSON editor, anything else on several lines.</summary>
    private static (ValueClass Class, string UiHint) Editor(TypeSpec? type) => type?.Name switch
    {
        "string" or "datetime" or "secret" => (ValueClass.Text, "singleline"),
        "integer" or "number" or "boolean" => (ValueClass.Scalar, "singleline"),
        "object" => (ValueClass.Json, "json-editor"),
        "array" => (ValueClass.Json, "singleline"),
        _ => (ValueClass.Json, "multiline"),
    };

    private static string TypeName(TypeSpec? type) => type is null ? "any" : type.Name == "array" ? $"array of {type.Items?.Name ?? "any"}" : type.Name;

    private static ActivityType ElseIf() => new()
    {
        TypeName = ElseIfTypeName,
        Namespace = StepNamespace,
        Name = "else_if",
        Category = "Flow logic",
        DisplayName = "Else if",
        Description = "A further condition of an If step, tried in order when the ones before it do not hold. Connect it from the If's (or the previous Else if's) 'Else if' port.",
        IsElseIf = true,
        Inputs = [new ActivityInput("If", InputTarget.Property, "if", ValueClass.Json, "any", "If", "The condition.", "singleline")],
        Ports = [new ActivityPort("Then", "Then", "then"), new ActivityPort("ElseIf", "Else if", "else_if", IsBranches: true)],
    };

    private static ActivityType FromCallee(Definition callee, string category)
    {
        var inputs = new List<ActivityInput>();
        var order = 0;
        foreach (var input in callee.Inputs)
        {
            var (valueClass, uiHint) = Editor(input.Type);
            var description = input.Description ?? "";
            description = input.Required ? (description.Length == 0 ? "Required." : description + " (required)") : description;
            inputs.Add(new ActivityInput(ElsaNames.Pascal(input.Name), InputTarget.CallInput, input.Name, valueClass, TypeName(input.Type),
                input.Label ?? ElsaNames.Humanize(input.Name), description, uiHint)
            {
                DefaultValue = input.Default is null or string or long or double or bool ? input.Default : ElsaJson.FromPlain(input.Default)?.ToJsonString(),
                IsSensitive = input.Type.Name == "secret",
                Order = order++,
            });
        }

        var names = inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        inputs.Add(new ActivityInput(Unique("CallVersion", names), InputTarget.CallVersion, "version", ValueClass.Scalar, "integer",
            "Pinned version", "Run this version of the callee instead of its latest published one (optional).", "singleline") { Order = order++ });
        inputs.Add(new ActivityInput(Unique("CallConnections", names), InputTarget.CallConnections, "connections", ValueClass.Json, "object",
            "Alias overrides", "Aliases for the callee and everything it runs: { parent_alias: child_alias } (optional).", "json-editor") { Order = order });
        var dot = callee.Id.LastIndexOf('.');
        return new ActivityType
        {
            TypeName = callee.Id,
            Namespace = callee.Id[..dot],
            Name = callee.Id[(dot + 1)..],
            Category = category,
            DisplayName = callee.Name,
            Description = callee.Description?.Trim(),
            Step = BuiltInStepTypes.Call,
            Callee = callee,
            Inputs = inputs,
            Ports = [new ActivityPort("Done", "Done", null)],
            Outputs = callee.Outputs.Select(o => new ActivityOutput(ElsaNames.Pascal(o.Name), TypeName(o.Type), o.Label ?? ElsaNames.Humanize(o.Name), o.Description)).ToList(),
        };
    }

    private static string Unique(string name, HashSet<string> taken)
    {
        while (!taken.Add(name))
        {
            name += "_";
        }

        return name;
    }
}
