using FlowEngine.Simulators.Hosting;
using FlowEngine.Simulators.Roadmunk;
using FlowEngine.Simulators.Roadmunk.GraphQL;

namespace FlowEngine.Simulators;

/// <summary>
/// A running Roadmunk GraphQL gateway simulator for one region on 127.0.0.1 (shapes from domain.md §4.3, all assumed).
/// SIMULATOR — not a real vendor. Start with <see cref="StartAsync"/>; dispose to stop.
/// </summary>
public sealed class RoadmunkSimulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RoadmunkState _state;
    private readonly RequestLog _requests;

    private RoadmunkSimulator(WebApplication app, string baseUrl, RoadmunkSeed seed, RoadmunkData data, RoadmunkState state, RoadmunkFaults faults, RequestLog requests)
    {
        _app = app;
        _state = state;
        _requests = requests;
        BaseUrl = baseUrl;
        Seed = seed;
        AccountId = data.AccountId;
        ApiToken = data.ApiToken;
        Faults = faults;
    }

    /// <summary>The gateway root (POST GraphQL here, or to <c>/graphql</c>), e.g. <c>http://127.0.0.1:41235</c> (no trailing slash).</summary>
    public string BaseUrl { get; }

    public RoadmunkSeed Seed { get; }

    public RoadmunkRegion Region => Seed.Region;

    /// <summary>The real gateway this stands for, e.g. <c>https://eu-gateway.roadmunk.com</c>.</summary>
    public string RealGatewayUrl => $"https://{Region.ToString().ToLowerInvariant()}-gateway.roadmunk.com";

    public string AccountId { get; }

    /// <summary>The API token (549 characters): send <c>Authorization: Bearer {ApiToken}</c>.</summary>
    public string ApiToken { get; }

    public RoadmunkFaults Faults { get; }

    /// <summary>When set, one line per request is written here (the command line sets the console).</summary>
    public TextWriter? RequestLog { get; set; }

    /// <summary>All users now, active and inactive, in the order the users query pages them.</summary>
    public IReadOnlyList<RoadmunkUser> Users => _state.Users;

    /// <summary>HTTP requests received (all paths).</summary>
    public int RequestCount() => _requests.Count(null, "/");

    /// <summary>HTTP requests whose path starts with <paramref name="pathPrefix"/>.</summary>
    public int RequestCount(string pathPrefix) => _requests.Count(null, pathPrefix);

    /// <summary>The most gateway requests being handled at the same time since the start or <see cref="ResetPeakInFlight"/>.</summary>
    public int PeakInFlight => _requests.PeakInFlight;

    /// <summary>Starts measuring <see cref="PeakInFlight"/> afresh.</summary>
    public void ResetPeakInFlight() => _requests.ResetPeak();

    /// <summary>When each request whose path starts with <paramref name="pathPrefix"/> arrived, since the simulator started, in order.</summary>
    public IReadOnlyList<TimeSpan> Arrivals(string pathPrefix) => _requests.Arrivals(pathPrefix);

    /// <summary>Times a field ran: <c>account</c>, <c>users</c> (Account.users) or <c>inactivateUser</c>.</summary>
    public int OperationCount(string field) => _state.OperationCount(field);

    /// <summary><c>inactivateUser</c> calls naming <paramref name="userId"/>, successful or not.</summary>
    public int InactivateCount(string userId) => _state.InactivateCount(userId);

    /// <summary>The admin's "Download User CSV" report for the current users: <c>First Name,Last Name,Email,Role,Status,Last Login,Date Added</c>.</summary>
    public string ExportUsersCsv() => RoadmunkCsv.Export(_state.Users);

    /// <summary>Generates the account from <paramref name="seed"/> (dates relative to <paramref name="time"/>) and starts listening.</summary>
    /// <param name="seed">The account to simulate.</param>
    /// <param name="time">The clock the dates are relative to; the system clock by default.</param>
    /// <param name="port">0 for a free port.</param>
    public static async Task<RoadmunkSimulator> StartAsync(RoadmunkSeed seed, TimeProvider? time = null, int port = 0)
    {
        ArgumentNullException.ThrowIfNull(seed);
        time ??= TimeProvider.System;
        var data = RoadmunkData.Generate(seed, time.GetUtcNow());
        var state = new RoadmunkState(data);
        var faults = new RoadmunkFaults();
        var requests = new RequestLog();
        RoadmunkSimulator? simulator = null;

        var (app, baseUrl) = await SimulatorHost.StartAsync(port, app =>
        {
            app.UseRequestLog("Roadmunk", () => simulator?.RequestLog);
            app.Use(async (context, next) =>
            {
                var path = context.Request.Path.Value ?? "/";
                requests.Add(context.Request.Method, path);
                if (path.StartsWith("/_simulator/", StringComparison.Ordinal))
                {
                    await next();
                    return;
                }

                await requests.InFlightAsync(() => faults.InvokeAsync(context, () => next()));
            });
            // Not a Roadmunk endpoint: lets a person fetch the "Download User CSV" report from the command line.
            app.MapGet("/_simulator/users.csv", () => Results.Text(RoadmunkCsv.Export(state.Users), "text/csv"));
            new RoadmunkEndpoint(data, faults, new RoadmunkExecutor(state, data, seed, faults)).Map(app);
        });

        simulator = new RoadmunkSimulator(app, baseUrl, seed, data, state, faults, requests);
        return simulator;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
