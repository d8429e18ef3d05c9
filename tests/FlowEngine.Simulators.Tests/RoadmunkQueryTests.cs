using System.Net;
using System.Text;
using System.Text.Json;

namespace FlowEngine.Simulators.Tests;

public sealed class RoadmunkQueryTests
{
    [Fact]
    public async Task Account_AnswersIdAndName()
    {
        await using var rm = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { Region = RoadmunkRegion.Eu });
        using var api = new RoadmunkApi(rm);
        Assert.Equal("https://eu-gateway.roadmunk.com", rm.RealGatewayUrl);

        var response = await api.PostAsync("query { account { id } }");
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("{\"data\":{\"account\":{\"id\":\"" + rm.AccountId + "\"}}}", response.Text);

        var both = (await api.PostAsync("{ account { id name } }", path: "/graphql")).Json.GetProperty("data").GetProperty("account");
        Assert.Equal("Acme Roadmaps", both.GetProperty("name").GetString());
        Assert.Equal(2, rm.OperationCount("account"));
        Assert.Equal(549, rm.ApiToken.Length);
    }

    [Fact]
    public async Task Users_PagedWithCursors_ReturnEveryUserIncludingInactive()
    {
        await using var rm = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = 230 });
        using var api = new RoadmunkApi(rm);

        var nodes = new List<JsonElement>();
        string? after = null;
        var pages = 0;
        do
        {
            var response = await api.PostAsync(RoadmunkApi.UsersQuery, new { first = 100, after }, operationName: "Users");
            Assert.Equal(HttpStatusCode.OK, response.Status);
            Assert.False(response.Json.TryGetProperty("errors", out _), response.Text);
            var users = response.Json.GetProperty("data").GetProperty("account").GetProperty("users");
            nodes.AddRange(users.GetProperty("edges").EnumerateArray().Select(e => e.GetProperty("node")));
            var pageInfo = users.GetProperty("pageInfo");
            after = pageInfo.GetProperty("hasNextPage").GetBoolean() ? pageInfo.GetProperty("endCursor").GetString() : null;
            if (after is not null)
            {
                Assert.DoesNotContain(nodes[^1].GetProperty("id").GetString()!, after, StringComparison.Ordinal);
                _ = Convert.FromBase64String(after);
            }

            pages++;
        }
        while (after is not null);

        Assert.Equal(3, pages);
        Assert.Equal(rm.Users.Select(u => u.Id), nodes.Select(n => n.GetProperty("id").GetString()));
        Assert.Contains(nodes, n => !n.GetProperty("isActive").GetBoolean());
        Assert.Contains(nodes, n => n.GetProperty("lastLoginAt").ValueKind == JsonValueKind.Null);
        var first = nodes[0];
        Assert.Equal(["id", "email", "firstName", "lastName", "role", "isActive", "lastLoginAt", "createdAt"], first.EnumerateObject().Select(p => p.Name));
        Assert.Equal("ACCOUNT_ADMIN", first.GetProperty("role").GetString());
        Assert.All(nodes, n => Assert.Contains(n.GetProperty("role").GetString(), new[] { "ACCOUNT_ADMIN", "COLLABORATOR", "REVIEWER" }));
        Assert.Equal(3, rm.OperationCount("users"));
    }

    [Fact]
    public async Task Users_FirstIsCappedAt100()
    {
        await using var rm = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = 150 });
        using var api = new RoadmunkApi(rm);

        var users = (await api.PostAsync(RoadmunkApi.UsersQuery, new { first = 500 })).Json.GetProperty("data").GetProperty("account").GetProperty("users");
        Assert.Equal(100, users.GetProperty("edges").GetArrayLength());
        Assert.True(users.GetProperty("pageInfo").GetProperty("hasNextPage").GetBoolean());
    }

    [Fact]
    public async Task Users_InvalidCursor_IsAGraphQLError()
    {
        await using var rm = await RoadmunkSimulator.StartAsync(new RoadmunkSeed());
        using var api = new RoadmunkApi(rm);

        var response = await api.PostAsync(RoadmunkApi.UsersQuery, new { first = 10, after = "bm9wZQ==" });
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Contains("cursor", response.Json.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task UnknownField_IsCannotQueryField()
    {
        await using var rm = await RoadmunkSimulator.StartAsync(new RoadmunkSeed());
        using var api = new RoadmunkApi(rm);

        var root = await api.PostAsync("query { roadmaps { id } }");
        Assert.Equal(HttpStatusCode.OK, root.Status);
        Assert.Equal("Cannot query field \"roadmaps\" on type \"Query\".", root.Json.GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.False(root.Json.TryGetProperty("data", out _));

        var nested = await api.PostAsync("query { account { users { edges { node { id lastActiveAt } } } } }");
        Assert.Equal("Cannot query field \"lastActiveAt\" on type \"User\".", nested.Json.GetProperty("errors")[0].GetProperty("message").GetString());
    }

    [Fact]
    public async Task SyntaxErrors_AndBadBodies_AreReported()
    {
        await using var rm = await RoadmunkSimulator.StartAsync(new RoadmunkSeed());
        using var api = new RoadmunkApi(rm);

        var syntax = await api.PostAsync("query { account { id }");
        Assert.Equal(HttpStatusCode.OK, syntax.Status);
        Assert.StartsWith("Syntax Error", syntax.Json.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);

        var notJson = await api.SendAsync("/", new StringContent("{query", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.Status);
        Assert.True(notJson.Json.TryGetProperty("errors", out _));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer wrong")]
    [InlineData("Token token=x")]
    public async Task WrongOrMissingToken_Is401(string? authorization)
    {
        await using var rm = await RoadmunkSimulator.StartAsync(new RoadmunkSeed());
        using var api = new RoadmunkApi(rm);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/") { Content = new StringContent("""{"query":"{ account { id } }"}""", Encoding.UTF8, "application/json") };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await api.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("""{"errors":[{"message":"Unauthorized"}]}""", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Seed_IsDeterministic_AndHasTheDefaultAdminFirst()
    {
        await using var a = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { RandomSeed = 3 });
        await using var b = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { RandomSeed = 3 });
        Assert.Equal(a.Users, b.Users);
        Assert.Equal(a.ApiToken, b.ApiToken);
        Assert.True(a.Users[0].IsDefaultAdmin);
        Assert.True(a.Users[0].IsActive);
        Assert.Equal(RoadmunkRole.AccountAdmin, a.Users[0].Role);
        Assert.Single(a.Users, u => u.IsDefaultAdmin);
    }
}
