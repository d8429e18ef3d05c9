using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace FlowEngine.Server.Tests;

/// <summary>Its own server (not the shared collection's): it publishes a new version of a vendor subflow.</summary>
public sealed class ProfileRunnerTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string RefusingValidation = """
        kind: subflow
        id: pagerduty.sam.validate_connection
        name: PagerDuty Validate Connection
        version: 2
        inputs:
          integration_profile: { type: object }
        steps:
          - id: refuse
            fail: "validation is switched off for maintenance"
        """;

    [Fact]
    public async Task ProfileRuns_UseAVersionPublishedThroughTheApi_WithoutARestart()
    {
        await server.ConnectPagerDutyAsync();
        using var admin = server.Admin();
        using var create = await admin.PostAsJsonAsync("/api/profiles", new { vendor = "pagerduty", displayName = "Versions" });
        var id = (await ServerFixture.ReadAsync(create, HttpStatusCode.Created)).GetProperty("profile").GetProperty("id").GetString()!;
        var before = await ServerFixture.ReadAsync(await admin.PostAsync($"/api/profiles/{id}/validate", null));
        Assert.True(before.GetProperty("succeeded").GetBoolean(), before.ToString());

        using var stored = await admin.PostAsync("/api/definitions?publish=true", new StringContent(RefusingValidation, Encoding.UTF8, "application/yaml"));
        Assert.Equal(HttpStatusCode.Created, stored.StatusCode);

        var after = await ServerFixture.ReadAsync(await admin.PostAsync($"/api/profiles/{id}/validate", null));
        Assert.False(after.GetProperty("succeeded").GetBoolean());
        Assert.Contains("validation is switched off for maintenance", after.GetProperty("error").GetString(), StringComparison.Ordinal);
    }
}
