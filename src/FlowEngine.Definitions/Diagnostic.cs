namespace FlowEngine.Definitions;

/// <summary>How bad a diagnostic is.</summary>
public enum Severity
{
    /// <summary>The definition cannot be used.</summary>
    Error,

    /// <summary>The definition works but something looks wrong.</summary>
    Warning,
}

/// <summary>
/// One problem found while reading or validating a definition, with where it is (file, 1-based line and column,
/// step id when inside a step) and a stable code. The CLI, the server and the designer all show these.
/// </summary>
public sealed record Diagnostic(
    string Code,
    Severity Severity,
    string File,
    int Line,
    int Column,
    string? StepId,
    string Message)
{
    /// <inheritdoc />
    public override string ToString()
    {
        var step = StepId is null ? "" : $" [step '{StepId}']";
        var severity = Severity == Severity.Error ? "error" : "warning";
        return $"{File}:{Line}:{Column}: {severity} {Code}{step}: {Message}";
    }
}

/// <summary>A position in a source file (1-based).</summary>
public readonly record struct SourceSpan(string File, int Line, int Column)
{
    /// <summary>A position for values that were not read from a file.</summary>
    public static SourceSpan None(string file) => new(file, 0, 0);

    /// <summary>The position of a character <paramref name="offset"/> inside a scalar that starts here.</summary>
    /// <remarks>Exact for single-line scalars; for quoted scalars it skips the opening quote.</remarks>
    public SourceSpan Shift(int offset, bool quoted) => this with { Column = Column + offset + (quoted ? 1 : 0) };
}

/// <summary>Stable diagnostic codes. Numbers never change meaning; new problems get new numbers.</summary>
public static class Codes
{
    public const string Syntax = "FE0001";
    public const string TooLarge = "FE0002";
    public const string AliasNotSupported = "FE0003";
    public const string UnknownKey = "FE1001";
    public const string WrongType = "FE1002";
    public const string MissingKey = "FE1003";
    public const string DuplicateStepId = "FE1004";
    public const string UnknownStepType = "FE1005";
    public const string InvalidValue = "FE1006";
    public const string DuplicateKey = "FE1007";
    public const string ExpressionSyntax = "FE2001";
    public const string UnknownReference = "FE2002";
    public const string TypeMismatch = "FE2003";
    public const string UnknownDefinition = "FE3001";
    public const string UnknownVersion = "FE3002";
    public const string MissingInput = "FE3003";
    public const string UnknownInput = "FE3004";
    public const string CallCycle = "FE3005";
    public const string DuplicateDefinition = "FE3006";
    public const string VersionConflict = "FE4001";
}
