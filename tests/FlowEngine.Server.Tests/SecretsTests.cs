using System.Net;
using System.Net.Http.Json;

namespace FlowEngine.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class SecretsTests(ServerFixture server)
{
    private const string Alias = "sn_pagerduty_spoke.PagerDuty_secrets_check";

    [Fact]
    public async Task CredentialsAndTokens_NeverComeBack_FromAnyEndpoint()
    {
        var suffix = Guid.NewGuid().ToString("N");
        var secrets = new Dictionary<string, string>
        {
            ["token"] = $"tok-{suffix}",
            ["password"] = $"pw-{suffix}",
            ["client_secret"] = $"cs-{suffix}",
        };
        var accessToken = $"at-{suffix}";
        var refreshToken = $"rt-{suffix}";
        var secretInput = $"in-{suffix}";
        using var admin = server.Admin();

        var saved = await SendAsync(admin, HttpMethod.Put, $"/api/aliases/{Alias}", new
        {
            parent = "sn_pagerduty_spoke.PagerDuty",
            url = server.PagerDuty.BaseUrl,
            credentialType = "oauth2_authorization_code",
            settings = new Dictionary<string, string> { ["client_id"] = server.PagerDuty.OAuthClientId, ["authorize_url"] = server.PagerDuty.AuthorizeUrl, ["token_url"] = server.PagerDuty.TokenUrl },
            secrets,
        });
        var stored = (await server.Engine.Connections.GetAsync(Alias, default))!;
        await server.Engine.Connections.SaveAsync(stored with { AccessToken = accessToken, RefreshToken = refreshToken, ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) }, default);

        var view = await ServerFixture.ReadAsync(await admin.GetAsync($"/api/aliases/{Alias}"));
        Assert.Equal(["client_secret", "password", "token"], view.GetProperty("secretsSet").EnumerateArray().Select(s => s.GetString()!).ToArray());
        Assert.True(view.GetProperty("hasAccessToken").GetBoolean());
        Assert.True(view.GetProperty("hasRefreshToken").GetBoolean());

        var consent = await SendAsync(admin, HttpMethod.Post, $"/api/aliases/{Alias}/consent", null);
        await server.ConnectPagerDutyAsync();
        var throughToken = await SendAsync(admin, HttpMethod.Post, "/api/aliases/sn_pagerduty_spoke.PagerDuty/test", null);
        var throughFakeToken = await SendAsync(admin, HttpMethod.Post, $"/api/aliases/{Alias}/test", null);
        Assert.Contains("\"succeeded\":true", throughToken, StringComparison.Ordinal);
        Assert.Contains("\"succeeded\":false", throughFakeToken, StringComparison.Ordinal);
        var runIds = new[] { throughToken, throughFakeToken }.Select(t => System.Text.Json.JsonDocument.Parse(t).RootElement.GetProperty("executionId").GetString()!).ToList();
        var started = await SendAsync(admin, HttpMethod.Post, "/api/executions", new { definitionId = "demo.idle_report", inputs = new { api_token = secretInput } }, HttpStatusCode.Accepted);
        var executionId = System.Text.Json.JsonDocument.Parse(started).RootElement.GetProperty("id").GetString()!;
        var execution = await server.WaitForExecutionAsync(admin, $"/api/executions/{executionId}");
        Assert.Equal("Completed", execution.GetProperty("status").GetString());
        var profile = await SendAsync(admin, HttpMethod.Post, "/api/profiles", new { vendor = "pagerduty", displayName = $"Secrets {suffix[..6]}", alias = Alias }, HttpStatusCode.Created);

        var values = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["alias"] = Alias,
            ["id"] = "demo.idle_report",
            ["version"] = "1",
            ["profile"] = $"Secrets {suffix[..6]}",
            ["file"] = "aliases.js",
            ["path"] = "hello",
            ["documentName"] = "v1",
        };
        var bodies = new List<(string Url, string Body)>
        {
            ($"PUT /api/aliases/{Alias}", saved), ("consent", consent), ("start", started), ("create profile", profile), ("test", throughToken), ("test with a revoked token", throughFakeToken),
        };
        foreach (var runId in runIds)
        {
            bodies.Add(($"GET /api/executions/{runId}", await admin.GetStringAsync($"/api/executions/{runId}")));
        }

        foreach (var endpoint in MappedEndpoints.Of(server.App).Where(e => e.Methods.Contains("GET")))
        {
            var url = MappedEndpoints.Fill(endpoint.Route, name => name == "id" && endpoint.Route.Contains(":guid", StringComparison.Ordinal) ? executionId : values.GetValueOrDefault(name));
            foreach (var query in new[] { "", "?history=true&format=json&values=true" })
            {
                using var response = await admin.GetAsync(url + query);
                bodies.Add(($"GET {url}{query} ({(int)response.StatusCode})", await response.Content.ReadAsStringAsync()));
            }
        }

        Assert.Contains(bodies, b => b.Url.StartsWith($"GET /api/aliases/{Alias} (200)", StringComparison.Ordinal));
        Assert.Contains(bodies, b => b.Url.StartsWith($"GET /api/executions/{executionId} (200)", StringComparison.Ordinal) && b.Body.Contains("********", StringComparison.Ordinal));
        var forbidden = secrets.Values.Concat([accessToken, refreshToken, secretInput, server.PagerDuty.ApiToken, server.PagerDuty.OAuthClientSecret]).Concat(server.AllKeys).ToList();
        var leaks = bodies.SelectMany(b => forbidden.Where(f => b.Body.Contains(f, StringComparison.Ordinal)).Select(f => $"{b.Url} shows {f[..4]}…")).ToList();
        Assert.True(leaks.Count == 0, string.Join("\n", leaks));
        Assert.True(bodies.Count > 40, $"only {bodies.Count} answers read");
    }

    private static async Task<string> SendAsync(HttpClient client, HttpMethod method, string url, object? body, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {url}: {(int)response.StatusCode} {text}");
        return text;
    }
}
