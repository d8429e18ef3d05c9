using FlowEngine.Persistence;
using Microsoft.Playwright;

namespace FlowEngine.Designer.Tests;

[CollectionDefinition(Name)]
public sealed class StudioCollection : ICollectionFixture<StudioBrowser>
{
    public const string Name = "studio";
}

/// <summary>The real Elsa Studio served at /designer, in chromium, against our server.</summary>
[Collection(StudioCollection.Name)]
public sealed class StudioBrowserTests(StudioBrowser browser)
{
    private DesignerServer Server => browser.Server;

    private string Url(string path) => new Uri(Server.BaseAddress, "/designer/" + path).ToString();

    private static void NoProblems(StudioPage page) => Assert.True(page.Problems.Count == 0, string.Join("\n", page.Problems));

    [Fact]
    public async Task SignInThenTheDefinitionListShowsTheShippedFlows()
    {
        await using var studio = await StudioPage.OpenAsync(browser, apiKey: null);
        var page = studio.Page;
        await page.GotoAsync(Url(""));
        await page.Locator("#fe-api-key").FillAsync("wrong-key");
        await page.Locator("#fe-sign-in-button").ClickAsync();
        await Assertions.Expect(page.Locator("#fe-sign-in-message")).ToContainTextAsync("not known");
        studio.ForgetProblems(); // the 401 of the wrong key
        await page.Locator("#fe-api-key").FillAsync(Server.AdminKey);
        await page.Locator("#fe-sign-in-button").ClickAsync();
        await Assertions.Expect(page.GetByText("Idle user report")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await studio.ShotAsync("01-definition-list");
        NoProblems(studio);

        // A row opens the editor (the list's editWorkflowDefinition callback).
        await page.GetByText("Idle user report").ClickAsync();
        await Assertions.Expect(Node(page, "classify")).ToHaveCountAsync(1, new() { Timeout = 60_000 });
        Assert.EndsWith("/designer/workflows/definitions/demo.idle_report/edit", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        NoProblems(studio);
    }

    private static ILocator Node(IPage page, string name) =>
        page.Locator(".x6-node").Filter(new() { Has = page.GetByText(name, new() { Exact = true }) });

    // The studio moves to the viewer with history.pushState, which WaitForURL does not always see; poll the URL.
    private static async Task WaitForViewerUrlAsync(IPage page)
    {
        for (var i = 0; i < 300 && !System.Text.RegularExpressions.Regex.IsMatch(new Uri(page.Url).AbsolutePath, "/designer/workflows/instances/[^/]+/view$"); i++)
        {
            await page.WaitForTimeoutAsync(100);
        }

        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(new Uri(page.Url).AbsolutePath, "/designer/workflows/instances/[^/]+/view$"), page.Url);
    }

    private static async Task OpenEditorAsync(IPage page, string url, string someNode)
    {
        await page.GotoAsync(url);
        await Assertions.Expect(Node(page, someNode)).ToHaveCountAsync(1, new() { Timeout = 60_000 });
        // Zoom to fit (the first button of the canvas toolbar), so every node is on screen.
        await page.Locator("div[role=toolbar] button.mud-icon-button").First.ClickAsync();
        await page.WaitForTimeoutAsync(500);
    }

    [Fact]
    public async Task PagerDutyDownloadSubflowOpensAsAFlowchartWithTheSpokesInTheToolbox()
    {
        await using var studio = await StudioPage.OpenAsync(browser, Server.AdminKey);
        var page = studio.Page;
        await OpenEditorAsync(page, Url("workflows/definitions/pagerduty.sam.download_subscriptions/edit"), "store");
        foreach (var step in new[] { "users", "to_subscriptions", "store" })
        {
            await Assertions.Expect(Node(page, step)).ToBeVisibleAsync();
        }

        Assert.True(await page.Locator(".x6-edge").CountAsync() >= 3, "the steps are joined by connections, the streamed pages' steps on the call's Do port");
        await studio.ShotAsync("02-editor-flowchart");

        await page.GetByText("PagerDuty", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText("List users", new() { Exact = true }).First).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Remove user", new() { Exact = true })).ToBeVisibleAsync();
        await page.WaitForTimeoutAsync(500);
        await studio.ShotAsync("03-editor-toolbox-pagerduty");
        await page.GetByText("PagerDuty", new() { Exact = true }).ClickAsync();
        await page.GetByText("Roadmunk", new() { Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByText("Deactivate user", new() { Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Look up users using file", new() { Exact = true })).ToBeVisibleAsync();
        await page.WaitForTimeoutAsync(500);
        await studio.ShotAsync("03-editor-toolbox-roadmunk");
        NoProblems(studio);
    }

    [Fact]
    public async Task AnInputChangedInTheStudioIsSavedAsANewVersionThenPublished()
    {
        const string id = "pagerduty.sam.update_user_activity";
        const string until = "2026-12-01T00:00:00Z";
        await using var studio = await StudioPage.OpenAsync(browser, Server.AdminKey);
        var page = studio.Page;
        await OpenEditorAsync(page, Url($"workflows/definitions/{id}/edit"), "oncalls");
        await Node(page, "oncalls").ClickAsync();
        var query = page.Locator(".mud-input-control:has(label:text-is('Until')) input");
        await Assertions.Expect(query).ToBeVisibleAsync();
        var saved = page.WaitForResponseAsync(r => r.Url.EndsWith("/elsa/api/workflow-definitions", StringComparison.Ordinal) && r.Request.Method == "POST"
            && (r.Request.PostData ?? "").Contains($"\"value\":\"{until}\"", StringComparison.Ordinal), new() { Timeout = 30_000 });
        await query.FillAsync(until);
        await query.PressAsync("Tab");
        var save = await saved;
        Assert.Equal(200, save.Status);
        File.WriteAllText(Path.Combine(StudioBrowser.Screenshots, "04-save-request.json"), save.Request.PostData);
        await studio.ShotAsync("04-editor-input-saved");

        var versions = await Server.Start.Engine.Definitions.ListAsync(id);
        Assert.Equal([1, 2], versions.Select(v => v.Version));
        Assert.Equal(VersionStatus.Draft, versions[1].Status);
        Assert.Contains("until: ", versions[1].SourceText, StringComparison.Ordinal);
        Assert.Contains(until, versions[1].SourceText, StringComparison.Ordinal);

        // Publish (the cloud button): version 2 becomes the published one.
        var published = page.WaitForResponseAsync(r => r.Url.EndsWith("/elsa/api/workflow-definitions", StringComparison.Ordinal)
            && (r.Request.PostData ?? "").Contains("\"publish\":true", StringComparison.Ordinal), new() { Timeout = 30_000 });
        await page.Locator("div[role=toolbar] button.mud-primary-text").ClickAsync();
        Assert.Equal(200, (await published).Status);
        await Assertions.Expect(page.GetByText("Workflow published")).ToBeVisibleAsync();
        await studio.ShotAsync("05-editor-published");
        versions = await Server.Start.Engine.Definitions.ListAsync(id);
        Assert.Equal([VersionStatus.Draft, VersionStatus.Published], versions.Select(v => v.Status));
        NoProblems(studio);
    }

    [Fact]
    public async Task ARunFromTheStudioAppearsInTheInstanceViewerWithItsSteps()
    {
        await using var studio = await StudioPage.OpenAsync(browser, Server.AdminKey);
        var page = studio.Page;
        await OpenEditorAsync(page, Url("workflows/definitions/demo.idle_report/edit"), "classify");
        await page.Locator("div[role=toolbar] button.mud-success-text").ClickAsync();
        await WaitForViewerUrlAsync(page);
        var instanceId = new Uri(page.Url).AbsolutePath.Split('/')[^2];
        var execution = await Server.Start.Engine.Executions.GetAsync(Guid.Parse(instanceId), CancellationToken.None);
        Assert.NotNull(execution);
        Assert.Equal("designer", execution.TriggeredBy);
        await Assertions.Expect(Node(page, "classify")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(page.GetByText("For each - Completed").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.Locator("div[role=toolbar] button.mud-icon-button").First.ClickAsync();
        await page.WaitForTimeoutAsync(1000);
        await studio.ShotAsync("06-instance-viewer");

        // The instance list (Executions) shows the run; a click opens it again.
        await page.Locator("#fe-nav-executions").ClickAsync();
        var row = page.Locator("elsa-workflow-instance-list tr").Filter(new() { HasText = instanceId }).First;
        await Assertions.Expect(row).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await studio.ShotAsync("07-instance-list");
        await row.ClickAsync();
        await WaitForViewerUrlAsync(page);
        await Assertions.Expect(Node(page, "classify")).ToBeVisibleAsync(new() { Timeout = 60_000 });
        NoProblems(studio);
    }
}
