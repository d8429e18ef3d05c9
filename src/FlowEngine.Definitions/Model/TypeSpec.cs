namespace FlowEngine.Definitions.Model;

/// <summary>
/// A declared type: <c>string</c>, <c>integer</c>, <c>number</c>, <c>boolean</c>, <c>datetime</c>, <c>secret</c>,
/// <c>object</c> (with optional properties), <c>array</c> (with optional item type) or <c>any</c>.
/// </summary>
public sealed record TypeSpec(string Name, TypeSpec? Items = null, IReadOnlyDictionary<string, ParameterSpec>? Properties = null)
{
    /// <summary>Every type name the format knows.</summary>
    public static readonly IReadOnlyList<string> Names = ["string", "integer", "number", "boolean", "datetime", "object", "array", "secret", "any"];

    /// <summary>A type nothing is known about; checks that need a type skip it.</summary>
    public static readonly TypeSpec Any = new("any");

    /// <summary>Common scalar types.</summary>
    public static readonly TypeSpec String = new("string"), Integer = new("integer"), Number = new("number"),
        Boolean = new("boolean"), DateTime = new("datetime"), Secret = new("secret"), Object = new("object"), Array = new("array");

    /// <summary>True for <c>any</c>.</summary>
    public bool IsAny => Name == "any";

    /// <summary>
    /// Whether a value of type <paramref name="source"/> may go where this type is expected. Numbers widen,
    /// texts parse into dates and secrets; a secret never flows into a plain text.
    /// </summary>
    public bool Accepts(TypeSpec source)
    {
        if (IsAny || source.IsAny)
        {
            return true;
        }

        return (Name, source.Name) switch
        {
            var (a, b) when a == b => Name != "array" || Items is null || source.Items is null || Items.Accepts(source.Items),
            ("number", "integer") => true,
            ("string", "integer" or "number" or "boolean" or "datetime") => true,
            ("datetime" or "secret" or "integer" or "number" or "boolean", "string") => true,
            _ => false,
        };
    }

    /// <summary>The type of a member, when known.</summary>
    public TypeSpec Member(string name) =>
        Name == "object" && Properties is not null && Properties.TryGetValue(name, out var p) ? p.Type : Any;

    /// <inheritdoc />
    public override string ToString() => Name == "array" && Items is not null ? $"array of {Items}" : Name;
}

/// <summary>A typed input or output of a definition, or a property of an object type.</summary>
public sealed record ParameterSpec(string Name, TypeSpec Type, SourceSpan Span)
{
    /// <summary>Whether a caller must give it (inputs only).</summary>
    public bool Required { get; init; }

    /// <summary>The value used when a caller gives none.</summary>
    public object? Default { get; init; }

    /// <summary>What it is for, shown in the designer's toolbox.</summary>
    public string? Description { get; init; }

    /// <summary>Label shown to admins.</summary>
    public string? Label { get; init; }
}
