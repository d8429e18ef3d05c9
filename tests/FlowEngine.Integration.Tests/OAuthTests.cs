using System.Web;
using FlowEngine.Integration.Connections;
using FlowEngine.Runtime.Records;
using FlowEngine.Simulators;
using Microsoft.Extensions.Time.Testing;

namespace FlowEngine.Integration.Tests;

public sealed class OAuthTests
{
    private const string Redirect = "http://127.0.0.1:8765/oauth_redirect";

    /// <summary>Advances the simulator's clock when the engine sends its Nth request to a path: a token expires mid-run.</summary>
    private sealed class ExpireAfter(FakeTimeProvider vendorClock, string path, int after, TimeSpan by) : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        private int _seen;

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.RequestUri!.AbsolutePath.StartsWith(path, StringComparison.Ordinal) && Interlocked.Increment(ref _seen) == after + 1)
            {
                vendorClock.Advance(by);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }

    private static ConnectionRecord AuthCode(PagerDutySimulator sim) => new()
    {
        AliasId = IntegrationHarness.PagerDutyAlias,
        Url = sim.BaseUrl,
        CredentialType = "oauth2_authorization_code",
        Settings = new Dictionary<string, string>
        {
            ["client_id"] = sim.OAuthClientId,
            ["authorize_url"] = sim.AuthorizeUrl,
            ["token_url"] = sim.TokenUrl,
        },
        Secrets = new Dictionary<string, string> { ["client_secret"] = sim.OAuthClientSecret },
    };

    /// <summary>The consent round trip: the admin opens the authorize URL, the vendor redirects back with a code, the engine exchanges it with its PKCE verifier.</summary>
    private static async Task ConsentAsync(IntegrationHarness harness)
    {
        var connection = await harness.Integration.Resolver.ResolveAsync(IntegrationHarness.PagerDutyAlias, null, default);
        var (verifier, challenge) = TokenManager.Pkce();
        var url = TokenManager.AuthorizeUrl(connection, Redirect, "state-1", challenge);
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var answer = await browser.GetAsync(url);
        Assert.Equal(System.Net.HttpStatusCode.Redirect, answer.StatusCode);
        var back = HttpUtility.ParseQueryString(answer.Headers.Location!.Query);
        Assert.Equal("state-1", back["state"]);
        await harness.Integration.Tokens.ExchangeCodeAsync(connection, back["code"]!, Redirect, verifier, default);
    }

    [Fact]
    public async Task AuthorizationCode_TokenExpiringMidRun_IsRefreshedOnce_AndTheRotatedRefreshTokenIsStored()
    {
        var vendorClock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 250, AccessTokenLifetimeSeconds = 3600 }, vendorClock);
        using var http = new HttpClient(new ExpireAfter(vendorClock, "/users", after: 1, by: TimeSpan.FromHours(2)));
        var harness = new IntegrationHarness(http: http);
        await harness.SetAsync(AuthCode(sim));
        await ConsentAsync(harness);
        var first = (await harness.Connections.GetAsync(IntegrationHarness.PagerDutyAlias, default))!;

        var result = await harness.RunAsync("pagerduty.list_users");

        Assert.True(result.Status == ExecutionStatus.Completed, result.Record.Error);
        Assert.Equal(250L, result.Outputs["count"]);
        Assert.Equal(1, sim.TokenRequestCount("authorization_code"));
        Assert.Equal(1, sim.TokenRequestCount("refresh_token"));
        var stored = (await harness.Connections.GetAsync(IntegrationHarness.PagerDutyAlias, default))!;
        Assert.NotEqual(first.RefreshToken, stored.RefreshToken);
        Assert.Equal(sim.IssuedRefreshTokens[^1], stored.RefreshToken);
        Assert.NotEqual(first.AccessToken, stored.AccessToken);
        var everything = await harness.EverythingStoredAsync(result);
        foreach (var secret in new[] { first.AccessToken!, first.RefreshToken!, stored.AccessToken!, stored.RefreshToken!, sim.OAuthClientSecret })
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AuthorizationCode_ManyStepsNeedingATokenAtOnce_RefreshOnlyOnce()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 5, AccessTokenLifetimeSeconds = 3600 }, clock);
        var fan = """
            kind: flow
            id: test.fan_out
            version: 1
            steps:
              - id: many
                for_each: "{{ range(8) }}"
                parallelism: 8
                do:
                  - id: account
                    call: pagerduty.look_up_account
            """;
        var harness = new IntegrationHarness(clock, extra: ("fan.yaml", fan));
        await harness.SetAsync(AuthCode(sim));
        await ConsentAsync(harness);
        clock.Advance(TimeSpan.FromHours(2));

        var result = await harness.RunAsync("test.fan_out");

        Assert.True(result.Status == ExecutionStatus.Completed, result.Record.Error);
        Assert.Equal(8, sim.RequestCount("GET", "/abilities"));
        Assert.Equal(1, sim.TokenRequestCount("refresh_token"));
    }

    [Fact]
    public async Task ClientCredentials_ScopedTokenWithAsAccount_ReadsUsers_AndAMissingWriteScopeIsReportedOnReclaim()
    {
        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 20, OpenIncidentsEvery = 0 });
        var harness = new IntegrationHarness();
        await harness.SetAsync(new ConnectionRecord
        {
            AliasId = IntegrationHarness.PagerDutyAlias,
            Url = sim.BaseUrl,
            CredentialType = "oauth2_client_credentials",
            Attributes = new Dictionary<string, string> { ["subdomain"] = sim.Subdomain, ["region"] = "us" },
            Settings = new Dictionary<string, string> { ["client_id"] = sim.OAuthClientId, ["token_url"] = sim.TokenUrl },
            Secrets = new Dictionary<string, string> { ["client_secret"] = sim.OAuthClientSecret },
        });

        var listed = await harness.RunAsync("pagerduty.list_users");
        Assert.True(listed.Status == ExecutionStatus.Completed, listed.Record.Error);
        Assert.Equal(20L, listed.Outputs["count"]);
        var stored = (await harness.Connections.GetAsync(IntegrationHarness.PagerDutyAlias, default))!;
        Assert.Contains($"as_account-us.{sim.Subdomain}", stored.GrantedScopes, StringComparison.Ordinal);

        var target = sim.Users.First(u => u.Role != "owner").Id;
        var reclaim = await harness.RunAsync("pagerduty.remove_user", new() { ["user_id"] = target });
        Assert.Equal("failure", reclaim.Outputs["status"]);
        Assert.Contains("reclaim needs the write or users.write scope", (string)reclaim.Outputs["error_message"]!, StringComparison.Ordinal);
        Assert.Contains(sim.Users, u => u.Id == target);
        Assert.Equal(1, sim.TokenRequestCount("client_credentials"));
    }

    [Fact]
    public async Task RevokedRefreshToken_FailsWithWhatToDo()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 5 }, clock);
        var harness = new IntegrationHarness(clock);
        await harness.SetAsync(AuthCode(sim));
        await ConsentAsync(harness);
        sim.Faults.RevokeAllTokens();
        clock.Advance(TimeSpan.FromHours(2));

        var result = await harness.RunAsync("pagerduty.look_up_account");

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Contains($"the token endpoint of alias {IntegrationHarness.PagerDutyAlias} refused the refresh_token grant".Replace("alias ", "alias '", StringComparison.Ordinal).Replace(" refused", "' refused", StringComparison.Ordinal), result.Record.Error, StringComparison.Ordinal);
        Assert.Contains($"flowengine aliases consent {IntegrationHarness.PagerDutyAlias}", result.Record.Error, StringComparison.Ordinal);
    }
}
