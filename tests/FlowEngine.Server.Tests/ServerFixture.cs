using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using FlowEngine.Server.Auth;
using FlowEngine.Simulators;
using FlowEngine.Tests.Shared;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace FlowEngine.Server.Tests;

/// <summary>
/// One real server on 127.0.0.1 for the test collection: a temp SQLite file, a copy of flows/ as its flows folder,
/// jobs managed but not fired, an API key per role, and a PagerDuty simulator.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);

    public string Folder { get; } = TestPaths.TempFolder();

    public string FlowsFolder => Path.Combine(Folder, "flows");

    public string BaseUrl { get; private set; } = "";

    public ServerStart Start { get; private set; } = null!;

    public WebApplication App => Start.App;

    public Hosting.Engine Engine => Start.Engine;

    public PagerDutySimulator PagerDuty { get; private set; } = null!;

    /// <summary>The keys of every role, to check none comes back in a response.</summary>
    public IReadOnlyCollection<string> AllKeys => _keys.Values;

    public async Task InitializeAsync()
    {
        TestPaths.CopyFolder(TestPaths.Flows, FlowsFolder);
        BaseUrl = $"http://127.0.0.1:{FreePort()}";
        Start = await ServerHost.BuildAsync(new ServerOptions
        {
            Urls = BaseUrl,
            FlowsFolder = FlowsFolder,
            DatabasePath = Path.Combine(Folder, "flowengine.db"),
            DesignerFolder = Path.Combine(Folder, "designer"),
            RunJobs = false,
        });
        Assert.DoesNotContain(Start.Diagnostics, d => d.Severity == Definitions.Severity.Error);
        _keys[Roles.Admin] = Start.NewAdminKey ?? throw new InvalidOperationException("a new store must print its first admin key");
        var keys = App.Services.GetRequiredService<ApiKeys>();
        _keys[Roles.Integrator] = await keys.CreateAsync("integrator key", Roles.Integrator, default);
        _keys[Roles.Viewer] = await keys.CreateAsync("viewer key", Roles.Viewer, default);
        await App.StartAsync();
        PagerDuty = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 30 });
    }

    public async Task DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        await Start.License.DisposeAsync();
        await PagerDuty.DisposeAsync();
    }

    public string Key(string role) => _keys[role];

    /// <summary>A client with the key of <paramref name="role"/> (null: no key). Redirects are followed.</summary>
    public HttpClient Client(string? role, bool followRedirects = true)
    {
        var client = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = followRedirects }) { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromSeconds(60) };
        if (role is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", _keys[role]);
        }

        return client;
    }

    public HttpClient Admin() => Client(Roles.Admin);

    /// <summary>Reads a JSON answer, failing with the body when the status is not the one expected.</summary>
    public static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} answered {(int)response.StatusCode} {response.StatusCode}, expected {(int)expected}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Sets the PagerDuty spoke's alias to the simulator with its API token.</summary>
    public async Task ConnectPagerDutyAsync()
    {
        using var admin = Admin();
        using var response = await admin.PutAsJsonAsync("/api/aliases/sn_pagerduty_spoke.PagerDuty", new
        {
            url = PagerDuty.BaseUrl,
            credentialType = "api_token",
            secrets = new Dictionary<string, string> { ["token"] = PagerDuty.ApiToken },
        });
        await ReadAsync(response);
    }

    /// <summary>Polls an execution until it is no longer running.</summary>
    public async Task<JsonElement> WaitForExecutionAsync(HttpClient client, string location, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var execution = await ReadAsync(await client.GetAsync(location));
            if (execution.GetProperty("status").GetString() != "Running" || DateTime.UtcNow > deadline)
            {
                return execution;
            }

            await Task.Delay(25);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class ServerCollection : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
