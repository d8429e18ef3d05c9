using System.Net;
using System.Net.Http.Json;
using System.Web;

namespace FlowEngine.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class OAuthConsentTests(ServerFixture server)
{
    private const string Alias = "sn_pagerduty_spoke.PagerDuty_oauth";

    [Fact]
    public async Task Consent_ThroughTheApiAndTheRedirect_StoresTokens_ThatAreNeverShown_AndTheStateIsSingleUse()
    {
        var sim = server.PagerDuty;
        using var admin = server.Admin();
        await ServerFixture.ReadAsync(await admin.PutAsJsonAsync($"/api/aliases/{Alias}", new
        {
            parent = "sn_pagerduty_spoke.PagerDuty",
            url = sim.BaseUrl,
            credentialType = "oauth2_authorization_code",
            settings = new Dictionary<string, string> { ["client_id"] = sim.OAuthClientId, ["authorize_url"] = sim.AuthorizeUrl, ["token_url"] = sim.TokenUrl },
            secrets = new Dictionary<string, string> { ["client_secret"] = sim.OAuthClientSecret },
        }));

        var consent = await ServerFixture.ReadAsync(await admin.PostAsync($"/api/aliases/{Alias}/consent", null));
        var authorize = new Uri(consent.GetProperty("authorizeUrl").GetString()!);
        var query = HttpUtility.ParseQueryString(authorize.Query);
        Assert.Equal($"{server.BaseUrl}/oauth_redirect", query["redirect_uri"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(consent.GetProperty("state").GetString(), query["state"]);
        Assert.DoesNotContain("verifier", consent.ToString(), StringComparison.OrdinalIgnoreCase);

        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true });
        using var landed = await browser.GetAsync(authorize);
        var page = await landed.Content.ReadAsStringAsync();
        Assert.True(landed.StatusCode == HttpStatusCode.OK, page);
        Assert.Equal("/oauth_redirect", landed.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Consent received", page, StringComparison.Ordinal);
        Assert.Equal(1, sim.TokenRequestCount("authorization_code"));

        var stored = (await server.Engine.Connections.GetAsync(Alias, default))!;
        Assert.NotNull(stored.AccessToken);
        Assert.NotNull(stored.RefreshToken);
        var view = await admin.GetStringAsync($"/api/aliases/{Alias}");
        Assert.Contains("\"hasAccessToken\":true", view, StringComparison.Ordinal);
        foreach (var secret in new[] { stored.AccessToken!, stored.RefreshToken!, sim.OAuthClientSecret })
        {
            Assert.DoesNotContain(secret, view, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, page, StringComparison.Ordinal);
        }

        using var replay = await browser.GetAsync(landed.RequestMessage.RequestUri);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal(1, sim.TokenRequestCount("authorization_code"));
        using var forged = await browser.GetAsync($"{server.BaseUrl}/oauth_redirect?code=abc&state=forged");
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        var test = await ServerFixture.ReadAsync(await admin.PostAsync($"/api/aliases/{Alias}/test", null));
        Assert.True(test.GetProperty("succeeded").GetBoolean(), test.ToString());
    }

    [Fact]
    public async Task Consent_OnAnAliasWithoutOAuth_IsRefused()
    {
        await server.ConnectPagerDutyAsync();
        using var admin = server.Admin();
        var problem = await ServerFixture.ReadAsync(await admin.PostAsync("/api/aliases/sn_pagerduty_spoke.PagerDuty/consent", null), HttpStatusCode.BadRequest);
        Assert.Contains("api_token", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var unknown = await ServerFixture.ReadAsync(await admin.PostAsync("/api/aliases/sn_nobody.Nobody/consent", null), HttpStatusCode.BadRequest);
        Assert.Contains("unknown alias", unknown.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
