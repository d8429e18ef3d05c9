using System.Security.Cryptography;
using System.Text;
using System.Web;

namespace FlowEngine.Simulators.Tests;

/// <summary>A real HttpClient against a running <see cref="PagerDutySimulator"/>, with the request shapes the tests need.</summary>
internal sealed class PagerDutyApi(PagerDutySimulator simulator) : IDisposable
{
    public const string RedirectUri = "https://dev.service-now.example/oauth_redirect.do";

    public HttpClient Client { get; } = new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(simulator.BaseUrl) };

    public string TokenAuthorization => $"Token token={simulator.ApiToken}";

    public Task<ApiResponse> GetAsync(string pathAndQuery, string? authorization = null, bool accept = true) =>
        SendAsync(HttpMethod.Get, pathAndQuery, authorization, accept);

    public Task<ApiResponse> DeleteAsync(string path, string? authorization = null) =>
        SendAsync(HttpMethod.Delete, path, authorization);

    public async Task<ApiResponse> SendAsync(HttpMethod method, string pathAndQuery, string? authorization = null, bool accept = true)
    {
        using var request = new HttpRequestMessage(method, pathAndQuery);
        request.Headers.TryAddWithoutValidation("Authorization", authorization ?? TokenAuthorization);
        if (accept)
        {
            request.Headers.TryAddWithoutValidation("Accept", PagerDutySimulator.AcceptHeader);
        }

        using var response = await Client.SendAsync(request);
        return await ApiResponse.ReadAsync(response);
    }

    /// <summary>GET /oauth/authorize and returns the query of the 302 Location (code, state or error).</summary>
    public async Task<System.Collections.Specialized.NameValueCollection> AuthorizeAsync(string scope, string? codeChallenge = null, string state = "xyz")
    {
        var query = $"/oauth/authorize?client_id={simulator.OAuthClientId}&redirect_uri={Uri.EscapeDataString(RedirectUri)}"
            + $"&response_type=code&scope={Uri.EscapeDataString(scope)}&state={state}";
        if (codeChallenge is not null)
        {
            query += $"&code_challenge={codeChallenge}&code_challenge_method=S256";
        }

        using var response = await Client.GetAsync(query);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.StartsWith(RedirectUri + "?", location.ToString(), StringComparison.Ordinal);
        return HttpUtility.ParseQueryString(location.Query);
    }

    public async Task<ApiResponse> TokenAsync(params (string Name, string Value)[] fields)
    {
        var form = new Dictionary<string, string>
        {
            ["client_id"] = simulator.OAuthClientId,
            ["client_secret"] = simulator.OAuthClientSecret,
        };
        foreach (var (name, value) in fields)
        {
            form[name] = value;
        }

        using var response = await Client.PostAsync("/oauth/token", new FormUrlEncodedContent(form));
        return await ApiResponse.ReadAsync(response);
    }

    public Task<ApiResponse> ExchangeCodeAsync(string code, string? verifier) => verifier is null
        ? TokenAsync(("grant_type", "authorization_code"), ("code", code), ("redirect_uri", RedirectUri))
        : TokenAsync(("grant_type", "authorization_code"), ("code", code), ("redirect_uri", RedirectUri), ("code_verifier", verifier));

    public async Task<string> ClientCredentialsTokenAsync(string scopes)
    {
        var response = await TokenAsync(("grant_type", "client_credentials"), ("scope", $"{simulator.AsAccountScope} {scopes}"));
        Assert.Equal(System.Net.HttpStatusCode.OK, response.Status);
        return "Bearer " + response.Json.GetProperty("access_token").GetString();
    }

    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64Url(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    public void Dispose() => Client.Dispose();

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
