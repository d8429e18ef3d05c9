using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FlowEngine.Hosting;
using FlowEngine.Integration.Connections;
using FlowEngine.Server.Auth;
using FlowEngine.Simulators;
using FlowEngine.Tests.Shared;

namespace FlowEngine.Durability.Tests;

/// <summary>Limits that protect the process: past one, that request or execution fails clearly; the rest go on.</summary>
public sealed class LimitTests
{
    [Fact]
    public async Task RunningExecutionsPastTheServersLimit_TheNextStartIs429_TheRunningOneFinishes()
    {
        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 5 });
        var folder = TestPaths.TempFolder();
        TestPaths.CopyFolder(TestPaths.Flows, Path.Combine(folder, "flows"));
        var database = Path.Combine(folder, ".flowengine", "flowengine.db");
        var engine = await Engine.OpenAsync(database, CancellationToken.None, Path.Combine(folder, "flows"));
        await engine.Connections.SaveAsync(new ConnectionRecord
        {
            AliasId = "sn_pagerduty_spoke.PagerDuty",
            Url = sim.BaseUrl,
            CredentialType = "api_token",
            Secrets = new Dictionary<string, string> { ["token"] = sim.ApiToken },
        }, CancellationToken.None);
        var key = await new ApiKeys(engine.Store, TimeProvider.System).CreateAsync("limits", Roles.Admin, CancellationToken.None);
        await using var server = await ServerNode.StartAsync(folder, database, "limits", key, new Dictionary<string, string> { ["FLOWENGINE_MAX_RUNNING"] = "1" });
        sim.Faults.DelayNext(1, TimeSpan.FromSeconds(3));

        using var first = await server.Http.PostAsJsonAsync("/api/executions", new { definitionId = "pagerduty.look_up_account" });
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        using var second = await server.Http.PostAsJsonAsync("/api/executions", new { definitionId = "pagerduty.look_up_account" });
        var problem = await second.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Contains("its limit (FLOWENGINE_MAX_RUNNING=1); nothing was started", problem, StringComparison.Ordinal);
        var id = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? status;
        do
        {
            await Task.Delay(100);
            status = JsonDocument.Parse(await server.Http.GetStringAsync($"/api/executions/{id}")).RootElement.GetProperty("status").GetString();
        }
        while (status == "Running" && DateTime.UtcNow < deadline);

        Assert.Equal("Completed", status);
        using var third = await server.Http.PostAsJsonAsync("/api/executions", new { definitionId = "pagerduty.look_up_account" });
        Assert.Equal(HttpStatusCode.Accepted, third.StatusCode);
    }
}
