using System.Net;

namespace FlowEngine.Simulators.Tests;

public sealed class PagerDutyDeleteTests
{
    [Fact]
    public async Task Delete_Is204_Then404_AndEveryAttemptIsCounted()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { OpenIncidentsEvery = 0 });
        using var api = new PagerDutyApi(pd);
        var victim = pd.Users[4];

        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/users/{victim.Id}")).Status);
        Assert.DoesNotContain(pd.Users, u => u.Id == victim.Id);
        Assert.DoesNotContain(pd.OnCalls, o => o.UserId == victim.Id);

        var again = await api.DeleteAsync($"/users/{victim.Id}");
        Assert.Equal(HttpStatusCode.NotFound, again.Status);
        Assert.Equal(2100, again.Json.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal(2, pd.DeleteCount(victim.Id));
        Assert.Equal(24, (await api.GetAsync("/users?total=true")).Json.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Delete_UserWithOpenIncidents_Is400WithTheCount_UntilTheyAreResolved()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { OpenIncidentsEvery = 0, OpenIncidentUsers = [3] });
        using var api = new PagerDutyApi(pd);
        var busy = pd.Users[2];
        pd.SetOpenIncidents(busy.Id, 3);

        var refused = await api.DeleteAsync($"/users/{busy.Id}");
        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        var error = refused.Json.GetProperty("error");
        Assert.Equal(2001, error.GetProperty("code").GetInt32());
        Assert.Equal("User cannot be deleted as they have 3 open incidents", error.GetProperty("message").GetString());
        Assert.NotEmpty(error.GetProperty("errors").EnumerateArray());
        Assert.Contains(pd.Users, u => u.Id == busy.Id);

        pd.SetOpenIncidents(busy.Id, 0);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/users/{busy.Id}")).Status);
        Assert.Equal(2, pd.DeleteCount(busy.Id));
        Assert.Equal(2, pd.DeleteCounts[busy.Id]);
    }

    [Fact]
    public async Task Delete_Owner_Is400()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);

        var response = await api.DeleteAsync($"/users/{pd.Users[0].Id}");
        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Contains("owner", response.Json.GetProperty("error").GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Delete_EveryNthSeededUserHasOpenIncidents()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 30, OpenIncidentsEvery = 10 });
        Assert.Equal([10, 20, 30], pd.Users.Where(u => u.OpenIncidents > 0).Select(u => u.Number));
    }

    [Fact]
    public async Task Delete_UnknownUser_Is404_AndCounted()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);

        Assert.Equal(HttpStatusCode.NotFound, (await api.DeleteAsync("/users/PNOPE00")).Status);
        Assert.Equal(1, pd.DeleteCount("PNOPE00"));
        Assert.Equal(1, pd.RequestCount("DELETE", "/users/"));
    }
}
