using FlowEngine.Simulators;
using Microsoft.Playwright;

namespace FlowEngine.Designer.Tests;

/// <summary>The admin pages at /admin in chromium, against our server and the PagerDuty simulator, as an admin uses them.</summary>
[Collection(StudioCollection.Name)]
public sealed class AdminPagesBrowserTests(StudioBrowser browser)
{
    private const string Alias = "sn_pagerduty_spoke.PagerDuty";
    private const string ProfileName = "PagerDuty Integration";
    private const string SoftwareModel = "PagerDuty, Inc. PagerDuty";

    private DesignerServer Server => browser.Server;

    private string Url(string path) => new Uri(Server.BaseAddress, "/admin/" + path).ToString();

    [Fact]
    public async Task AdminPages_SignIn_ConnectPagerDuty_ValidateAndPublishAProfile_ThenCandidatesAndReconciliation()
    {
        // The studio tests on this shared server publish edited license subflows, and profile runs take the latest
        // published version; put the shipped versions (the ones in flows/) back so the runs do what was shipped.
        foreach (var (id, file) in new[] { ("pagerduty.sam.download_subscriptions", "download_subscriptions.yaml"), ("pagerduty.sam.update_user_activity", "update_user_activity.yaml") })
        {
            var text = File.ReadAllText(Path.Combine(FlowEngine.Tests.Shared.TestPaths.Flows, "license", "pagerduty", file));
            var shipped = int.Parse(System.Text.RegularExpressions.Regex.Match(text, @"(?m)^version: (\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            foreach (var version in await Server.Start.Engine.Definitions.ListAsync(id))
            {
                await Server.Start.Engine.Definitions.SetStatusAsync(id, version.Version, version.Version == shipped ? FlowEngine.Persistence.VersionStatus.Published : FlowEngine.Persistence.VersionStatus.Draft);
            }
        }

        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<FlowEngine.Server.ServerState>(Server.Start.App.Services).DefinitionsChanged();

        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 30 });
        await using var admin = await StudioPage.OpenAsync(browser, apiKey: null);
        var page = admin.Page;
        var apiFailures = new List<string>();
        page.Response += (_, response) =>
        {
            if (new Uri(response.Url).AbsolutePath.StartsWith("/api/", StringComparison.Ordinal) && response.Status >= 400)
            {
                lock (apiFailures)
                {
                    apiFailures.Add($"{response.Request.Method} {response.Url} → {response.Status}");
                }
            }
        };
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            lock (dialogs)
            {
                dialogs.Add(dialog.Message);
            }

            _ = dialog.AcceptAsync();
        };

        // Sign in with the admin key.
        await page.GotoAsync(new Uri(Server.BaseAddress, "/admin").ToString());
        await Assertions.Expect(page.Locator("#signin h1")).ToHaveTextAsync("Sign in");
        await page.Locator("#api-key").FillAsync(Server.AdminKey);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#who")).ToContainTextAsync("(admin)");
        await Assertions.Expect(page.Locator("#content h1")).ToHaveTextAsync("Overview");
        await admin.ShotAsync("10-admin-overview");

        // Aliases: point the PagerDuty alias at the simulator with an API token, then test the connection.
        await page.Locator("#nav").GetByRole(AriaRole.Link, new() { Name = "Aliases" }).ClickAsync();
        var aliasRow = page.Locator($"#aliases tr[data-alias='{Alias}']");
        await Assertions.Expect(aliasRow).ToContainTextAsync("not configured");
        await aliasRow.GetByRole(AriaRole.Button, new() { Name = "Edit" }).ClickAsync();
        await Assertions.Expect(page.Locator("#alias-id")).ToHaveValueAsync(Alias);
        await page.Locator("#url").FillAsync(sim.BaseUrl);
        await page.Locator("#credential-type").SelectOptionAsync("api_token");
        await page.Locator("#secret-token").FillAsync(sim.ApiToken);
        await page.Locator("#save").ClickAsync();
        await Assertions.Expect(page.Locator("#messages")).ToContainTextAsync($"saved the connection of {Alias}");
        await Assertions.Expect(aliasRow).ToContainTextAsync(sim.BaseUrl);
        await Assertions.Expect(aliasRow.Locator("td").Nth(4)).ToHaveTextAsync("api_token");
        await Assertions.Expect(aliasRow.Locator("td").Nth(5)).ToHaveTextAsync("token");
        Assert.DoesNotContain(sim.ApiToken, await page.ContentAsync(), StringComparison.Ordinal);
        await aliasRow.GetByRole(AriaRole.Button, new() { Name = "Test connection" }).ClickAsync();
        await Assertions.Expect(page.Locator("#messages .message.ok").First).ToContainTextAsync("connection works", new() { Timeout = 60_000 });
        await admin.ShotAsync("10-admin-aliases");

        // Profiles: create a PagerDuty profile (Draft), Validate Connection, Publish (accepting the confirm dialog).
        await page.Locator("#nav").GetByRole(AriaRole.Link, new() { Name = "Integration profiles" }).ClickAsync();
        await Assertions.Expect(page.Locator("#profiles tbody")).ToContainTextAsync("No integration profiles yet.");
        await page.Locator("#vendor").SelectOptionAsync("pagerduty");
        await page.Locator("#display-name").FillAsync(ProfileName);
        await Assertions.Expect(page.Locator("#alias")).ToHaveValueAsync(Alias);
        await Assertions.Expect(page.Locator("#download-activity")).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("#reclaim")).ToBeCheckedAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create profile" }).ClickAsync();
        var profileRow = page.Locator("#profiles tbody tr").Filter(new() { HasText = ProfileName });
        await Assertions.Expect(profileRow.Locator("td").Nth(4)).ToHaveTextAsync("Draft");
        await Assertions.Expect(profileRow).ToContainTextAsync("not validated");
        await Assertions.Expect(profileRow.GetByRole(AriaRole.Button, new() { Name = "Publish" })).ToBeDisabledAsync();
        await Assertions.Expect(profileRow.GetByLabel($"Download Activity of {ProfileName}")).ToBeCheckedAsync();
        await Assertions.Expect(profileRow.GetByLabel($"Reclaim subscriptions of {ProfileName}")).ToBeCheckedAsync();

        await profileRow.GetByRole(AriaRole.Button, new() { Name = "Validate Connection" }).ClickAsync();
        await Assertions.Expect(page.Locator("#messages .message.ok").First).ToContainTextAsync($"connection works: '{ProfileName}' reached pagerduty", new() { Timeout = 60_000 });
        await Assertions.Expect(profileRow.Locator("td").Nth(8)).ToContainTextAsync("ok");
        await Assertions.Expect(profileRow.GetByRole(AriaRole.Button, new() { Name = "Publish" })).ToBeEnabledAsync();
        await admin.ShotAsync("10-admin-profile-validated");

        await profileRow.GetByRole(AriaRole.Button, new() { Name = "Publish" }).ClickAsync();
        await Assertions.Expect(page.Locator("#messages .message").First).ToContainTextAsync($"published '{ProfileName}'", new() { Timeout = 120_000 });
        await Assertions.Expect(page.Locator("#messages .message.ok").First).ToContainTextAsync("download: completed");
        await Assertions.Expect(page.Locator("#messages .message.ok").First).ToContainTextAsync("activity: completed");
        await Assertions.Expect(profileRow.Locator("td").Nth(4)).ToHaveTextAsync("Published");
        lock (dialogs)
        {
            Assert.Contains(dialogs, d => d.StartsWith($"Publish '{ProfileName}'?", StringComparison.Ordinal));
        }

        await profileRow.GetByRole(AriaRole.Button, new() { Name = "Details" }).ClickAsync();
        await Assertions.Expect(page.Locator("#detail")).ToContainTextAsync(SoftwareModel);
        await Assertions.Expect(page.Locator("#detail")).ToContainTextAsync($"{sim.Users.Count} (");
        await Assertions.Expect(page.Locator("#detail")).ToContainTextAsync($"SAM - Refresh {ProfileName} Subscriptions");
        await admin.ShotAsync("10-admin-profile-published");

        // Candidates: the idle users are Ready removal candidates of the profile.
        await page.Locator("#nav").GetByRole(AriaRole.Link, new() { Name = "Removal candidates" }).ClickAsync();
        await page.Locator("#profile").SelectOptionAsync(new SelectOptionValue { Label = ProfileName });
        await page.Locator("#state").SelectOptionAsync("Ready");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        var candidates = page.Locator("#candidates tbody tr");
        await Assertions.Expect(candidates.First.Locator("td").Nth(3)).ToHaveTextAsync("Ready");
        var states = await page.Locator("#candidates tbody tr td:nth-child(4)").AllTextContentsAsync();
        Assert.NotEmpty(states);
        Assert.All(states, s => Assert.Equal("Ready", s));
        Assert.All(await page.Locator("#candidates tbody tr td:nth-child(2)").AllTextContentsAsync(), p => Assert.Equal(ProfileName, p));
        await page.Locator("#reclaim-profile").SelectOptionAsync(new SelectOptionValue { Label = ProfileName });
        await page.GetByRole(AriaRole.Button, new() { Name = "Plan" }).ClickAsync();
        await Assertions.Expect(page.Locator("#plan-summary")).ToContainTextAsync($"{states.Count} Ready candidate(s) for '{ProfileName}'");
        await admin.ShotAsync("10-admin-candidates");

        // Reconciliation: add an entitlement of 10 rights, reconcile, and see the PagerDuty software model over its rights.
        await page.Locator("#nav").GetByRole(AriaRole.Link, new() { Name = "Reconciliation" }).ClickAsync();
        await Assertions.Expect(page.Locator("#results tbody")).ToContainTextAsync("Not reconciled yet.");
        await page.Locator("#model").SelectOptionAsync(new SelectOptionValue { Label = SoftwareModel });
        await page.Locator("#rights").FillAsync("10");
        await page.Locator("#unit-cost").FillAsync("120");
        await page.Locator("#description").FillAsync("PO-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add entitlement" }).ClickAsync();
        await Assertions.Expect(page.Locator("#entitlements tbody")).ToContainTextAsync("PO-1");
        await page.GetByRole(AriaRole.Button, new() { Name = "Reconcile now" }).ClickAsync();
        await Assertions.Expect(page.Locator("#messages")).ToContainTextAsync("reconciled every software model");
        var line = page.Locator("#results tbody tr").Filter(new() { HasText = SoftwareModel });
        await Assertions.Expect(line).ToHaveCountAsync(1);
        await Assertions.Expect(line.Locator("td").Nth(1)).ToHaveTextAsync("10");
        await Assertions.Expect(line.Locator("td").Nth(2)).ToHaveTextAsync(sim.Users.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(line.Locator("td").Nth(4)).ToHaveTextAsync($"no ({sim.Users.Count - 10} over)");
        await admin.ShotAsync("10-admin-reconciliation");

        // The server really talked to the vendor: it listed the users, and removed none (no reclaim was run).
        Assert.True(sim.RequestCount("GET", "/users") > 0, "the download never listed PagerDuty's users");
        Assert.Equal(0, sim.RequestCount("DELETE", "/users"));

        Assert.True(admin.Problems.Count == 0, string.Join("\n", admin.Problems));
        lock (apiFailures)
        {
            Assert.True(apiFailures.Count == 0, string.Join("\n", apiFailures));
        }

        await Assertions.Expect(page.Locator("#messages .message.bad")).ToHaveCountAsync(0);
    }
}
