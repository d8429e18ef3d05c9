using System.Net;
using System.Web;
using FlowEngine.Integration.Connections;
using FlowEngine.Simulators;

namespace FlowEngine.FaultSuite.Tests;

/// <summary>One vendor's simulator, seen the same way for both vendors: its faults, its users, its alias.</summary>
internal abstract class VendorUnderTest : IAsyncDisposable
{
    /// <summary>The vendor's name as messages give it (the alias's display name).</summary>
    public abstract string Vendor { get; }

    /// <summary>The vendor and, when it matters, the credential, for the suite's report.</summary>
    public virtual string Label => Vendor;

    /// <summary>Secrets the simulator hands out, which no execution record may hold.</summary>
    public virtual IReadOnlyList<string> Secrets => [ApiToken];

    /// <summary>What the error says when the credential is revoked mid-run.</summary>
    public virtual string RevokedCause => "was rejected (401)";

    public abstract string Alias { get; }

    /// <summary>The spoke id a profile is created for.</summary>
    public abstract string Spoke { get; }

    public abstract string BaseUrl { get; }

    public abstract string ApiToken { get; }

    /// <summary>What a correct download stores: external user id, user principal name and display name of every user.</summary>
    public abstract IReadOnlyList<(string Id, string Upn, string Name)> ExpectedSubscriptions();

    /// <summary>Requests the simulator received so far.</summary>
    public abstract int Requests { get; }

    public abstract void StartAfter(int requests);

    public abstract void RateLimitNext(int count);

    public abstract void FailNext(int count, int status);

    public abstract void DelayNext(int count, TimeSpan delay);

    public abstract void DropConnectionNext(int count);

    public abstract void MalformedJsonNext(int count);

    public abstract void RepeatPageAfter(int pages);

    /// <summary>The credential stops working after the next <paramref name="requests"/> requests.</summary>
    public abstract void RevokeCredentialAfter(int requests);

    /// <summary>Gives the harness a connection to the simulator through the vendor's alias.</summary>
    public virtual Task ConnectAsync(FaultHarness harness)
    {
        ArgumentNullException.ThrowIfNull(harness);
        return harness.ConnectAsync(Alias, BaseUrl, ApiToken);
    }

    /// <summary>Disarms every fault and lets the credential work again.</summary>
    public abstract Task ResetAsync(FaultHarness harness);

    public abstract ValueTask DisposeAsync();
}

internal sealed class PagerDutyUnderTest(PagerDutySimulator sim, bool oauth) : VendorUnderTest
{
    private const string Redirect = "http://127.0.0.1:8765/oauth_redirect";

    public static async Task<VendorUnderTest> StartAsync(int users, bool oauth = false) =>
        new PagerDutyUnderTest(await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = users }), oauth);

    public override string Vendor => "PagerDuty";

    public override string Label => oauth ? "PagerDuty (OAuth)" : Vendor;

    public override IReadOnlyList<string> Secrets => [sim.ApiToken, sim.OAuthClientSecret, .. sim.IssuedRefreshTokens];

    // The access token gets 401; the one refresh allowed is refused, since the refresh token was revoked too.
    public override string RevokedCause => oauth ? "refused the refresh_token grant" : base.RevokedCause;

    public override string Alias => FaultHarness.PagerDutyAlias;

    public override string Spoke => "pagerduty";

    public override string BaseUrl => sim.BaseUrl;

    public override string ApiToken => sim.ApiToken;

    public override int Requests => sim.RequestCount("/");

    public override IReadOnlyList<(string Id, string Upn, string Name)> ExpectedSubscriptions() =>
        sim.Users.Select(u => (u.Id, u.Email.ToLowerInvariant(), u.Name)).OrderBy(u => u.Id, StringComparer.Ordinal).ToList();

    public override void StartAfter(int requests) => sim.Faults.StartAfter(requests);

    // ratelimit-reset: 0, so honouring it does not slow the suite; the storm outlasts the retries by its length.
    public override void RateLimitNext(int count) => sim.Faults.RateLimitNext(count, 0);

    public override void FailNext(int count, int status) => sim.Faults.FailNext(count, status);

    public override void DelayNext(int count, TimeSpan delay) => sim.Faults.DelayNext(count, delay);

    public override void DropConnectionNext(int count) => sim.Faults.DropConnectionNext(count);

    public override void MalformedJsonNext(int count) => sim.Faults.MalformedJsonNext(count);

    public override void RepeatPageAfter(int pages) => sim.Faults.RepeatPageAfter(pages);

    public override void RevokeCredentialAfter(int requests)
    {
        if (oauth)
        {
            sim.Faults.RevokeAllTokensAfter(requests);
        }
        else
        {
            sim.Faults.RevokeApiTokenAfter(requests);
        }
    }

    public override async Task ConnectAsync(FaultHarness harness)
    {
        ArgumentNullException.ThrowIfNull(harness);
        if (!oauth)
        {
            await base.ConnectAsync(harness);
            return;
        }

        await harness.Connections.SaveAsync(new ConnectionRecord
        {
            AliasId = Alias,
            Url = sim.BaseUrl,
            CredentialType = "oauth2_authorization_code",
            Settings = new Dictionary<string, string>
            {
                ["client_id"] = sim.OAuthClientId,
                ["authorize_url"] = sim.AuthorizeUrl,
                ["token_url"] = sim.TokenUrl,
                ["scopes"] = "read",
            },
            Secrets = new Dictionary<string, string> { ["client_secret"] = sim.OAuthClientSecret },
        }, default);
        await ConsentAsync(harness);
    }

    public override async Task ResetAsync(FaultHarness harness)
    {
        ArgumentNullException.ThrowIfNull(harness);
        sim.Faults.Clear();
        sim.Faults.RestoreApiToken();
        if (oauth)
        {
            // Revoked tokens stay revoked: consent again, as an admin would.
            await ConsentAsync(harness);
        }
    }

    public override ValueTask DisposeAsync() => sim.DisposeAsync();

    // The consent round trip: the admin opens the authorize URL, PagerDuty redirects back with a code, the engine redeems it.
    private async Task ConsentAsync(FaultHarness harness)
    {
        var connection = await harness.Integration.Resolver.ResolveAsync(Alias, null, default);
        var (verifier, challenge) = TokenManager.Pkce();
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var answer = await browser.GetAsync(new Uri(TokenManager.AuthorizeUrl(connection, Redirect, "state-1", challenge)));
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        var back = HttpUtility.ParseQueryString(answer.Headers.Location!.Query);
        await harness.Integration.Tokens.ExchangeCodeAsync(connection, back["code"]!, Redirect, verifier, default);
    }
}

internal sealed class RoadmunkUnderTest(RoadmunkSimulator sim) : VendorUnderTest
{
    public static async Task<VendorUnderTest> StartAsync(int users) =>
        new RoadmunkUnderTest(await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = users }));

    public override string Vendor => "Roadmunk";

    public override string Alias => FaultHarness.RoadmunkAlias;

    public override string Spoke => "roadmunk";

    public override string BaseUrl => sim.BaseUrl;

    public override string ApiToken => sim.ApiToken;

    public override int Requests => sim.RequestCount();

    // Without a user CSV attached, the download keeps every user, active or not.
    public override IReadOnlyList<(string Id, string Upn, string Name)> ExpectedSubscriptions() =>
        sim.Users.Select(u => (u.Id, u.Email.ToLowerInvariant(), $"{u.FirstName} {u.LastName}")).OrderBy(u => u.Id, StringComparer.Ordinal).ToList();

    public override void StartAfter(int requests) => sim.Faults.StartAfter(requests);

    public override void RateLimitNext(int count) => sim.Faults.RateLimitNext(count, 0);

    public override void FailNext(int count, int status) => sim.Faults.FailNext(count, status);

    public override void DelayNext(int count, TimeSpan delay) => sim.Faults.DelayNext(count, delay);

    public override void DropConnectionNext(int count) => sim.Faults.DropConnectionNext(count);

    public override void MalformedJsonNext(int count) => sim.Faults.MalformedJsonNext(count);

    public override void RepeatPageAfter(int pages) => sim.Faults.RepeatPageAfter(pages);

    public override void RevokeCredentialAfter(int requests) => sim.Faults.RevokeApiTokenAfter(requests);

    public override Task ResetAsync(FaultHarness harness)
    {
        sim.Faults.Clear();
        sim.Faults.RestoreApiToken();
        return Task.CompletedTask;
    }

    public override ValueTask DisposeAsync() => sim.DisposeAsync();
}
