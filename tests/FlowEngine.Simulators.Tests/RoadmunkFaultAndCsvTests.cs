using System.Globalization;
using System.Net;

namespace FlowEngine.Simulators.Tests;

public sealed class RoadmunkFaultAndCsvTests
{
    [Fact]
    public async Task GraphQLErrorsNext_AnswersHttp200WithErrors()
    {
        await using var rm = await RoadmunkSimulator.StartAsync(new RoadmunkSeed());
        using var api = new RoadmunkApi(rm);
        rm.Faults.GraphQLErrorsNext(1, "Internal server error: upstream timeout");

        var failed = await api.PostAsync("query { account { id } }");
        Assert.Equal(HttpStatusCode.OK, failed.Status);
        Assert.Equal("Internal server error: upstream timeout", failed.Json.GetProperty("errors")[0].GetProperty("message").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, failed.Json.GetProperty("data").ValueKind);

        var next = await api.PostAsync("query { account { id } }");
        Assert.False(next.Json.TryGetProperty("errors", out _), next.Text);
        Assert.Equal(1, rm.OperationCount("account"));
    }

    [Fact]
    public async Task FailNext_And_RateLimitNext()
    {
        await using var rm = await RoadmunkSimulator.StartAsync(new RoadmunkSeed());
        using var api = new RoadmunkApi(rm);

        rm.Faults.FailNext(1, 502);
        Assert.Equal(HttpStatusCode.BadGateway, (await api.PostAsync("query { account { id } }")).Status);

        rm.Faults.RateLimitNext(1, retryAfterSeconds: 12);
        var limited = await api.PostAsync("query { account { id } }");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Equal("12", limited.Header("Retry-After"));
        Assert.True(limited.Json.TryGetProperty("errors", out _));

        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("query { account { id } }")).Status);
        Assert.Equal(3, rm.RequestCount());
        Assert.Equal(1, rm.OperationCount("account"));
    }

    [Fact]
    public async Task ExportUsersCsv_MatchesTheUsers_AndFollowsInactivation()
    {
        await using var rm = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = 40 });
        using var api = new RoadmunkApi(rm);
        var user = rm.Users.First(u => u.IsActive && !u.IsDefaultAdmin);
        await api.PostAsync(RoadmunkApi.InactivateMutation, new { id = user.Id, email = user.Email });

        var lines = rm.ExportUsersCsv().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("First Name,Last Name,Email,Role,Status,Last Login,Date Added", lines[0]);
        Assert.Equal(rm.Users.Count + 1, lines.Length);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToDictionary(r => r[2]);
        foreach (var u in rm.Users)
        {
            var row = rows[u.Email];
            Assert.Equal(u.FirstName, row[0]);
            Assert.Equal(u.LastName, row[1]);
            Assert.Contains(row[3], new[] { "Account Admin", "Collaborator", "Reviewer" });
            Assert.Equal(u.IsActive ? "Active" : "Inactive", row[4]);
            Assert.Equal(u.LastLoginAt?.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "", row[5]);
            Assert.Equal(u.CreatedAt, DateTimeOffset.Parse(row[6], CultureInfo.InvariantCulture));
        }

        Assert.Equal("Inactive", rows[user.Email][4]);
        Assert.Contains(rows.Values, r => r[4] == "Inactive" && r[2] != user.Email);
    }

    [Fact]
    public async Task Dates_AreRelativeToTheClock()
    {
        var now = new DateTimeOffset(2025, 1, 10, 8, 0, 0, TimeSpan.Zero);
        await using var rm = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = 100 }, new Microsoft.Extensions.Time.Testing.FakeTimeProvider(now));

        Assert.All(rm.Users, u =>
        {
            Assert.True(u.CreatedAt <= now && u.CreatedAt >= now.AddDays(-730));
            Assert.True(u.LastLoginAt is null || (u.LastLoginAt >= u.CreatedAt && u.LastLoginAt <= now && u.LastLoginAt >= now.AddDays(-180)));
        });
        Assert.Contains(rm.Users, u => u.CreatedAt > now.AddDays(-14));
    }
}
