namespace FlowEngine.Expressions;

/// <summary>
/// A value of type <c>secret</c>. It prints, serialises and interpolates as a mask unless a step
/// that is allowed to see it asks for <see cref="Reveal"/> explicitly.
/// </summary>
public sealed class SecretValue(string value, string? display = null) : IEquatable<SecretValue>
{
    /// <summary>What a secret looks like everywhere it is shown.</summary>
    public const string Mask = "********";

    private readonly string _value = value;

    /// <summary>How it is shown: the mask, or for text that interpolates a secret, the text with the secret masked.</summary>
    public string Display { get; } = display ?? Mask;

    /// <summary>The plain text, for the code that must send it (a credential header, a call input).</summary>
    public string Reveal() => _value;

    /// <inheritdoc />
    public override string ToString() => Display;

    /// <inheritdoc />
    public bool Equals(SecretValue? other) => other is not null && string.Equals(_value, other._value, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as SecretValue);

    /// <inheritdoc />
    public override int GetHashCode() => _value.GetHashCode(StringComparison.Ordinal);
}
