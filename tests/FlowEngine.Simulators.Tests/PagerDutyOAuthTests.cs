using System.Net;
using Microsoft.Extensions.Time.Testing;

namespace FlowEngine.Simulators.Tests;

public sealed class PagerDutyOAuthTests
{
    [Fact]
    public async Task AuthorizationCode_WithPkce_IssuesScopedTokens_AndCodesAreSingleUse()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);
        var (verifier, challenge) = PagerDutyApi.Pkce();

        var redirect = await api.AuthorizeAsync("users.read oncalls.read", challenge, state: "s-123");
        Assert.Equal("s-123", redirect["state"]);
        var code = redirect["code"]!;

        var wrongVerifier = await api.ExchangeCodeAsync(code, PagerDutyApi.Pkce().Verifier);
        Assert.Equal(HttpStatusCode.BadRequest, wrongVerifier.Status);
        Assert.Equal("invalid_grant", wrongVerifier.Json.GetProperty("error").GetString());

        // The failed attempt consumed the code, as single-use codes do: authorize again.
        code = (await api.AuthorizeAsync("users.read oncalls.read", challenge))["code"]!;
        var token = await api.ExchangeCodeAsync(code, verifier);
        Assert.Equal(HttpStatusCode.OK, token.Status);
        var body = token.Json;
        Assert.StartsWith("pdus+_", body.GetProperty("access_token").GetString(), StringComparison.Ordinal);
        Assert.Equal("bearer", body.GetProperty("token_type").GetString());
        Assert.Equal(3600, body.GetProperty("expires_in").GetInt32());
        Assert.Equal("users.read oncalls.read", body.GetProperty("scope").GetString());
        Assert.True(body.TryGetProperty("refresh_token", out _));

        var bearer = "Bearer " + body.GetProperty("access_token").GetString();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/users", bearer)).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/oncalls", bearer)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.DeleteAsync($"/users/{pd.Users[1].Id}", bearer)).Status);

        var reused = await api.ExchangeCodeAsync(code, verifier);
        Assert.Equal(HttpStatusCode.BadRequest, reused.Status);
        Assert.Equal("invalid_grant", reused.Json.GetProperty("error").GetString());
        Assert.Equal(3, pd.TokenRequestCount("authorization_code"));
    }

    [Fact]
    public async Task Authorize_RejectsAWrongClient_AndScopedScopesWithoutPkce()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);

        using var wrongClient = await api.Client.GetAsync($"/oauth/authorize?client_id=nope&redirect_uri={Uri.EscapeDataString(PagerDutyApi.RedirectUri)}&response_type=code&scope=read");
        Assert.Equal(HttpStatusCode.BadRequest, wrongClient.StatusCode);

        var noPkce = await api.AuthorizeAsync("users.read");
        Assert.Equal("invalid_request", noPkce["error"]);
        Assert.Null(noPkce["code"]);
    }

    [Fact]
    public async Task UnknownScopes_AreDroppedQuietly_LeavingOpenId()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);

        var code = (await api.AuthorizeAsync("users:read"))["code"]!;
        var token = await api.ExchangeCodeAsync(code, null);
        Assert.Equal("openid", token.Json.GetProperty("scope").GetString());
        var bearer = "Bearer " + token.Json.GetProperty("access_token").GetString();
        Assert.Equal(HttpStatusCode.Forbidden, (await api.GetAsync("/users", bearer)).Status);
    }

    [Fact]
    public async Task RefreshToken_Rotates_AndTheOldOneStopsWorking()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);
        var (verifier, challenge) = PagerDutyApi.Pkce();
        var code = (await api.AuthorizeAsync("users.read users.write", challenge))["code"]!;
        var first = (await api.ExchangeCodeAsync(code, verifier)).Json;
        var oldRefresh = first.GetProperty("refresh_token").GetString()!;

        var refreshed = await api.TokenAsync(("grant_type", "refresh_token"), ("refresh_token", oldRefresh));
        Assert.Equal(HttpStatusCode.OK, refreshed.Status);
        var newAccess = refreshed.Json.GetProperty("access_token").GetString()!;
        var newRefresh = refreshed.Json.GetProperty("refresh_token").GetString()!;
        Assert.NotEqual(first.GetProperty("access_token").GetString(), newAccess);
        Assert.NotEqual(oldRefresh, newRefresh);
        Assert.Equal("users.read users.write", refreshed.Json.GetProperty("scope").GetString());
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/users", "Bearer " + newAccess)).Status);

        var replay = await api.TokenAsync(("grant_type", "refresh_token"), ("refresh_token", oldRefresh));
        Assert.Equal(HttpStatusCode.BadRequest, replay.Status);
        Assert.Equal("invalid_grant", replay.Json.GetProperty("error").GetString());

        Assert.Equal(HttpStatusCode.OK, (await api.TokenAsync(("grant_type", "refresh_token"), ("refresh_token", newRefresh))).Status);
        Assert.Equal(3, pd.IssuedRefreshTokens.Count);
        Assert.Equal(oldRefresh, pd.IssuedRefreshTokens[0]);
        Assert.Equal(3, pd.TokenRequests["refresh_token"]);
        Assert.Equal(1, pd.TokenRequests["authorization_code"]);
    }

    [Fact]
    public async Task ClientCredentials_NeedsAsAccountForThisAccount_AndHasNoRefreshToken()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { Subdomain = "globex", Region = PagerDutyRegion.Eu });
        using var api = new PagerDutyApi(pd);
        Assert.Equal("as_account-eu.globex", pd.AsAccountScope);

        foreach (var scope in new[] { "users.read", "as_account-us.globex users.read", "as_account-eu.acme users.read" })
        {
            var refused = await api.TokenAsync(("grant_type", "client_credentials"), ("scope", scope));
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Equal("invalid_scope", refused.Json.GetProperty("error").GetString());
        }

        var token = await api.TokenAsync(("grant_type", "client_credentials"), ("scope", "as_account-eu.globex users.read oncalls.read"));
        Assert.Equal(HttpStatusCode.OK, token.Status);
        Assert.False(token.Json.TryGetProperty("refresh_token", out _));
        Assert.Equal("as_account-eu.globex users.read oncalls.read", token.Json.GetProperty("scope").GetString());

        var wrongSecret = await api.TokenAsync(("grant_type", "client_credentials"), ("client_secret", "nope"), ("scope", pd.AsAccountScope));
        Assert.Equal(HttpStatusCode.Unauthorized, wrongSecret.Status);
        Assert.Equal("invalid_client", wrongSecret.Json.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AccessTokens_ExpireAfterExpiresIn_AndCodesAfter30Seconds_ByTheTimeProvider()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 9, 0, 0, TimeSpan.Zero));
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { AccessTokenLifetimeSeconds = 600 }, time);
        using var api = new PagerDutyApi(pd);

        var bearer = await api.ClientCredentialsTokenAsync("users.read");
        time.Advance(TimeSpan.FromSeconds(599));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/users", bearer)).Status);
        time.Advance(TimeSpan.FromSeconds(2));
        var expired = await api.GetAsync("/users", bearer);
        Assert.Equal(HttpStatusCode.Unauthorized, expired.Status);
        Assert.Equal(2006, expired.Json.GetProperty("error").GetProperty("code").GetInt32());

        var code = (await api.AuthorizeAsync("read"))["code"]!;
        time.Advance(TimeSpan.FromSeconds(31));
        Assert.Equal(HttpStatusCode.BadRequest, (await api.ExchangeCodeAsync(code, null)).Status);

        // A refresh after the access token expired still works (the refresh token lives longer).
        code = (await api.AuthorizeAsync("read"))["code"]!;
        var refresh = (await api.ExchangeCodeAsync(code, null)).Json.GetProperty("refresh_token").GetString()!;
        time.Advance(TimeSpan.FromHours(2));
        Assert.Equal(HttpStatusCode.OK, (await api.TokenAsync(("grant_type", "refresh_token"), ("refresh_token", refresh))).Status);
    }

    [Fact]
    public async Task RevokedRefreshTokens_AreRejected()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);
        var code = (await api.AuthorizeAsync("read"))["code"]!;
        var refresh = (await api.ExchangeCodeAsync(code, null)).Json.GetProperty("refresh_token").GetString()!;

        pd.Faults.RevokeAllTokens();
        var response = await api.TokenAsync(("grant_type", "refresh_token"), ("refresh_token", refresh));
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal("invalid_grant", response.Json.GetProperty("error").GetString());
    }
}
