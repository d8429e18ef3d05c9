using System.Net;

namespace FlowEngine.Simulators.Tests;

public sealed class PagerDutyUsersTests
{
    [Fact]
    public async Task Users_PagedToTheEnd_ReturnEveryUserOnce()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 250 });
        using var api = new PagerDutyApi(pd);

        var ids = new List<string>();
        var pages = 0;
        for (var offset = 0; ; offset += 100)
        {
            var page = await api.GetAsync($"/users?limit=100&offset={offset}&total=true");
            Assert.Equal(HttpStatusCode.OK, page.Status);
            pages++;
            var body = page.Json;
            Assert.Equal(100, body.GetProperty("limit").GetInt32());
            Assert.Equal(offset, body.GetProperty("offset").GetInt32());
            Assert.Equal(250, body.GetProperty("total").GetInt32());
            ids.AddRange(body.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("id").GetString()!));
            if (!body.GetProperty("more").GetBoolean())
            {
                break;
            }
        }

        Assert.Equal(3, pages);
        Assert.Equal(250, ids.Count);
        Assert.Equal(pd.Users.Select(u => u.Id).Order(), ids.Order());
        Assert.Equal(3, pd.RequestCount("/users"));
        Assert.Equal(0, pd.MissingAcceptHeaderCount);
    }

    [Fact]
    public async Task Users_DefaultsTo25_ClampsLimitTo100_AndTotalIsNullUnlessAsked()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 150 });
        using var api = new PagerDutyApi(pd);

        var first = (await api.GetAsync("/users")).Json;
        Assert.Equal(25, first.GetProperty("limit").GetInt32());
        Assert.Equal(25, first.GetProperty("users").GetArrayLength());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, first.GetProperty("total").ValueKind);
        Assert.True(first.GetProperty("more").GetBoolean());

        var clamped = (await api.GetAsync("/users?limit=500")).Json;
        Assert.Equal(100, clamped.GetProperty("limit").GetInt32());
        Assert.Equal(100, clamped.GetProperty("users").GetArrayLength());
    }

    [Fact]
    public async Task Users_OffsetPlusLimitOver10000_Is400NamingTheCap()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 5 });
        using var api = new PagerDutyApi(pd);

        var atCap = await api.GetAsync("/users?limit=100&offset=9900");
        Assert.Equal(HttpStatusCode.OK, atCap.Status);
        Assert.False(atCap.Json.GetProperty("more").GetBoolean());
        Assert.Equal(0, atCap.Json.GetProperty("users").GetArrayLength());

        var overCap = await api.GetAsync("/users?limit=100&offset=9901");
        Assert.Equal(HttpStatusCode.BadRequest, overCap.Status);
        var error = overCap.Json.GetProperty("error");
        Assert.Equal(2001, error.GetProperty("code").GetInt32());
        Assert.Contains("10000", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task User_HasTheDocumentedShape_AndUserOneIsTheOwner()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 30, InvitationSentUsers = [2] });
        using var api = new PagerDutyApi(pd);
        var owner = pd.Users[0];
        Assert.Equal("owner", owner.Role);
        Assert.Matches("^P[A-Z0-9]{6}$", owner.Id);
        Assert.True(pd.Users[1].InvitationSent);

        var users = (await api.GetAsync("/users?limit=100")).Json.GetProperty("users").EnumerateArray().ToList();
        var json = users.Single(u => u.GetProperty("id").GetString() == owner.Id);
        Assert.Equal("user", json.GetProperty("type").GetString());
        Assert.Equal(owner.Name, json.GetProperty("summary").GetString());
        Assert.Equal($"{pd.BaseUrl}/users/{owner.Id}", json.GetProperty("self").GetString());
        Assert.Equal($"https://acme.pagerduty.com/users/{owner.Id}", json.GetProperty("html_url").GetString());
        Assert.Equal(owner.Email, json.GetProperty("email").GetString());
        Assert.Equal("owner", json.GetProperty("role").GetString());
        foreach (var field in new[] { "name", "time_zone", "color", "job_title", "invitation_sent", "teams", "contact_methods", "description" })
        {
            Assert.True(json.TryGetProperty(field, out _), field);
        }

        Assert.False(json.TryGetProperty("created_at", out _));
        var roles = new HashSet<string> { "admin", "limited_user", "observer", "owner", "read_only_user", "restricted_access", "read_only_limited_user", "user" };
        Assert.All(users, u => Assert.Contains(u.GetProperty("role").GetString()!, roles));
    }

    [Fact]
    public async Task Seed_IsDeterministic()
    {
        await using var a = await PagerDutySimulator.StartAsync(new PagerDutySeed { RandomSeed = 7 });
        await using var b = await PagerDutySimulator.StartAsync(new PagerDutySeed { RandomSeed = 7 });
        await using var c = await PagerDutySimulator.StartAsync(new PagerDutySeed { RandomSeed = 8 });
        Assert.Equal(a.Users, b.Users);
        Assert.Equal(a.ApiToken, b.ApiToken);
        Assert.Equal(a.OAuthClientSecret, b.OAuthClientSecret);
        Assert.NotEqual(a.Users.Select(u => u.Id), c.Users.Select(u => u.Id));
    }

    [Fact]
    public async Task Users_QueryFiltersByName()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);
        var target = pd.Users[3];

        var found = (await api.GetAsync($"/users?query={Uri.EscapeDataString(target.Name)}")).Json.GetProperty("users");
        Assert.Contains(found.EnumerateArray(), u => u.GetProperty("id").GetString() == target.Id);
        Assert.All(found.EnumerateArray(), u => Assert.Contains(target.Name, u.GetProperty("name").GetString()!, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Abilities_ListsAccountAbilities()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);

        var response = await api.GetAsync("/abilities");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Contains(response.Json.GetProperty("abilities").EnumerateArray(), a => a.GetString() == "teams");
    }
}
