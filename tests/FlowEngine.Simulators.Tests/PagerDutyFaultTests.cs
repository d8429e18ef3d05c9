using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace FlowEngine.Simulators.Tests;

public sealed class PagerDutyFaultTests
{
    [Fact]
    public async Task RateLimit_Is429WithHeadersAndBody_ThenRecovers()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);
        pd.Faults.RateLimitNext(2, resetSeconds: 7);

        for (var i = 0; i < 2; i++)
        {
            var limited = await api.GetAsync("/users");
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
            Assert.Equal("960", limited.Header("ratelimit-limit"));
            Assert.Equal("0", limited.Header("ratelimit-remaining"));
            Assert.Equal("7", limited.Header("ratelimit-reset"));
            Assert.Equal("Rate Limit Exceeded", limited.Json.GetProperty("error").GetProperty("message").GetString());
            Assert.Equal(2020, limited.Json.GetProperty("error").GetProperty("code").GetInt32());
        }

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/users")).Status);
    }

    [Fact]
    public async Task RateLimit_WithoutHeaders_HasNoHeadersAndNoBody()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);
        pd.Faults.RateLimitNext(1, resetSeconds: 7, withHeaders: false);

        var limited = await api.GetAsync("/users");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.Status);
        Assert.Null(limited.Header("ratelimit-reset"));
        Assert.Equal("", limited.Text);
    }

    [Fact]
    public async Task FailNext_AnswersTheStatus_ThenRecovers()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);
        pd.Faults.FailNext(1, 503);

        var failed = await api.GetAsync("/users");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.Status);
        Assert.True(failed.Json.GetProperty("error").TryGetProperty("code", out _));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/users")).Status);
    }

    [Fact]
    public async Task MalformedJson_CutsTheBody()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);
        pd.Faults.MalformedJsonNext(1);

        var broken = await api.GetAsync("/users");
        Assert.Equal(HttpStatusCode.OK, broken.Status);
        Assert.ThrowsAny<JsonException>(() => broken.Json);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/users")).Status);
        _ = (await api.GetAsync("/users")).Json;
    }

    [Fact]
    public async Task DropConnection_AbortsTheRequest()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);
        pd.Faults.DropConnectionNext(1);

        await Assert.ThrowsAsync<HttpRequestException>(() => api.GetAsync("/users"));
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/users")).Status);
        Assert.Equal(2, pd.RequestCount("/users"));
    }

    [Fact]
    public async Task Delay_SlowsTheNextRequest()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);
        pd.Faults.DelayNext(1, TimeSpan.FromMilliseconds(400));

        var watch = Stopwatch.StartNew();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/users")).Status);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(380), watch.Elapsed.ToString());

        using var impatient = new HttpClient { BaseAddress = new Uri(pd.BaseUrl), Timeout = TimeSpan.FromMilliseconds(200) };
        pd.Faults.DelayNext(1, TimeSpan.FromSeconds(5));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => impatient.GetAsync("/users"));
    }

    [Fact]
    public async Task RepeatPage_ServesThePreviousPageAgain()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 60 });
        using var api = new PagerDutyApi(pd);

        var first = Ids((await api.GetAsync("/users?limit=25&offset=0")).Json);
        pd.Faults.RepeatPageNext();
        var second = (await api.GetAsync("/users?limit=25&offset=25")).Json;
        Assert.Equal(25, second.GetProperty("offset").GetInt32());
        Assert.Equal(first, Ids(second));
        Assert.NotEqual(first, Ids((await api.GetAsync("/users?limit=25&offset=25")).Json));
    }

    [Fact]
    public async Task Faults_DoNotTouchTheIdentityService()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);
        pd.Faults.FailNext(1, 500);

        var bearer = await api.ClientCredentialsTokenAsync("users.read");
        Assert.Equal(HttpStatusCode.InternalServerError, (await api.GetAsync("/users", bearer)).Status);
    }

    [Fact]
    public async Task ConcurrentRequests_AreAllServedAndCounted()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 300, OpenIncidentsEvery = 0 });
        using var api = new PagerDutyApi(pd);
        var victims = pd.Users.Skip(1).Take(50).ToList();

        var deletes = victims.Select(v => api.DeleteAsync($"/users/{v.Id}"));
        var reads = Enumerable.Range(0, 50).Select(_ => api.GetAsync("/users?limit=100"));
        var responses = await Task.WhenAll(deletes.Concat(reads));

        Assert.Equal(50, responses.Count(r => r.Status == HttpStatusCode.NoContent));
        Assert.Equal(50, responses.Count(r => r.Status == HttpStatusCode.OK));
        Assert.Equal(250, pd.Users.Count);
        Assert.Equal(100, pd.RequestCount("/users"));
    }

    private static List<string> Ids(JsonElement page) =>
        [.. page.GetProperty("users").EnumerateArray().Select(u => u.GetProperty("id").GetString()!)];
}
