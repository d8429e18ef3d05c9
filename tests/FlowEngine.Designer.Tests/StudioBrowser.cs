using Microsoft.Playwright;

namespace FlowEngine.Designer.Tests;

/// <summary>
/// Debian's chromium (/usr/bin/chromium, installed by .ci/install-chromium.sh) driven by Playwright, against a real
/// server with the designer. Playwright never downloads a browser here.
/// </summary>
public sealed class StudioBrowser : IAsyncLifetime
{
    /// <summary>The browser every test uses.</summary>
    public const string ChromiumPath = "/usr/bin/chromium";

    private IPlaywright? _playwright;

    /// <summary>The server the studio talks to.</summary>
    public DesignerServer Server { get; } = new();

    /// <summary>The launched browser.</summary>
    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Where screenshots are kept: TestResults/designer under the test output folder.</summary>
    public static string Screenshots { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "designer");

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        if (!File.Exists(ChromiumPath))
        {
            // The README's single test command must work on a fresh machine: install Debian's chromium (root, apt).
            var script = Path.Combine(FlowEngine.Tests.Shared.TestPaths.RepositoryRoot, ".ci", "install-chromium.sh");
            using var install = System.Diagnostics.Process.Start("bash", script)!;
            await install.WaitForExitAsync();
        }

        Assert.True(File.Exists(ChromiumPath), $"{ChromiumPath} is missing and could not be installed: run 'bash .ci/install-chromium.sh' as root");
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        Directory.CreateDirectory(Screenshots);
        await Server.InitializeAsync();
        await DesignerServer.EnsureDesignerAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
            ],
        });
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>One page of the designer with what its console and the API said.</summary>
public sealed class StudioPage(IPage page, IBrowserContext context) : IAsyncDisposable
{
    private readonly List<string> _problems = [];

    /// <summary>The page.</summary>
    public IPage Page { get; } = page;

    /// <summary>Console errors and API failures seen so far.</summary>
    public IReadOnlyList<string> Problems
    {
        get
        {
            lock (_problems)
            {
                return [.. _problems];
            }
        }
    }

    /// <summary>Forgets the problems seen so far (ones a test caused on purpose).</summary>
    public void ForgetProblems()
    {
        lock (_problems)
        {
            _problems.Clear();
        }
    }

    /// <summary>Every console message, for the artefacts.</summary>
    public List<string> Console { get; } = [];

    /// <summary>Opens a page on a fresh context; with a key, the page starts signed in.</summary>
    public static async Task<StudioPage> OpenAsync(StudioBrowser browser, string? apiKey)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1500, Height = 900 } });
        if (apiKey is not null)
        {
            await context.AddInitScriptAsync($"sessionStorage.setItem('flowengine.apiKey', '{apiKey}');");
        }

        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(30_000);
        var studio = new StudioPage(page, context);
        page.Console += (_, message) =>
        {
            lock (studio._problems)
            {
                studio.Console.Add($"{message.Type}: {message.Text}");
                if (message.Type == "error")
                {
                    studio._problems.Add("console: " + message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (studio._problems)
            {
                studio._problems.Add("page error: " + error);
            }
        };
        page.Response += (_, response) =>
        {
            if (response.Url.Contains("/elsa/api/", StringComparison.Ordinal) && response.Status >= 400)
            {
                lock (studio._problems)
                {
                    studio._problems.Add($"api: {response.Request.Method} {response.Url} → {response.Status}");
                }
            }
        };
        return studio;
    }

    /// <summary>Saves a screenshot as an artefact and returns its path.</summary>
    public async Task<string> ShotAsync(string name)
    {
        var path = Path.Combine(StudioBrowser.Screenshots, name + ".png");
        await Page.ScreenshotAsync(new PageScreenshotOptions { Path = path });
        lock (_problems)
        {
            File.WriteAllLines(Path.Combine(StudioBrowser.Screenshots, name + ".console.txt"), Console);
        }

        return path;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await context.CloseAsync();
    }
}
