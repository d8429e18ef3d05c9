namespace FlowEngine.Persistence;

/// <summary>A stored connection: plain settings as JSON, every secret and token in one encrypted blob.</summary>
public sealed class ConnectionEntity
{
    /// <summary>The alias (or child alias) id.</summary>
    public required string AliasId { get; set; }

    /// <summary>The parent alias of a child alias.</summary>
    public string? ParentAliasId { get; set; }

    /// <summary>Display name.</summary>
    public string? Name { get; set; }

    /// <summary>URL override.</summary>
    public string? Url { get; set; }

    /// <summary>Attribute values as JSON.</summary>
    public string AttributesJson { get; set; } = "{}";

    /// <summary>Credential type.</summary>
    public string? CredentialType { get; set; }

    /// <summary>Non-secret credential settings as JSON.</summary>
    public string SettingsJson { get; set; } = "{}";

    /// <summary>Secrets and tokens, encrypted with a key kept outside the database (ASP.NET Core Data Protection).</summary>
    public string? ProtectedSecrets { get; set; }

    /// <summary>When the access token expires.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Scopes granted.</summary>
    public string? GrantedScopes { get; set; }

    /// <summary>Last change.</summary>
    public DateTimeOffset UpdatedAt { get; set; }
}
