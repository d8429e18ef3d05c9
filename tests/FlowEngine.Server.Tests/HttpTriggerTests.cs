using System.Net;
using System.Net.Http.Json;
using FlowEngine.Server.Auth;

namespace FlowEngine.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class HttpTriggerTests(ServerFixture server)
{
    [Fact]
    public async Task Post_StartsTheFlow_WithTheBodyAsInputs_AndAnswersItsOutputs()
    {
        using var integrator = server.Client(Roles.Integrator);
        using var response = await integrator.PostAsJsonAsync("/flows/http/hello", new { name = "Ana", times = 2, ignored = true });

        var outputs = await ServerFixture.ReadAsync(response);
        Assert.Equal("Hello Ana", outputs.GetProperty("greeting").GetString());
        Assert.Equal(["Hello Ana", "Hello Ana"], outputs.GetProperty("greetings").EnumerateArray().Select(g => g.GetString()!).ToArray());
        var id = response.Headers.GetValues("X-FlowEngine-Execution-Id").Single();
        var execution = await ServerFixture.ReadAsync(await integrator.GetAsync($"/api/executions/{id}"));
        Assert.Equal("http", execution.GetProperty("triggeredBy").GetString());
        Assert.Equal("demo.hello_http", execution.GetProperty("definitionId").GetString());
    }

    [Fact]
    public async Task TheQueryString_GivesInputs_AndPreferRespondAsync_Answers202WithTheExecution()
    {
        using var integrator = server.Client(Roles.Integrator);
        var outputs = await ServerFixture.ReadAsync(await integrator.PostAsync("/flows/http/hello?name=Bo", null));
        Assert.Equal("Hello Bo", outputs.GetProperty("greeting").GetString());

        using var request = new HttpRequestMessage(HttpMethod.Post, "/flows/http/hello/") { Content = JsonContent.Create(new { name = "Cy" }) };
        request.Headers.Add("Prefer", "respond-async");
        using var response = await integrator.SendAsync(request);
        var accepted = await ServerFixture.ReadAsync(response, HttpStatusCode.Accepted);
        var execution = await server.WaitForExecutionAsync(integrator, response.Headers.Location!.OriginalString);
        Assert.Equal(accepted.GetProperty("executionId").GetString(), execution.GetProperty("id").GetString());
        Assert.Equal("Hello Cy", execution.GetProperty("outputs").GetProperty("greeting").GetString());
    }

    [Fact]
    public async Task WrongPathMethodOrInput_AreProblems()
    {
        using var integrator = server.Client(Roles.Integrator);
        using var wrongMethod = await integrator.GetAsync("/flows/http/hello");
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("POST", wrongMethod.Content.Headers.Allow.Single());
        var unknown = await ServerFixture.ReadAsync(await integrator.PostAsync("/flows/http/helo", null), HttpStatusCode.NotFound);
        Assert.Contains("'hello'", unknown.GetProperty("detail").GetString(), StringComparison.Ordinal);
        var bad = await ServerFixture.ReadAsync(await integrator.PostAsJsonAsync("/flows/http/hello", new { times = "many" }), HttpStatusCode.BadRequest);
        Assert.Contains("times", bad.GetProperty("detail").GetString(), StringComparison.Ordinal);

        using var viewer = server.Client(Roles.Viewer);
        using var forbidden = await viewer.PostAsJsonAsync("/flows/http/hello", new { name = "Ana" });
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }
}
