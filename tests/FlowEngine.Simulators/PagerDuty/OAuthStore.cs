using System.Security.Cryptography;

namespace FlowEngine.Simulators.PagerDuty;

/// <summary>Authorization codes, access tokens and refresh tokens of the simulated identity service, timed by a <see cref="TimeProvider"/>.</summary>
internal sealed class OAuthStore(TimeProvider time, PagerDutySeed seed)
{
    public static readonly TimeSpan CodeLifetime = TimeSpan.FromSeconds(30);
    private const string TokenAlphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private readonly Lock _lock = new();
    private readonly Dictionary<string, AuthorizationCode> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, AccessGrant> _accessTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RefreshGrant> _refreshTokens = new(StringComparer.Ordinal);
    private readonly List<string> _issuedRefreshTokens = [];
    private readonly Dictionary<string, int> _tokenRequests = new(StringComparer.Ordinal);

    public DateTimeOffset Now => time.GetUtcNow();

    public string IssueCode(string redirectUri, IReadOnlyList<string> scopes, string? codeChallenge)
    {
        var code = RandomNumberGenerator.GetString(TokenAlphabet, 24);
        lock (_lock)
        {
            _codes[code] = new AuthorizationCode(redirectUri, scopes, codeChallenge, Now + CodeLifetime);
        }

        return code;
    }

    /// <summary>Takes a code out of the store (codes are single-use); null when unknown, used or expired.</summary>
    public AuthorizationCode? RedeemCode(string code)
    {
        lock (_lock)
        {
            if (!_codes.Remove(code, out var grant))
            {
                return null;
            }

            return grant.ExpiresAt > Now ? grant : null;
        }
    }

    /// <summary>Issues an access token, and a refresh token when <paramref name="withRefresh"/> is set.</summary>
    public IssuedTokens Issue(IReadOnlyList<string> scopes, bool withRefresh)
    {
        var access = "pdus+_0_" + RandomNumberGenerator.GetString(TokenAlphabet, 40);
        var refresh = withRefresh ? "pdus+_1_" + RandomNumberGenerator.GetString(TokenAlphabet, 40) : null;
        lock (_lock)
        {
            _accessTokens[access] = new AccessGrant(scopes, Now.AddSeconds(seed.AccessTokenLifetimeSeconds));
            if (refresh is not null)
            {
                _refreshTokens[refresh] = new RefreshGrant(scopes, Now.AddSeconds(seed.RefreshTokenLifetimeSeconds));
                _issuedRefreshTokens.Add(refresh);
            }
        }

        return new IssuedTokens(access, refresh, scopes, seed.AccessTokenLifetimeSeconds);
    }

    /// <summary>Consumes a refresh token (rotation: it never works twice); null when unknown, used, revoked or expired.</summary>
    public RefreshGrant? RedeemRefreshToken(string refreshToken)
    {
        lock (_lock)
        {
            if (!_refreshTokens.Remove(refreshToken, out var grant))
            {
                return null;
            }

            return grant.ExpiresAt > Now ? grant : null;
        }
    }

    /// <summary>The scopes of a live access token; null when unknown, revoked or expired.</summary>
    public IReadOnlyList<string>? ValidateAccessToken(string accessToken)
    {
        lock (_lock)
        {
            return _accessTokens.TryGetValue(accessToken, out var grant) && grant.ExpiresAt > Now ? grant.Scopes : null;
        }
    }

    public void RevokeAll()
    {
        lock (_lock)
        {
            _codes.Clear();
            _accessTokens.Clear();
            _refreshTokens.Clear();
        }
    }

    public void CountTokenRequest(string grantType)
    {
        lock (_lock)
        {
            _tokenRequests[grantType] = _tokenRequests.GetValueOrDefault(grantType) + 1;
        }
    }

    public IReadOnlyDictionary<string, int> TokenRequests
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, int>(_tokenRequests, StringComparer.Ordinal);
            }
        }
    }

    public IReadOnlyList<string> IssuedRefreshTokens
    {
        get
        {
            lock (_lock)
            {
                return [.. _issuedRefreshTokens];
            }
        }
    }
}

internal sealed record AuthorizationCode(string RedirectUri, IReadOnlyList<string> Scopes, string? CodeChallenge, DateTimeOffset ExpiresAt);

internal sealed record AccessGrant(IReadOnlyList<string> Scopes, DateTimeOffset ExpiresAt);

internal sealed record RefreshGrant(IReadOnlyList<string> Scopes, DateTimeOffset ExpiresAt);

internal sealed record IssuedTokens(string AccessToken, string? RefreshToken, IReadOnlyList<string> Scopes, int ExpiresIn);
