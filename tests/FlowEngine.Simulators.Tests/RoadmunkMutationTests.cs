using System.Net;

namespace FlowEngine.Simulators.Tests;

public sealed class RoadmunkMutationTests
{
    [Fact]
    public async Task Inactivate_ReturnsTrue_AndTheUserTurnsInactive()
    {
        await using var rm = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { InactiveShare = 0 });
        using var api = new RoadmunkApi(rm);
        var user = rm.Users[3];

        var response = await api.PostAsync(RoadmunkApi.InactivateMutation, new { id = user.Id, email = user.Email.ToUpperInvariant() });
        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("""{"data":{"inactivateUser":true}}""", response.Text);
        Assert.False(rm.Users[3].IsActive);
        Assert.Equal(1, rm.InactivateCount(user.Id));
        Assert.Equal(1, rm.OperationCount("inactivateUser"));
    }

    [Fact]
    public async Task Inactivate_WrongEmail_UnknownUser_DefaultAdmin_AreGraphQLErrors()
    {
        await using var rm = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { InactiveShare = 0 });
        using var api = new RoadmunkApi(rm);
        var user = rm.Users[2];
        var admin = rm.Users[0];

        var cases = new[]
        {
            (Id: user.Id, Email: "someone.else@acme.example.com", Expect: "does not match"),
            (Id: "000000000000000000000000", Email: user.Email, Expect: "not found"),
            (Id: admin.Id, Email: admin.Email, Expect: "default Account Admin"),
        };
        foreach (var (id, email, expect) in cases)
        {
            var response = await api.PostAsync(RoadmunkApi.InactivateMutation, new { id, email });
            Assert.Equal(HttpStatusCode.OK, response.Status);
            Assert.Equal(System.Text.Json.JsonValueKind.Null, response.Json.GetProperty("data").GetProperty("inactivateUser").ValueKind);
            var error = response.Json.GetProperty("errors")[0];
            Assert.Contains(expect, error.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
            Assert.Equal("inactivateUser", error.GetProperty("path")[0].GetString());
        }

        Assert.True(rm.Users[2].IsActive);
        Assert.True(rm.Users[0].IsActive);
        Assert.Equal(1, rm.InactivateCount(user.Id));
        Assert.Equal(1, rm.InactivateCount(admin.Id));
    }

    [Fact]
    public async Task Inactivate_WithLiteralArguments_AndMissingArgument()
    {
        await using var rm = await RoadmunkSimulator.StartAsync(new RoadmunkSeed());
        using var api = new RoadmunkApi(rm);
        var user = rm.Users[1];

        var literal = await api.PostAsync($$"""mutation { done: inactivateUser(id: "{{user.Id}}", email: "{{user.Email}}") }""");
        Assert.Equal("""{"data":{"done":true}}""", literal.Text);

        var missing = await api.PostAsync($$"""mutation { inactivateUser(id: "{{user.Id}}") }""");
        Assert.Contains("\"email\"", missing.Json.GetProperty("errors")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
