using System.Net.Http.Headers;
using FlowEngine.Server;
using FlowEngine.Server.Designer;
using FlowEngine.Tests.Shared;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace FlowEngine.Designer.Tests;

/// <summary>
/// The real server on 127.0.0.1 (a free port), on a temporary database and a temporary copy of flows/, with the
/// scheduler not firing jobs and the designer served from the repository's designer/ folder.
/// </summary>
public sealed class DesignerServer : IAsyncLifetime
{
    private ServerStart? _start;

    /// <summary>The temporary folder holding the database and the flows copy.</summary>
    public string Folder { get; } = TestPaths.TempFolder();

    /// <summary>The copy of flows/ the server loaded.</summary>
    public string FlowsFolder => Path.Combine(Folder, "flows");

    /// <summary>The repository's designer folder.</summary>
    public static string DesignerFolder => Path.Combine(TestPaths.RepositoryRoot, "designer");

    /// <summary>The server's base address, e.g. http://127.0.0.1:41234.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The first admin key.</summary>
    public string AdminKey { get; private set; } = "";

    /// <summary>The running server's parts.</summary>
    public ServerStart Start => _start ?? throw new InvalidOperationException("not started");

    /// <summary>An HTTP client with the admin key.</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        TestPaths.CopyFolder(TestPaths.Flows, FlowsFolder);
        _start = await ServerHost.BuildAsync(new ServerOptions
        {
            Urls = "http://127.0.0.1:0",
            FlowsFolder = FlowsFolder,
            DatabasePath = Path.Combine(Folder, "flowengine.db"),
            DesignerFolder = DesignerFolder,
            RunJobs = false,
        });
        AdminKey = _start.NewAdminKey ?? throw new InvalidOperationException("a new database must create an admin key");
        await _start.App.StartAsync();
        var address = _start.App.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address);
        Client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        Client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", AdminKey);
    }

    /// <summary>Waits for the designer's npm package (the server starts installing it when it is missing).</summary>
    public static async Task EnsureDesignerAsync()
    {
        var install = await DesignerInstaller.EnsureInstalledAsync(DesignerFolder);
        Assert.True(install.Ready, install.Error);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        Client?.Dispose();
        if (_start is not null)
        {
            await _start.App.StopAsync();
            await _start.App.DisposeAsync();
            await _start.License.DisposeAsync();
        }

        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
