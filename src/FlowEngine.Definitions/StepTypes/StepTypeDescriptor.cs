using FlowEngine.Definitions.Model;

namespace FlowEngine.Definitions.StepTypes;

/// <summary>How a step property is written.</summary>
public enum PropertyKind
{
    /// <summary>A value that may hold pills; mappings and lists are evaluated deeply.</summary>
    Value,

    /// <summary>A plain name, never a template (a loop variable, a call target, a variable path).</summary>
    Name,

    /// <summary>A list of child steps.</summary>
    Steps,

    /// <summary>A list of <c>{ if, then }</c> branches.</summary>
    Branches,
}

/// <summary>One property a step type accepts.</summary>
/// <param name="Name">The key in the file.</param>
/// <param name="Kind">How it is written.</param>
/// <param name="Description">Shown in the schema and the designer.</param>
public sealed record StepPropertySpec(string Name, PropertyKind Kind, string Description)
{
    /// <summary>Whether the step is invalid without it.</summary>
    public bool Required { get; init; }

    /// <summary>The type the value must have, when the validator can tell.</summary>
    public TypeSpec? ExpectedType { get; init; }

    /// <summary>For a <see cref="PropertyKind.Value"/> mapping: its keys name variables the step writes.</summary>
    public bool KeysDefineVariables { get; init; }

    /// <summary>For a <see cref="PropertyKind.Name"/>: the name is a variable path (<c>vars.x</c>) the step writes.</summary>
    public bool DefinesVariable { get; init; }

    /// <summary>Allowed values of a name, when closed.</summary>
    public IReadOnlyList<string>? AllowedNames { get; init; }

    /// <summary>Default for a name property.</summary>
    public string? DefaultName { get; init; }
}

/// <summary>A name a step makes visible inside one of its blocks (a loop variable, the caught error).</summary>
/// <param name="Block">The block property the name is visible in.</param>
/// <param name="Name">A fixed name, e.g. <c>error</c>.</param>
/// <param name="FromProperty">Or: the name is the value of this name property (e.g. <c>as</c>).</param>
public sealed record BlockLocal(string Block, string? Name = null, string? FromProperty = null);

/// <summary>
/// Describes a step type: its keyword, its properties and the names it defines. The reader, the validator, the
/// JSON Schema and the designer's toolbox are all driven by these, so a new step type is one registration.
/// </summary>
public sealed record StepTypeDescriptor
{
    /// <summary>The key that marks a step of this type, e.g. <c>for_each</c>.</summary>
    public required string Keyword { get; init; }

    /// <summary>A short title.</summary>
    public required string Title { get; init; }

    /// <summary>What the step does.</summary>
    public required string Description { get; init; }

    /// <summary>Toolbox group.</summary>
    public string Category { get; init; } = "Flow logic";

    /// <summary>
    /// When set, the keyword's value is this property and the others are siblings of the keyword
    /// (<c>for_each: "{{ x }}"</c> with <c>as:</c> and <c>do:</c> beside it). When null, the keyword's value is a
    /// mapping holding the properties (<c>append: { to, value }</c>).
    /// </summary>
    public string? Primary { get; init; }

    /// <summary>The properties, primary first.</summary>
    public required IReadOnlyList<StepPropertySpec> Properties { get; init; }

    /// <summary>Names the step itself provides to its own values and blocks (e.g. <c>connection</c> for vendor steps).</summary>
    public IReadOnlyList<string> StepLocals { get; init; } = [];

    /// <summary>Names visible inside blocks.</summary>
    public IReadOnlyList<BlockLocal> Locals { get; init; } = [];

    /// <summary>Type of the step's result (<c>steps.&lt;id&gt;</c>), when known.</summary>
    public TypeSpec Result { get; init; } = TypeSpec.Any;

    /// <summary>True for a step that runs steps of another definition (a call).</summary>
    public bool RunsDefinitions { get; init; }

    /// <summary>True when the step runs other steps (blocks or a call), so its record is written when it starts too.</summary>
    public bool HoldsSteps => RunsDefinitions || Properties.Any(p => p.Kind is PropertyKind.Steps or PropertyKind.Branches);

    /// <summary>Looks up a property spec.</summary>
    public StepPropertySpec? Property(string name) => Properties.FirstOrDefault(p => p.Name == name);
}
