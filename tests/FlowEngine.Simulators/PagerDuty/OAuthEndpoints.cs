using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace FlowEngine.Simulators.PagerDuty;

/// <summary>
/// The identity service (identity.pagerduty.com) on the same server: <c>GET /oauth/authorize</c>, which consents at once as
/// if the admin had pressed "Submit Consent", and <c>POST /oauth/token</c> for the authorization_code, refresh_token and
/// client_credentials grants.
/// </summary>
internal sealed class OAuthEndpoints(PagerDutySeed seed, PagerDutyData data, OAuthStore store)
{
    public void Map(WebApplication app)
    {
        app.MapGet("/oauth/authorize", Authorize);
        app.MapPost("/oauth/token", TokenAsync);
    }

    private IResult Authorize(HttpRequest request)
    {
        var query = request.Query;
        if (query["client_id"].ToString() != data.OAuthClientId)
        {
            return OAuthError(StatusCodes.Status400BadRequest, "invalid_client", "Unknown client_id.");
        }

        var redirectUri = query["redirect_uri"].ToString();
        if (!Uri.TryCreate(redirectUri, UriKind.Absolute, out _)
            || (seed.OAuthRedirectUri is not null && redirectUri != seed.OAuthRedirectUri))
        {
            return OAuthError(StatusCodes.Status400BadRequest, "invalid_request", "redirect_uri is missing or not registered for this app.");
        }

        var state = query["state"].ToString();
        var requested = PagerDutyScopes.Parse(query["scope"]);
        var challenge = query["code_challenge"].ToString();
        var method = query["code_challenge_method"].ToString();
        if (query["response_type"].ToString() != "code")
        {
            return RedirectError(redirectUri, state, "unsupported_response_type", "response_type must be code.");
        }

        if (challenge.Length > 0 && method != "S256")
        {
            return RedirectError(redirectUri, state, "invalid_request", "code_challenge_method must be S256.");
        }

        if (challenge.Length == 0 && PagerDutyScopes.AnyScoped(requested))
        {
            return RedirectError(redirectUri, state, "invalid_request", "Scoped OAuth user tokens require PKCE (code_challenge).");
        }

        var code = store.IssueCode(redirectUri, Grantable(requested), challenge.Length > 0 ? challenge : null);
        var location = QueryHelpers.AddQueryString(redirectUri, Params(("code", code), ("state", state)));
        return Results.Redirect(location);
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        if (!request.HasFormContentType)
        {
            return OAuthError(StatusCodes.Status400BadRequest, "invalid_request", "Send application/x-www-form-urlencoded.");
        }

        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        var grantType = form["grant_type"].ToString();
        store.CountTokenRequest(grantType);
        if (!ClientAuthenticated(request, form))
        {
            return OAuthError(StatusCodes.Status401Unauthorized, "invalid_client", "Client authentication failed.");
        }

        return grantType switch
        {
            "authorization_code" => AuthorizationCode(form),
            "refresh_token" => RefreshToken(form),
            "client_credentials" => ClientCredentials(form),
            _ => OAuthError(StatusCodes.Status400BadRequest, "unsupported_grant_type", $"Unsupported grant_type '{grantType}'."),
        };
    }

    private IResult AuthorizationCode(IFormCollection form)
    {
        var code = store.RedeemCode(form["code"].ToString());
        if (code is null)
        {
            return InvalidGrant("The authorization code is invalid, expired or already used.");
        }

        if (form["redirect_uri"].ToString() != code.RedirectUri)
        {
            return InvalidGrant("redirect_uri does not match the authorization request.");
        }

        if (code.CodeChallenge is not null && Challenge(form["code_verifier"].ToString()) != code.CodeChallenge)
        {
            return InvalidGrant("code_verifier does not match the code_challenge.");
        }

        return TokenResponse(store.Issue(code.Scopes, withRefresh: true));
    }

    private IResult RefreshToken(IFormCollection form)
    {
        var grant = store.RedeemRefreshToken(form["refresh_token"].ToString());
        return grant is null
            ? InvalidGrant("The refresh token is invalid, expired, revoked or was already used.")
            : TokenResponse(store.Issue(grant.Scopes, withRefresh: true));
    }

    private IResult ClientCredentials(IFormCollection form)
    {
        var requested = PagerDutyScopes.Parse(form["scope"]);
        var asAccount = PagerDutyScopes.AsAccountPrefix + (seed.Region == PagerDutyRegion.Eu ? "eu" : "us") + "." + seed.Subdomain;
        if (!requested.Contains(asAccount))
        {
            return OAuthError(StatusCodes.Status400BadRequest, "invalid_scope", $"The scope must include '{asAccount}'.");
        }

        var scopes = Grantable(requested).Where(s => s != "openid").Prepend(asAccount).ToList();
        return TokenResponse(store.Issue(scopes, withRefresh: false));
    }

    private bool ClientAuthenticated(HttpRequest request, IFormCollection form)
    {
        var (id, secret) = (form["client_id"].ToString(), form["client_secret"].ToString());
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())).Split(':', 2);
                (id, secret) = (Uri.UnescapeDataString(pair[0]), pair.Length > 1 ? Uri.UnescapeDataString(pair[1]) : "");
            }
            catch (FormatException)
            {
                return false;
            }
        }

        return id == data.OAuthClientId && secret == data.OAuthClientSecret;
    }

    /// <summary>Known scopes survive; unknown ones are dropped quietly, and an empty grant becomes <c>openid</c>.</summary>
    private static List<string> Grantable(IEnumerable<string> requested)
    {
        var granted = requested.Where(PagerDutyScopes.Known.Contains).Distinct().ToList();
        return granted.Count == 0 ? ["openid"] : granted;
    }

    private static string Challenge(string verifier) =>
        WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private static IResult TokenResponse(IssuedTokens tokens)
    {
        var body = new Dictionary<string, object>
        {
            ["access_token"] = tokens.AccessToken,
            ["token_type"] = "bearer",
            ["expires_in"] = tokens.ExpiresIn,
            ["scope"] = string.Join(' ', tokens.Scopes),
        };
        if (tokens.RefreshToken is not null)
        {
            body["refresh_token"] = tokens.RefreshToken;
        }

        return PagerDutyErrors.Json(body);
    }

    private static IResult InvalidGrant(string description) =>
        OAuthError(StatusCodes.Status400BadRequest, "invalid_grant", description);

    private static IResult OAuthError(int status, string error, string description) =>
        PagerDutyErrors.Json(new { error, error_description = description }, status);

    private static IResult RedirectError(string redirectUri, string state, string error, string description) =>
        Results.Redirect(QueryHelpers.AddQueryString(redirectUri, Params(("error", error), ("error_description", description), ("state", state))));

    private static Dictionary<string, string?> Params(params (string Name, string Value)[] pairs) =>
        pairs.Where(p => p.Value.Length > 0).ToDictionary(p => p.Name, p => (string?)p.Value);
}
