using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using FlowEngine.Server.Auth;

namespace FlowEngine.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class LicenseApiTests(ServerFixture server)
{
    [Fact]
    public async Task Profile_ValidatePublish_Candidates_ReclaimPlanAndRun_Reconciliation_AgainstThePagerDutySimulator()
    {
        await server.ConnectPagerDutyAsync();
        using var admin = server.Admin();
        using var viewer = server.Client(Roles.Viewer);
        const string Name = "PagerDuty Integration API";

        var test = await ServerFixture.ReadAsync(await admin.PostAsync("/api/aliases/sn_pagerduty_spoke.PagerDuty/test", null));
        Assert.True(test.GetProperty("succeeded").GetBoolean(), test.ToString());

        using var create = await admin.PostAsJsonAsync("/api/profiles", new { vendor = "pagerduty", displayName = Name });
        var created = await ServerFixture.ReadAsync(create, HttpStatusCode.Created);
        Assert.Equal("Draft", created.GetProperty("profile").GetProperty("status").GetString());
        Assert.True(created.GetProperty("profile").GetProperty("downloadActivity").GetBoolean());
        var id = created.GetProperty("profile").GetProperty("id").GetString()!;
        var early = await ServerFixture.ReadAsync(await admin.PostAsync($"/api/profiles/{id}/publish", null), HttpStatusCode.BadRequest);
        Assert.Contains("validate", early.GetProperty("detail").GetString(), StringComparison.Ordinal);

        var validation = await ServerFixture.ReadAsync(await admin.PostAsync($"/api/profiles/{Uri.EscapeDataString(Name)}/validate", null));
        Assert.True(validation.GetProperty("succeeded").GetBoolean(), validation.ToString());
        var published = await ServerFixture.ReadAsync(await admin.PostAsync($"/api/profiles/{id[..13]}/publish", null));
        Assert.True(published.GetProperty("download").GetProperty("succeeded").GetBoolean(), published.ToString());
        Assert.True(published.GetProperty("activity").GetProperty("succeeded").GetBoolean(), published.ToString());

        var detail = await ServerFixture.ReadAsync(await viewer.GetAsync($"/api/profiles/{id}"));
        Assert.Equal("Published", detail.GetProperty("profile").GetProperty("status").GetString());
        Assert.Equal(server.PagerDuty.Users.Count, detail.GetProperty("subscriptions").GetInt32());
        Assert.Equal("PagerDuty, Inc. PagerDuty", detail.GetProperty("softwareModel").GetString());
        Assert.Equal([$"SAM - Refresh {Name} Activity", $"SAM - Refresh {Name} Subscriptions"],
            detail.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("name").GetString()!).ToArray());
        var jobs = await ServerFixture.ReadAsync(await viewer.GetAsync("/api/jobs"));
        Assert.Contains(jobs.EnumerateArray(), j => j.GetProperty("name").GetString() == $"SAM - Refresh {Name} Subscriptions");
        var subscriptions = await ServerFixture.ReadAsync(await viewer.GetAsync($"/api/subscriptions?profile={id}"));
        Assert.Equal(server.PagerDuty.Users.Count, subscriptions.GetArrayLength());

        var ready = await ServerFixture.ReadAsync(await viewer.GetAsync($"/api/candidates?profile={id}&state=ready&history=true"));
        Assert.True(ready.GetArrayLength() > 0, "the seed has idle users, so activity creates Ready candidates");
        Assert.All(ready.EnumerateArray(), c => Assert.Equal("Ready", c.GetProperty("state").GetString()));
        Assert.All(ready.EnumerateArray(), c => Assert.True(c.GetProperty("history").GetArrayLength() > 0));

        await ServerFixture.ReadAsync(await admin.PostAsJsonAsync("/api/entitlements", new { softwareModel = "pagerduty", rights = 10, unitCost = 120m, description = "PO-1" }), HttpStatusCode.Created);
        var plan = await ServerFixture.ReadAsync(await viewer.GetAsync($"/api/reclaim/{id}/plan"));
        Assert.Equal(ready.GetArrayLength(), plan.GetProperty("planned").GetArrayLength());
        Assert.Equal(120m * ready.GetArrayLength(), plan.GetProperty("savings").GetDecimal());
        var lines = await ServerFixture.ReadAsync(await admin.PostAsync("/api/reconciliation/run", null));
        var line = lines.EnumerateArray().Single(l => l.GetProperty("softwareModel").GetString() == "PagerDuty, Inc. PagerDuty");
        Assert.Equal(10, line.GetProperty("owned").GetInt32());
        Assert.Equal(server.PagerDuty.Users.Count, line.GetProperty("used").GetInt32());
        Assert.False(line.GetProperty("compliant").GetBoolean());
        var latest = await ServerFixture.ReadAsync(await viewer.GetAsync("/api/reconciliation"));
        Assert.Contains(latest.EnumerateArray(), l => l.GetProperty("softwareModel").GetString() == "PagerDuty, Inc. PagerDuty" && l.GetProperty("owned").GetInt32() == 10);

        using var run = await admin.PostAsync($"/api/reclaim/{id}/run", null);
        if (plan.GetProperty("stoppedBecause").ValueKind == JsonValueKind.String)
        {
            Assert.Equal(HttpStatusCode.Conflict, run.StatusCode);
        }
        else
        {
            var report = await ServerFixture.ReadAsync(run);
            Assert.Equal(plan.GetProperty("planned").GetArrayLength(), report.GetProperty("reclaimed").GetInt32() + report.GetProperty("failed").GetArrayLength());
            Assert.True(report.GetProperty("reclaimed").GetInt32() > 0, report.ToString());
        }

        await ServerFixture.ReadAsync(await admin.PostAsJsonAsync("/api/exclusions", new { kind = "user", value = "Someone@Example.com" }), HttpStatusCode.Created);
        var exclusions = await ServerFixture.ReadAsync(await viewer.GetAsync("/api/exclusions"));
        Assert.Contains(exclusions.EnumerateArray(), e => e.GetProperty("value").GetString() == "someone@example.com" && e.GetProperty("kind").GetString() == "user");

        var csv = "email,last_login\nana@example.com,2026-11-01\nbo@example.com,2026-10-01\n";
        var attached = await ServerFixture.ReadAsync(await admin.PostAsync($"/api/profiles/{id}/attachments?fileName=users.csv", new StringContent(csv, Encoding.UTF8, "text/csv")), HttpStatusCode.Created);
        Assert.Equal(2, attached.GetProperty("rows").GetInt32());
        var attachments = await ServerFixture.ReadAsync(await viewer.GetAsync($"/api/profiles/{id}/attachments"));
        Assert.Equal("users.csv", attachments[0].GetProperty("fileName").GetString());

        var cleared = await ServerFixture.ReadAsync(await admin.PatchAsJsonAsync($"/api/profiles/{id}", new { downloadActivity = false }));
        Assert.Equal("Draft", cleared.GetProperty("profile").GetProperty("status").GetString());
        Assert.Equal([$"SAM - Refresh {Name} Subscriptions"], cleared.GetProperty("jobs").EnumerateArray().Select(j => j.GetProperty("name").GetString()!).ToArray());

        await ServerFixture.ReadAsync(await admin.DeleteAsync($"/api/profiles/{id}"));
        using var gone = await viewer.GetAsync($"/api/profiles/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        var jobsAfter = await ServerFixture.ReadAsync(await viewer.GetAsync("/api/jobs"));
        Assert.DoesNotContain(jobsAfter.EnumerateArray(), j => j.GetProperty("name").GetString()!.Contains(Name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Profiles_CheckTheirInput()
    {
        using var admin = server.Admin();
        var vendor = await ServerFixture.ReadAsync(await admin.PostAsJsonAsync("/api/profiles", new { vendor = "pagerduti", displayName = "X" }), HttpStatusCode.BadRequest);
        Assert.Contains("pagerduty", vendor.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var alias = await ServerFixture.ReadAsync(await admin.PostAsJsonAsync("/api/profiles", new { vendor = "pagerduty", displayName = "Y", alias = "sn_roadmunk_spoke.Roadmunk" }), HttpStatusCode.BadRequest);
        Assert.Contains("roadmunk spoke", alias.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var state = await ServerFixture.ReadAsync(await admin.GetAsync("/api/candidates?state=bogus"), HttpStatusCode.BadRequest);
        Assert.Contains("Ready", state.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
