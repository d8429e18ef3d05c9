using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using FlowEngine.Server;
using FlowEngine.Server.Auth;
using FlowEngine.Simulators;
using FlowEngine.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlowEngine.BadInput.Tests;

/// <summary>
/// One real server on 127.0.0.1 with a temp SQLite file and a copy of flows/, both vendor simulators, and data worth
/// protecting: a published PagerDuty profile and a published Roadmunk profile (with a user CSV attached) whose
/// downloads stored subscriptions and candidates. Every warning or error the server logs is kept, to check that bad
/// input never shows up as a server failure.
/// </summary>
public sealed class BadInputServer : IAsyncLifetime
{
    public const string PagerDutyProfile = "PD Bad Input";

    public const string RoadmunkProfile = "RM Bad Input";

    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);

    public string Folder { get; } = TestPaths.TempFolder();

    public string Database => Path.Combine(Folder, "flowengine.db");

    public string BaseUrl { get; private set; } = "";

    public ServerStart Start { get; private set; } = null!;

    public WebApplication App => Start.App;

    public PagerDutySimulator PagerDuty { get; private set; } = null!;

    public RoadmunkSimulator Roadmunk { get; private set; } = null!;

    /// <summary>Warnings and errors the server logged: category, message and the exception's type, if any.</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    /// <summary>Texts no answer may contain: the API keys and the vendors' tokens.</summary>
    public IReadOnlyList<string> Secrets => [.. _keys.Values, PagerDuty.ApiToken, Roadmunk.ApiToken];

    public async Task InitializeAsync()
    {
        TestPaths.CopyFolder(TestPaths.Flows, Path.Combine(Folder, "flows"));
        BaseUrl = $"http://127.0.0.1:{FreePort()}";
        Start = await ServerHost.BuildAsync(new ServerOptions
        {
            Urls = BaseUrl,
            FlowsFolder = Path.Combine(Folder, "flows"),
            DatabasePath = Database,
            DesignerFolder = Path.Combine(Folder, "designer"),
            RunJobs = false,
        });
        App.Services.GetRequiredService<ILoggerFactory>().AddProvider(new CapturingLogger(Log));
        _keys[Roles.Admin] = Start.NewAdminKey ?? throw new InvalidOperationException("a new store must print its first admin key");
        var keys = App.Services.GetRequiredService<ApiKeys>();
        _keys[Roles.Integrator] = await keys.CreateAsync("integrator key", Roles.Integrator, default);
        _keys[Roles.Viewer] = await keys.CreateAsync("viewer key", Roles.Viewer, default);
        await App.StartAsync();
        PagerDuty = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 30 });
        Roadmunk = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = 30 });
        await SeedAsync();
    }

    public async Task DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Start.License.DisposeAsync();
        await PagerDuty.DisposeAsync();
        await Roadmunk.DisposeAsync();
    }

    /// <summary>A client with the key of <paramref name="role"/> (null: no key); redirects are not followed.</summary>
    public HttpClient Client(string? role = Roles.Admin)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromMinutes(8) };
        if (role is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", _keys[role]);
        }

        return client;
    }

    /// <summary>Every stored row a bad request must leave as it was.</summary>
    public string Snapshot() => StoreSnapshot.Take(Database);

    /// <summary>Null when the server logged no exception since entry <paramref name="logged"/> of <see cref="Log"/>; else the first one.</summary>
    public string? ExceptionLoggedSince(int logged) =>
        Log.Skip(logged).FirstOrDefault(l => l.Contains("Exception", StringComparison.Ordinal)) is { } line ? "the server logged " + line : null;

    /// <summary>The stored subscriptions of one profile (external id and principal name), for the vendor doors.</summary>
    public async Task<int> SubscriptionCountAsync(string profile)
    {
        using var admin = Client();
        var list = await ReadAsync(await admin.GetAsync($"/api/subscriptions?profile={Uri.EscapeDataString(profile)}"));
        return list.GetArrayLength();
    }

    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, expected {(int)expected}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    private async Task SeedAsync()
    {
        using var admin = Client();
        await ReadAsync(await admin.PutAsJsonAsync("/api/aliases/sn_pagerduty_spoke.PagerDuty", new
        {
            url = PagerDuty.BaseUrl,
            credentialType = "api_token",
            secrets = new Dictionary<string, string> { ["token"] = PagerDuty.ApiToken },
        }));
        await ReadAsync(await admin.PutAsJsonAsync("/api/aliases/sn_roadmunk_spoke.Roadmunk", new
        {
            url = Roadmunk.BaseUrl,
            credentialType = "api_token",
            secrets = new Dictionary<string, string> { ["token"] = Roadmunk.ApiToken },
        }));
        foreach (var (vendor, name) in new[] { ("pagerduty", PagerDutyProfile), ("roadmunk", RoadmunkProfile) })
        {
            await ReadAsync(await admin.PostAsJsonAsync("/api/profiles", new { vendor, displayName = name }), HttpStatusCode.Created);
            if (vendor == "roadmunk")
            {
                using var csv = new StringContent(Roadmunk.ExportUsersCsv(), System.Text.Encoding.UTF8, "text/csv");
                await ReadAsync(await admin.PostAsync($"/api/profiles/{Uri.EscapeDataString(name)}/attachments?fileName=users.csv", csv), HttpStatusCode.Created);
            }

            var validated = await ReadAsync(await admin.PostAsync($"/api/profiles/{Uri.EscapeDataString(name)}/validate", null));
            Assert.True(validated.GetProperty("succeeded").GetBoolean(), validated.ToString());
            var published = await ReadAsync(await admin.PostAsync($"/api/profiles/{Uri.EscapeDataString(name)}/publish", null));
            Assert.True(published.GetProperty("download").GetProperty("succeeded").GetBoolean(), published.ToString());
        }

        await ReadAsync(await admin.PostAsJsonAsync("/api/entitlements", new { softwareModel = "pagerduty", rights = 10, unitCost = 120m }), HttpStatusCode.Created);
        await ReadAsync(await admin.PostAsJsonAsync("/api/exclusions", new { kind = "user", value = "keep@example.com" }), HttpStatusCode.Created);
        Assert.True(await SubscriptionCountAsync(PagerDutyProfile) > 0);
        Assert.True(await SubscriptionCountAsync(RoadmunkProfile) > 0);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class CapturingLogger(ConcurrentQueue<string> log) : ILoggerProvider, ILogger
    {
        public ILogger CreateLogger(string categoryName) => this;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                log.Enqueue($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : " [" + exception.GetType().Name + "]")}");
            }
        }

        public void Dispose()
        {
        }
    }
}

[CollectionDefinition(Name)]
public sealed class BadInputCollection : ICollectionFixture<BadInputServer>
{
    public const string Name = "bad input server";
}
