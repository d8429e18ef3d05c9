using FlowEngine.Simulators.Hosting;
using FlowEngine.Simulators.PagerDuty;

namespace FlowEngine.Simulators;

/// <summary>
/// A running PagerDuty REST API v2 simulator (and its OAuth identity service) on 127.0.0.1. SIMULATOR — not a real vendor.
/// Start with <see cref="StartAsync"/>; dispose to stop.
/// </summary>
public sealed class PagerDutySimulator : IAsyncDisposable
{
    /// <summary>The media type PagerDuty asks clients to send in <c>Accept</c>.</summary>
    public const string AcceptHeader = "application/vnd.pagerduty+json;version=2";

    private readonly WebApplication _app;
    private readonly PagerDutyState _state;
    private readonly OAuthStore _oauth;
    private readonly RequestLog _requests;

    private PagerDutySimulator(WebApplication app, string baseUrl, PagerDutySeed seed, PagerDutyData data, PagerDutyState state, OAuthStore oauth, PagerDutyFaults faults, RequestLog requests)
    {
        _app = app;
        _state = state;
        _oauth = oauth;
        _requests = requests;
        BaseUrl = baseUrl;
        Seed = seed;
        ApiToken = data.ApiToken;
        OAuthClientId = data.OAuthClientId;
        OAuthClientSecret = data.OAuthClientSecret;
        Faults = faults;
    }

    /// <summary>Root of the REST API and of the identity service, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public string BaseUrl { get; }

    /// <summary><c>{BaseUrl}/oauth/authorize</c></summary>
    public string AuthorizeUrl => BaseUrl + "/oauth/authorize";

    /// <summary><c>{BaseUrl}/oauth/token</c></summary>
    public string TokenUrl => BaseUrl + "/oauth/token";

    public PagerDutySeed Seed { get; }

    public string Subdomain => Seed.Subdomain;

    public PagerDutyRegion Region => Seed.Region;

    /// <summary>The scope a client_credentials request must include, e.g. <c>as_account-us.acme</c>.</summary>
    public string AsAccountScope => $"as_account-{(Region == PagerDutyRegion.Eu ? "eu" : "us")}.{Subdomain}";

    /// <summary>A valid account API key: send <c>Authorization: Token token={ApiToken}</c>.</summary>
    public string ApiToken { get; }

    public string OAuthClientId { get; }

    public string OAuthClientSecret { get; }

    public PagerDutyFaults Faults { get; }

    /// <summary>When set, one line per request is written here (the command line sets the console).</summary>
    public TextWriter? RequestLog { get; set; }

    /// <summary>The users now in the account (deleted ones are gone).</summary>
    public IReadOnlyList<PagerDutyUser> Users => _state.Users;

    /// <summary>The on-call entries now known (entries of deleted users are gone).</summary>
    public IReadOnlyList<PagerDutyOnCall> OnCalls => _state.OnCalls;

    /// <summary>
    /// DELETE requests handled per user id, successful or not. A request whose connection dropped before it was handled
    /// (the client died during an injected delay) is not counted: PagerDuty never acted on it.
    /// </summary>
    public IReadOnlyDictionary<string, int> DeleteCounts => _state.DeleteCounts;

    /// <summary>Requests to the REST API (not <c>/oauth</c>) whose <c>Accept</c> did not name <see cref="AcceptHeader"/>. They are still served.</summary>
    public int MissingAcceptHeaderCount => _state.MissingAcceptHeaderCount;

    /// <summary>POST /oauth/token requests per <c>grant_type</c>, successful or not.</summary>
    public IReadOnlyDictionary<string, int> TokenRequests => _oauth.TokenRequests;

    /// <summary>Every refresh token issued, oldest first.</summary>
    public IReadOnlyList<string> IssuedRefreshTokens => _oauth.IssuedRefreshTokens;

    /// <summary>DELETE /users/{userId} requests handled, successful or not (see <see cref="DeleteCounts"/>).</summary>
    public int DeleteCount(string userId) => _state.DeleteCount(userId);

    /// <summary>Requests (any method) whose path starts with <paramref name="pathPrefix"/>, e.g. <c>/users</c>.</summary>
    public int RequestCount(string pathPrefix) => _requests.Count(null, pathPrefix);

    /// <summary>Requests with <paramref name="method"/> whose path starts with <paramref name="pathPrefix"/>.</summary>
    public int RequestCount(string method, string pathPrefix) => _requests.Count(method, pathPrefix);

    /// <summary>The most REST API requests (not <c>/oauth</c>) being handled at the same time since the start or <see cref="ResetPeakInFlight"/>.</summary>
    public int PeakInFlight => _requests.PeakInFlight;

    /// <summary>Starts measuring <see cref="PeakInFlight"/> afresh.</summary>
    public void ResetPeakInFlight() => _requests.ResetPeak();

    /// <summary>When each request whose path starts with <paramref name="pathPrefix"/> arrived, since the simulator started, in order.</summary>
    public IReadOnlyList<TimeSpan> Arrivals(string pathPrefix) => _requests.Arrivals(pathPrefix);

    /// <summary>POST /oauth/token requests with this <c>grant_type</c>.</summary>
    public int TokenRequestCount(string grantType) => TokenRequests.GetValueOrDefault(grantType);

    /// <summary>Sets a user's open incidents (0 lets DELETE succeed).</summary>
    public void SetOpenIncidents(string userId, int count) => _state.SetOpenIncidents(userId, count);

    /// <summary>Adds an on-call entry.</summary>
    public void AddOnCall(PagerDutyOnCall onCall) => _state.AddOnCall(onCall);

    /// <summary>Generates the account from <paramref name="seed"/> (times relative to <paramref name="time"/>) and starts listening.</summary>
    /// <param name="seed">The account to simulate.</param>
    /// <param name="time">The clock for on-call dates, code and token expiry; the system clock by default.</param>
    /// <param name="port">0 for a free port.</param>
    public static async Task<PagerDutySimulator> StartAsync(PagerDutySeed seed, TimeProvider? time = null, int port = 0)
    {
        ArgumentNullException.ThrowIfNull(seed);
        time ??= TimeProvider.System;
        var data = PagerDutyData.Generate(seed, time.GetUtcNow());
        var state = new PagerDutyState(data);
        var oauth = new OAuthStore(time, seed);
        var faults = new PagerDutyFaults(oauth);
        var requests = new RequestLog();
        var auth = new PagerDutyAuth(data.ApiToken, oauth, faults);
        var render = new PagerDutyRender(seed);
        PagerDutySimulator? simulator = null;

        var (app, baseUrl) = await SimulatorHost.StartAsync(port, app =>
        {
            app.UseRequestLog("PagerDuty", () => simulator?.RequestLog);
            app.Use(async (context, next) =>
            {
                var path = context.Request.Path.Value ?? "/";
                requests.Add(context.Request.Method, path);
                if (path.StartsWith("/oauth/", StringComparison.Ordinal))
                {
                    await next();
                    return;
                }

                if (!AcceptsVersion2(context.Request))
                {
                    state.CountMissingAccept();
                }

                await requests.InFlightAsync(() => faults.InvokeAsync(context, () => next()));
            });

            UsersEndpoints.Map(app, state, faults, auth, render);
            OnCallsEndpoint.Map(app, state, faults, auth, render, time);
            new OAuthEndpoints(seed, data, oauth).Map(app);
            app.MapFallback(() => PagerDutyErrors.NotFoundError());
        });

        simulator = new PagerDutySimulator(app, baseUrl, seed, data, state, oauth, faults, requests);
        return simulator;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private static bool AcceptsVersion2(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Replace(" ", "", StringComparison.Ordinal)
            .Contains(AcceptHeader, StringComparison.OrdinalIgnoreCase));
}
