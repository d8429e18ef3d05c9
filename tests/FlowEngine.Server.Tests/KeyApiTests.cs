using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using FlowEngine.Server.Auth;

namespace FlowEngine.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class KeyApiTests(ServerFixture server)
{
    [Fact]
    public async Task CreatedKey_IsShownOnce_Works_ListsWithoutItsValue_AndIsGoneOnceDeleted()
    {
        using var admin = server.Admin();
        var created = await ServerFixture.ReadAsync(await admin.PostAsJsonAsync("/api/keys", new { name = "ci reader", role = "viewer" }), HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;

        using var reader = server.Client(null);
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        var me = await ServerFixture.ReadAsync(await reader.GetAsync("/api/me"));
        Assert.Equal("ci reader", me.GetProperty("name").GetString());
        Assert.Equal(Roles.Viewer, me.GetProperty("role").GetString());
        using var forbidden = await reader.PostAsJsonAsync("/api/keys", new { name = "escalate", role = "admin" });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);

        var list = await admin.GetStringAsync("/api/keys");
        Assert.DoesNotContain(key, list, StringComparison.Ordinal);
        var keys = await ServerFixture.ReadAsync(await admin.GetAsync("/api/keys"));
        var id = keys.EnumerateArray().Single(k => k.GetProperty("name").GetString() == "ci reader").GetProperty("id").GetString();

        await ServerFixture.ReadAsync(await admin.DeleteAsync($"/api/keys/{id}"));
        using var after = await reader.GetAsync("/api/me");
        Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
    }

    [Fact]
    public async Task BadRoles_AndTheLastAdminKey_AreRefused()
    {
        using var admin = server.Admin();
        using var bad = await admin.PostAsJsonAsync("/api/keys", new { name = "x", role = "root" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

        var keys = await ServerFixture.ReadAsync(await admin.GetAsync("/api/keys"));
        var admins = keys.EnumerateArray().Where(k => k.GetProperty("role").GetString() == Roles.Admin).ToList();
        Assert.Single(admins);
        using var last = await admin.DeleteAsync($"/api/keys/{admins[0].GetProperty("id").GetString()}");
        Assert.Equal(HttpStatusCode.Conflict, last.StatusCode);
    }

    [Fact]
    public async Task Secrets_PutInSettings_AreRefused()
    {
        using var admin = server.Admin();
        var problem = await ServerFixture.ReadAsync(await admin.PutAsJsonAsync("/api/aliases/sn_pagerduty_spoke.PagerDuty_misplaced", new
        {
            parent = "sn_pagerduty_spoke.PagerDuty",
            settings = new Dictionary<string, string> { ["client_secret"] = "oops" },
        }), HttpStatusCode.BadRequest);
        Assert.Contains("secrets", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var notSaved = await admin.GetAsync("/api/aliases/sn_pagerduty_spoke.PagerDuty_misplaced");
        Assert.Equal(HttpStatusCode.NotFound, notSaved.StatusCode);
    }
}
