using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using FlowEngine.Runtime.Execution;

namespace FlowEngine.Integration.Connections;

/// <summary>
/// Keeps OAuth 2.0 access tokens fresh: refreshes before expiry (from <c>expires_in</c>), one refresh at a time per
/// alias however many steps ask at once, stores the rotated refresh token every time, and gets client-credentials
/// tokens anew when they expire. Tokens never appear in messages.
/// </summary>
public sealed class TokenManager(IConnectionStore connections, HttpClient http, TimeProvider time)
{
    /// <summary>A token this close to expiry is refreshed before use.</summary>
    public static readonly TimeSpan Skew = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.Ordinal);

    /// <summary>How many token requests were made, for tests and diagnostics.</summary>
    public int TokenRequests => _tokenRequests;

    private int _tokenRequests;

    /// <summary>
    /// A valid access token for the connection. With <paramref name="rejected"/> (the vendor answered 401 to it),
    /// that token is not reused: it is refreshed unless another step already did.
    /// </summary>
    public async Task<string> GetAccessTokenAsync(ResolvedConnection connection, string? rejected, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var gate = _locks.GetOrAdd(connection.UsedAlias, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Read again inside the gate: another step may have refreshed while this one waited.
            var record = await connections.GetAsync(connection.UsedAlias, cancellationToken).ConfigureAwait(false) ?? connection.Record;
            if (record.AccessToken is { } current && current != rejected && record.ExpiresAt is { } expires && expires - Skew > time.GetUtcNow())
            {
                return current;
            }

            var form = connection.CredentialType switch
            {
                "oauth2_authorization_code" when record.RefreshToken is { } refresh => new Dictionary<string, string>
                {
                    ["grant_type"] = "refresh_token",
                    ["refresh_token"] = refresh,
                },
                "oauth2_authorization_code" => throw new StepFailedException(
                    $"{connection.Vendor}: alias '{connection.UsedAlias}' has no OAuth token yet; run 'flowengine aliases consent {connection.UsedAlias}' to give consent", code: "credential"),
                _ => new Dictionary<string, string>
                {
                    ["grant_type"] = "client_credentials",
                    ["scope"] = connection.Setting("scopes") ?? "",
                },
            };
            var granted = await RequestAsync(connection, form, cancellationToken).ConfigureAwait(false);
            var updated = record with
            {
                AccessToken = granted.AccessToken,
                RefreshToken = granted.RefreshToken ?? (form["grant_type"] == "refresh_token" ? null : record.RefreshToken),
                ExpiresAt = time.GetUtcNow().AddSeconds(granted.ExpiresIn),
                GrantedScopes = granted.Scope ?? record.GrantedScopes,
            };
            await connections.SaveAsync(updated, cancellationToken).ConfigureAwait(false);
            return granted.AccessToken;
        }
        finally
        {
            gate.Release();
        }
    }

    /// <summary>Exchanges an authorization code (with its PKCE verifier) for tokens and stores them.</summary>
    public async Task<ConnectionRecord> ExchangeCodeAsync(ResolvedConnection connection, string code, string redirectUri, string? verifier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var form = new Dictionary<string, string>
        {
            ["grant_type"] = "authorization_code",
            ["code"] = code,
            ["redirect_uri"] = redirectUri,
        };
        if (verifier is not null)
        {
            form["code_verifier"] = verifier;
        }

        var granted = await RequestAsync(connection, form, cancellationToken).ConfigureAwait(false);
        var updated = connection.Record with
        {
            AccessToken = granted.AccessToken,
            RefreshToken = granted.RefreshToken,
            ExpiresAt = time.GetUtcNow().AddSeconds(granted.ExpiresIn),
            GrantedScopes = granted.Scope,
        };
        await connections.SaveAsync(updated, cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <summary>A PKCE verifier and its S256 challenge.</summary>
    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    /// <summary>The consent URL the admin opens (authorization code grant, with PKCE when the template asks for it).</summary>
    public static string AuthorizeUrl(ResolvedConnection connection, string redirectUri, string state, string? challenge)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var url = connection.Setting("authorize_url") ?? throw new StepFailedException($"{connection.Vendor}: alias '{connection.UsedAlias}' has no authorize_url", code: "credential");
        var query = new Dictionary<string, string?>
        {
            ["client_id"] = connection.Setting("client_id"),
            ["redirect_uri"] = redirectUri,
            ["response_type"] = "code",
            ["scope"] = connection.Setting("scopes"),
            ["state"] = state,
        };
        if (challenge is not null)
        {
            query["code_challenge"] = challenge;
            query["code_challenge_method"] = "S256";
        }

        return url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") +
            string.Join("&", query.Where(q => q.Value is not null).Select(q => $"{Uri.EscapeDataString(q.Key)}={Uri.EscapeDataString(q.Value!)}"));
    }

    private sealed record Granted(string AccessToken, string? RefreshToken, double ExpiresIn, string? Scope);

    private async Task<Granted> RequestAsync(ResolvedConnection connection, Dictionary<string, string> form, CancellationToken cancellationToken)
    {
        var tokenUrl = connection.Setting("token_url") ?? throw new StepFailedException($"{connection.Vendor}: alias '{connection.UsedAlias}' has no token_url", code: "credential");
        form["client_id"] = connection.Setting("client_id") ?? throw new StepFailedException($"{connection.Vendor}: alias '{connection.UsedAlias}' has no client_id", code: "credential");
        if (connection.Record.Secrets.TryGetValue("client_secret", out var secret))
        {
            form["client_secret"] = secret;
        }

        Interlocked.Increment(ref _tokenRequests);
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenUrl) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new StepFailedException($"{connection.Vendor}: could not reach the token endpoint of alias '{connection.UsedAlias}': {ex.Message}", code: "credential") { IsRetryable = true };
        }

        using (response)
        {
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                var reason = TryRead(body, "error_description") ?? TryRead(body, "error") ?? response.ReasonPhrase;
                throw new StepFailedException(
                    $"{connection.Vendor}: the token endpoint of alias '{connection.UsedAlias}' refused the {form["grant_type"]} grant ({(int)response.StatusCode}): {reason}" +
                    (form["grant_type"] == "refresh_token" ? $"; give consent again with 'flowengine aliases consent {connection.UsedAlias}'" : ""),
                    code: "credential");
            }

            var access = TryRead(body, "access_token") ?? throw new StepFailedException($"{connection.Vendor}: the token endpoint of alias '{connection.UsedAlias}' answered without access_token", code: "credential");
            var expiresIn = double.TryParse(TryRead(body, "expires_in"), System.Globalization.CultureInfo.InvariantCulture, out var e) ? e : 3600;
            return new Granted(access, TryRead(body, "refresh_token"), expiresIn, TryRead(body, "scope"));
        }
    }

    private static string? TryRead(string json, string property)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty(property, out var value) ? value.ToString() : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
