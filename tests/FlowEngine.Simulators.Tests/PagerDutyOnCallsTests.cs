using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;

namespace FlowEngine.Simulators.Tests;

public sealed class PagerDutyOnCallsTests
{
    private static readonly DateTimeOffset s_now = new(2026, 6, 15, 12, 30, 0, TimeSpan.Zero);

    [Fact]
    public async Task OnCalls_DefaultToNow_ReturningOnlyCurrentEntries()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 60 }, new FakeTimeProvider(s_now));
        using var api = new PagerDutyApi(pd);

        var entries = await ReadAllAsync(api, "/oncalls?limit=100");
        var expected = pd.OnCalls.Where(o => o.Overlaps(s_now, s_now)).ToList();
        Assert.NotEmpty(expected);
        Assert.Equal(expected.Count, entries.Count);
        Assert.Contains(entries, e => e.GetProperty("start").ValueKind == JsonValueKind.Null && e.GetProperty("schedule").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task OnCalls_SinceUntil_ReturnOverlappingEntries_AndSomeUsersAreStaleOrWithout()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 80 }, new FakeTimeProvider(s_now));
        using var api = new PagerDutyApi(pd);
        var since = s_now.AddDays(-60);

        var entries = await ReadAllAsync(api, $"/oncalls?limit=100&since={Iso(since)}&until={Iso(s_now)}");
        var expected = pd.OnCalls.Where(o => o.Overlaps(since, s_now)).ToList();
        Assert.Equal(expected.Count, entries.Count);
        Assert.All(entries, e =>
        {
            var end = e.GetProperty("end");
            Assert.True(end.ValueKind == JsonValueKind.Null || end.GetDateTimeOffset() >= since);
            Assert.Equal("user_reference", e.GetProperty("user").GetProperty("type").GetString());
            Assert.True(e.TryGetProperty("escalation_policy", out _));
            Assert.True(e.TryGetProperty("escalation_level", out _));
        });

        var recent = entries.Select(e => e.GetProperty("user").GetProperty("id").GetString()).ToHashSet();
        var stale = pd.OnCalls.Select(o => o.UserId).Where(id => !recent.Contains(id)).ToHashSet();
        var none = pd.Users.Where(u => pd.OnCalls.All(o => o.UserId != u.Id)).ToList();
        Assert.NotEmpty(recent);
        Assert.NotEmpty(stale);
        Assert.NotEmpty(none);
    }

    [Fact]
    public async Task OnCalls_UserIdsFilter()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 60 }, new FakeTimeProvider(s_now));
        using var api = new PagerDutyApi(pd);
        var since = s_now.AddDays(-200);
        var picked = pd.OnCalls.Select(o => o.UserId).Distinct().Take(2).ToList();

        var entries = await ReadAllAsync(api, $"/oncalls?limit=100&since={Iso(since)}&until={Iso(s_now)}&user_ids[]={picked[0]}&user_ids[]={picked[1]}");
        Assert.NotEmpty(entries);
        Assert.All(entries, e => Assert.Contains(e.GetProperty("user").GetProperty("id").GetString(), picked));
        Assert.Equal(pd.OnCalls.Count(o => picked.Contains(o.UserId) && o.Overlaps(since, s_now)), entries.Count);
    }

    [Fact]
    public async Task OnCalls_AddedEntry_IsFoundByItsWindow()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { RecentOnCallShare = 0, StaleOnCallShare = 0 }, new FakeTimeProvider(s_now));
        using var api = new PagerDutyApi(pd);
        var user = pd.Users[5];
        pd.AddOnCall(new PagerDutyOnCall(user.Id, new PagerDutyReference("PSCHED1", "Primary"), new PagerDutyReference("PEP0001", "Default"), 1, s_now.AddDays(-10), s_now.AddDays(-3)));

        var inside = await ReadAllAsync(api, $"/oncalls?since={Iso(s_now.AddDays(-4))}&until={Iso(s_now)}&user_ids[]={user.Id}");
        var entry = Assert.Single(inside);
        Assert.Equal(s_now.AddDays(-3), entry.GetProperty("end").GetDateTimeOffset());
        Assert.Equal("schedule_reference", entry.GetProperty("schedule").GetProperty("type").GetString());
        Assert.Empty(await ReadAllAsync(api, $"/oncalls?since={Iso(s_now.AddDays(-2))}&until={Iso(s_now)}&user_ids[]={user.Id}"));
    }

    [Fact]
    public async Task OnCalls_UntilBeforeSince_Is400()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed(), new FakeTimeProvider(s_now));
        using var api = new PagerDutyApi(pd);

        var response = await api.GetAsync($"/oncalls?since={Iso(s_now)}&until={Iso(s_now.AddDays(-1))}");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(2001, response.Json.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync("/oncalls?since=yesterday")).Status);
    }

    [Fact]
    public async Task OnCalls_ArePagedLikeUsers()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 100 }, new FakeTimeProvider(s_now));
        using var api = new PagerDutyApi(pd);
        var window = $"since={Iso(s_now.AddDays(-200))}&until={Iso(s_now)}";

        var first = (await api.GetAsync($"/oncalls?{window}&limit=10&total=true")).Json;
        Assert.Equal(10, first.GetProperty("oncalls").GetArrayLength());
        Assert.True(first.GetProperty("more").GetBoolean());
        var total = first.GetProperty("total").GetInt32();
        Assert.Equal(total, (await ReadAllAsync(api, $"/oncalls?{window}&limit=7")).Count);
        Assert.Equal(HttpStatusCode.BadRequest, (await api.GetAsync($"/oncalls?{window}&offset=9999&limit=2")).Status);
    }

    internal static async Task<List<JsonElement>> ReadAllAsync(PagerDutyApi api, string pathAndQuery)
    {
        var limit = pathAndQuery.Contains("limit=", StringComparison.Ordinal) ? "" : "&limit=25";
        var all = new List<JsonElement>();
        for (var offset = 0; ; )
        {
            var page = await api.GetAsync($"{pathAndQuery}{limit}&offset={offset}");
            Assert.Equal(HttpStatusCode.OK, page.Status);
            var items = page.Json.GetProperty("oncalls").EnumerateArray().ToList();
            all.AddRange(items);
            offset += items.Count;
            if (!page.Json.GetProperty("more").GetBoolean())
            {
                return all;
            }
        }
    }

    private static string Iso(DateTimeOffset value) =>
        Uri.EscapeDataString(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
}
