using System.Net;

namespace FlowEngine.Simulators.Tests;

public sealed class PagerDutyAuthTests
{
    [Theory]
    [InlineData("Token token=wrong")]
    [InlineData("")]
    [InlineData("Bearer not-a-token")]
    public async Task WrongCredentials_Are401WithCode2006(string authorization)
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);

        var response = await api.GetAsync("/users", authorization);
        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal(2006, response.Json.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("Authentication failed", response.Json.GetProperty("error").GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("Token {0}")]
    [InlineData("token token={0}")]
    [InlineData("Bearer {0}")]
    [InlineData("{0}")]
    public async Task TheApiKey_OnlyWorksInTheExactTokenFormat(string format)
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/users", $"Token token={pd.ApiToken}")).Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/users", string.Format(System.Globalization.CultureInfo.InvariantCulture, format, pd.ApiToken))).Status);
    }

    [Fact]
    public async Task MissingScope_Is403WithCode2010()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);
        var usersOnly = await api.ClientCredentialsTokenAsync("users.read");

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/users", usersOnly)).Status);
        var oncalls = await api.GetAsync("/oncalls", usersOnly);
        Assert.Equal(HttpStatusCode.Forbidden, oncalls.Status);
        Assert.Equal(2010, oncalls.Json.GetProperty("error").GetProperty("code").GetInt32());
        Assert.Equal("Access Denied", oncalls.Json.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, (await api.DeleteAsync($"/users/{pd.Users[1].Id}", usersOnly)).Status);
        Assert.Equal(25, pd.Users.Count);
    }

    [Fact]
    public async Task ClassicWrite_ImpliesRead_ClassicRead_DoesNotAllowDelete()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed { OpenIncidentsEvery = 0 });
        using var api = new PagerDutyApi(pd);
        var (verifier, challenge) = PagerDutyApi.Pkce();

        var readCode = (await api.AuthorizeAsync("read", challenge))["code"]!;
        var read = "Bearer " + (await api.ExchangeCodeAsync(readCode, verifier)).Json.GetProperty("access_token").GetString();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/users", read)).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/oncalls", read)).Status);
        Assert.Equal(HttpStatusCode.Forbidden, (await api.DeleteAsync($"/users/{pd.Users[1].Id}", read)).Status);

        var writeCode = (await api.AuthorizeAsync("write"))["code"]!;
        var write = "Bearer " + (await api.ExchangeCodeAsync(writeCode, null)).Json.GetProperty("access_token").GetString();
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/users", write)).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await api.DeleteAsync($"/users/{pd.Users[1].Id}", write)).Status);
    }

    [Fact]
    public async Task MissingAcceptHeader_IsCountedButServed()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/users", accept: false)).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/users")).Status);
        Assert.Equal(1, pd.MissingAcceptHeaderCount);
    }

    [Fact]
    public async Task RevokeAllTokens_Rejects_OAuthTokens_ButNotTheApiKey()
    {
        await using var pd = await PagerDutySimulator.StartAsync(new PagerDutySeed());
        using var api = new PagerDutyApi(pd);
        var bearer = await api.ClientCredentialsTokenAsync("users.read");

        pd.Faults.RevokeAllTokens();
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/users", bearer)).Status);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync("/users")).Status);
    }
}
