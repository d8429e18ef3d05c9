using System.Net;
using System.Net.Http.Json;
using FlowEngine.Server.Auth;

namespace FlowEngine.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class ExecutionApiTests(ServerFixture server)
{
    [Fact]
    public async Task Start_Answers202WithLocation_AndTheExecutionShowsItsStepRecords()
    {
        using var integrator = server.Client(Roles.Integrator);
        using var response = await integrator.PostAsJsonAsync("/api/executions", new { definitionId = "demo.idle_report", inputs = new { threshold_days = 30 } });
        var started = await ServerFixture.ReadAsync(response, HttpStatusCode.Accepted);
        var id = started.GetProperty("id").GetString()!;
        Assert.Equal($"/api/executions/{id}", response.Headers.Location?.OriginalString);

        using var viewer = server.Client(Roles.Viewer);
        var execution = await server.WaitForExecutionAsync(viewer, response.Headers.Location!.OriginalString);

        Assert.Equal("Completed", execution.GetProperty("status").GetString());
        Assert.Equal("api", execution.GetProperty("triggeredBy").GetString());
        Assert.Equal(30, execution.GetProperty("inputs").GetProperty("threshold_days").GetInt32());
        Assert.StartsWith("2 active, ", execution.GetProperty("outputs").GetProperty("summary").GetString(), StringComparison.Ordinal);
        var steps = execution.GetProperty("steps").EnumerateArray().ToList();
        Assert.True(steps.Count > 10, $"{steps.Count} steps");
        var active = steps.First(s => s.GetProperty("stepId").GetString() == "active");
        Assert.Equal("call", active.GetProperty("type").GetString());
        Assert.Equal("Completed", active.GetProperty("status").GetString());
        Assert.Equal(2, active.GetProperty("outputs").GetProperty("count").GetInt32());
        Assert.Contains(steps, s => s.GetProperty("parentSequence").ValueKind == System.Text.Json.JsonValueKind.Number);

        var list = await ServerFixture.ReadAsync(await viewer.GetAsync("/api/executions?definition=demo.idle_report&status=completed"));
        Assert.Contains(list.EnumerateArray(), e => e.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Start_WithBadInputsOrAnUnknownDefinition_IsRefused()
    {
        using var integrator = server.Client(Roles.Integrator);
        var bad = await ServerFixture.ReadAsync(await integrator.PostAsJsonAsync("/api/executions", new { definitionId = "demo.idle_report", inputs = new { threshold = 3 } }), HttpStatusCode.BadRequest);
        Assert.Contains("threshold_days", bad.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var unknown = await ServerFixture.ReadAsync(await integrator.PostAsJsonAsync("/api/executions", new { definitionId = "demo.idle_reprt" }), HttpStatusCode.NotFound);
        Assert.Contains("demo.idle_report", unknown.GetProperty("detail").GetString(), StringComparison.Ordinal);
        using var missing = await integrator.GetAsync($"/api/executions/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Cancel_StopsARunningExecution_AndIsRefusedOnceItEnded()
    {
        await server.ConnectPagerDutyAsync();
        server.PagerDuty.Faults.DelayNext(1, TimeSpan.FromSeconds(30));
        using var integrator = server.Client(Roles.Integrator);
        var started = await ServerFixture.ReadAsync(await integrator.PostAsJsonAsync("/api/executions", new { definitionId = "pagerduty.look_up_account" }), HttpStatusCode.Accepted);
        var id = started.GetProperty("id").GetString()!;
        Assert.Equal("Running", (await ServerFixture.ReadAsync(await integrator.GetAsync($"/api/executions/{id}"))).GetProperty("status").GetString());

        var cancelling = await ServerFixture.ReadAsync(await integrator.PostAsync($"/api/executions/{id}/cancel", null), HttpStatusCode.Accepted);
        Assert.Equal(id, cancelling.GetProperty("id").GetString());
        var execution = await server.WaitForExecutionAsync(integrator, $"/api/executions/{id}", TimeSpan.FromSeconds(10));

        Assert.Equal("Cancelled", execution.GetProperty("status").GetString());
        Assert.False(execution.GetProperty("cancellable").GetBoolean());
        using var again = await integrator.PostAsync($"/api/executions/{id}/cancel", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        server.PagerDuty.Faults.Clear();
    }
}
