namespace FlowEngine.Integration.Connections;

/// <summary>
/// What an admin enters for an alias or a child alias: the connection (URL override, attribute values, endpoint
/// settings) and the credential (type and secret fields), plus the OAuth tokens the engine keeps up to date.
/// Secret fields are plain here and encrypted by the store.
/// </summary>
public sealed record ConnectionRecord
{
    /// <summary>The alias this connection is for (a spoke alias or a child alias).</summary>
    public required string AliasId { get; init; }

    /// <summary>For a child alias: its parent alias, whose settings it inherits.</summary>
    public string? ParentAliasId { get; init; }

    /// <summary>Display name.</summary>
    public string? Name { get; init; }

    /// <summary>A URL that replaces the alias's URL template (e.g. a simulator, or a proxy).</summary>
    public string? Url { get; init; }

    /// <summary>Connection attribute values, by name.</summary>
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = new Dictionary<string, string>();

    /// <summary><c>api_token</c>, <c>basic</c>, <c>oauth2_authorization_code</c> or <c>oauth2_client_credentials</c>.</summary>
    public string? CredentialType { get; init; }

    /// <summary>Non-secret credential settings that override the alias template (token_url, authorize_url, scopes, client_id, user, header, format).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Secret credential fields (token, password, client_secret). Encrypted at rest; never shown.</summary>
    public IReadOnlyDictionary<string, string> Secrets { get; init; } = new Dictionary<string, string>();

    /// <summary>The current OAuth access token.</summary>
    public string? AccessToken { get; init; }

    /// <summary>The current OAuth refresh token (rotated on every refresh).</summary>
    public string? RefreshToken { get; init; }

    /// <summary>When the access token expires.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Scopes the vendor actually granted.</summary>
    public string? GrantedScopes { get; init; }

    /// <summary>A copy safe to show: every secret and token replaced by a mask.</summary>
    public ConnectionRecord Masked() => this with
    {
        Secrets = Secrets.ToDictionary(s => s.Key, _ => Expressions.SecretValue.Mask),
        AccessToken = AccessToken is null ? null : Expressions.SecretValue.Mask,
        RefreshToken = RefreshToken is null ? null : Expressions.SecretValue.Mask,
    };
}

/// <summary>Where connections and credentials live. Implementations encrypt secrets at rest.</summary>
public interface IConnectionStore
{
    /// <summary>The connection for an alias, or null.</summary>
    Task<ConnectionRecord?> GetAsync(string aliasId, CancellationToken cancellationToken);

    /// <summary>Creates or replaces the connection for an alias.</summary>
    Task SaveAsync(ConnectionRecord connection, CancellationToken cancellationToken);

    /// <summary>Every connection.</summary>
    Task<IReadOnlyList<ConnectionRecord>> ListAsync(CancellationToken cancellationToken);
}

/// <summary>Connections in memory, for tests.</summary>
public sealed class InMemoryConnectionStore : IConnectionStore
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ConnectionRecord> _records = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public Task<ConnectionRecord?> GetAsync(string aliasId, CancellationToken cancellationToken) => Task.FromResult(_records.GetValueOrDefault(aliasId));

    /// <inheritdoc />
    public Task SaveAsync(ConnectionRecord connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _records[connection.AliasId] = connection;
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task<IReadOnlyList<ConnectionRecord>> ListAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<ConnectionRecord>>(_records.Values.OrderBy(r => r.AliasId, StringComparer.Ordinal).ToList());
}
