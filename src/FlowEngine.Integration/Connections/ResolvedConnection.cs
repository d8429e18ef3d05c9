using FlowEngine.Integration.Spokes;

namespace FlowEngine.Integration.Connections;

/// <summary>An alias resolved for one step: which alias was configured and which was used, the URL, attributes and credential.</summary>
public sealed record ResolvedConnection
{
    /// <summary>The alias the step was designed with.</summary>
    public required string ConfiguredAlias { get; init; }

    /// <summary>The alias actually used after overrides (a child alias, for instance).</summary>
    public required string UsedAlias { get; init; }

    /// <summary>The alias definition (the parent's, for a child alias).</summary>
    public required AliasDefinition Definition { get; init; }

    /// <summary>The vendor's display name, for messages.</summary>
    public string Vendor => Definition.Name;

    /// <summary>Base URL, without a trailing slash.</summary>
    public required string BaseUrl { get; init; }

    /// <summary>Attribute values, typed, available to steps as <c>connection.&lt;name&gt;</c>.</summary>
    public required IReadOnlyDictionary<string, object?> Attributes { get; init; }

    /// <summary>The connection record holding the credential.</summary>
    public required ConnectionRecord Record { get; init; }

    /// <summary>The alias's limits: the spoke's, with the connection's <c>limits.*</c> settings over them.</summary>
    public AliasLimits Limits { get; init; } = AliasLimits.Default;

    /// <summary>When the step using the connection must be done: its execution's time limit (null: none). Waits for the alias's limits end before it.</summary>
    public DateTimeOffset? Deadline { get; init; }

    /// <summary>The credential type.</summary>
    public required string CredentialType { get; init; }

    /// <summary>A credential setting: the connection's own, else the alias template's (placeholders filled from attributes).</summary>
    public string? Setting(string name) => Record.Settings.TryGetValue(name, out var own) ? own
        : Definition.Credentials.TryGetValue(CredentialType, out var template) && template.TryGetValue(name, out var fromTemplate)
            ? AliasResolver.Fill(fromTemplate, Attributes)
            : null;
}
