using System.Net;
using FlowEngine.Integration.Connections;
using FlowEngine.Integration.Http;
using FlowEngine.Integration.Spokes;
using FlowEngine.Runtime.Records;
using FlowEngine.Simulators;

namespace FlowEngine.Integration.Tests;

public sealed class RetryAndLimitsTests
{
    private static Task<(IntegrationHarness Harness, RoadmunkSimulator Sim)> RoadmunkAsync(params (string File, string Text)[] extra) =>
        IntegrationHarness.WithRoadmunkAsync(new RoadmunkSeed { UserCount = 30 }, extra);

    private static Task<(IntegrationHarness Harness, PagerDutySimulator Sim)> PagerDutyAsync(params (string File, string Text)[] extra) =>
        IntegrationHarness.WithPagerDutyAsync(new PagerDutySeed { UserCount = 120 }, extra: extra);

    [Fact]
    public async Task ServerErrorOnAQuery_IsRetried_ButOnAMutationWhoseOutcomeIsUnknown_IsNot()
    {
        var (harness, sim) = await RoadmunkAsync();
        await using var _ = sim;
        sim.Faults.FailNext(2, 503);
        var query = await harness.RunAsync("roadmunk.look_up_account");
        Assert.True(query.Status == ExecutionStatus.Completed, query.Record.Error);
        Assert.Equal(2, (await harness.RecordAsync(query)).Steps.Single(s => s.StepId == "account").RetryCount);

        var target = sim.Users.First(u => u.IsActive && !u.IsDefaultAdmin);
        sim.Faults.FailNext(1, 500);
        var mutation = await harness.RunAsync("roadmunk.deactivate_user", new() { ["user_id"] = target.Id, ["email"] = target.Email });
        Assert.Equal("failure", mutation.Outputs["status"]);
        Assert.Contains("answered 500", (string)mutation.Outputs["error_message"]!, StringComparison.Ordinal);
        Assert.Equal(0, (await harness.RecordAsync(mutation)).Steps.Single(s => s.StepId == "inactivate").RetryCount);
        Assert.True(sim.Users.Single(u => u.Id == target.Id).IsActive);
    }

    [Fact]
    public async Task DroppedConnection_OnAGet_IsRetried_AndMalformedJson_FailsNamingTheVendor()
    {
        var (harness, sim) = await PagerDutyAsync();
        await using var _ = sim;
        sim.Faults.DropConnectionNext(1);
        var dropped = await harness.RunAsync("pagerduty.list_users");
        Assert.True(dropped.Status == ExecutionStatus.Completed, dropped.Record.Error);
        Assert.Equal(120L, dropped.Outputs["count"]);

        sim.Faults.MalformedJsonNext(1);
        var malformed = await harness.RunAsync("pagerduty.look_up_account");
        Assert.Equal(ExecutionStatus.Failed, malformed.Status);
        Assert.Contains("PagerDuty (alias sn_pagerduty_spoke.PagerDuty) answered GET /abilities with malformed JSON", malformed.Record.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("content-length")]
    [InlineData("trickle")]
    public async Task AnswersOfEveryFraming_AreReadWhole(string framing)
    {
        // The simulator answers chunked. The same pages again with a Content-Length, and as a stream that hands over at
        // most 1,000 bytes a read: the body buffer starts small and grows, or starts at the announced size.
        using var http = new HttpClient(new Reframing(framing == "trickle") { InnerHandler = new SocketsHttpHandler() });
        var (harness, sim) = await IntegrationHarness.WithPagerDutyAsync(new PagerDutySeed { UserCount = 250 }, http: http);
        await using var _ = sim;

        var result = await harness.RunAsync("pagerduty.list_users");

        Assert.True(result.Status == ExecutionStatus.Completed, result.Record.Error);
        var ids = ((IEnumerable<object?>)result.Outputs["users"]!).Cast<IDictionary<string, object?>>().Select(u => (string)u["id"]!);
        Assert.Equal(sim.Users.Select(u => u.Id).Order(), ids.Order());
    }

    // Re-sends each answer's body with a Content-Length, or as a stream of small reads without one.
    private sealed class Reframing(bool trickle) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            var type = response.Content.Headers.ContentType;
            response.Content = trickle ? new StreamContent(new Trickle(body)) : new ByteArrayContent(body);
            response.Content.Headers.ContentType = type;
            Assert.Equal(trickle ? null : body.Length, response.Content.Headers.ContentLength);
            return response;
        }
    }

    private sealed class Trickle(byte[] body) : Stream
    {
        private int _at;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _at; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 1000), body.Length - _at);
            Array.Copy(body, _at, buffer, offset, n);
            _at += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    [Fact]
    public async Task ResponseLargerThanTheLimit_FailsWithWhatToDo()
    {
        var tiny = """
            kind: action
            id: pagerduty.tiny_page
            version: 1
            steps:
              - id: fetch
                rest: /users
                query: { limit: 100 }
                response_limit: 2000
            """;
        var (harness, sim) = await PagerDutyAsync(("tiny.yaml", tiny));
        await using var _ = sim;
        var result = await harness.RunAsync("pagerduty.tiny_page");
        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Contains("the answer of PagerDuty (alias sn_pagerduty_spoke.PagerDuty) to GET /users is larger than the 2000-byte limit", result.Record.Error, StringComparison.Ordinal);
        Assert.Contains("raise the step's response_limit (at most 10 MB)", result.Record.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StepRetryOverride_MaxCount_IsWhatEachRequestGets_ThenItFails()
    {
        // Two retries allowed: three 500s in a row fail the step after two retries; a request after that has its own two.
        var bounded = """
            kind: action
            id: pagerduty.bounded
            version: 1
            steps:
              - id: fetch
                rest: /abilities
                retry: { strategy: fixed, interval: 0.01, max_count: 2 }
            """;
        var (harness, sim) = await PagerDutyAsync(("bounded.yaml", bounded));
        await using var _ = sim;
        sim.Faults.FailNext(3);
        var failed = await harness.RunAsync("pagerduty.bounded");
        Assert.Equal(ExecutionStatus.Failed, failed.Status);
        Assert.Contains("answered 500", failed.Record.Error, StringComparison.Ordinal);
        Assert.Equal(2, (await harness.RecordAsync(failed)).Steps.Single(s => s.StepId == "fetch").RetryCount);

        sim.Faults.FailNext(2);
        var recovered = await harness.RunAsync("pagerduty.bounded");
        Assert.True(recovered.Status == ExecutionStatus.Completed, recovered.Record.Error);
        Assert.Equal(2, (await harness.RecordAsync(recovered)).Steps.Single(s => s.StepId == "fetch").RetryCount);
    }

    [Fact]
    public async Task StepRetryOverride_NoRetries_FailsOnTheFirst429WithTheVendorsMessage()
    {
        var strict = """
            kind: action
            id: pagerduty.strict
            version: 1
            steps:
              - id: fetch
                rest: /abilities
                retry: { max_count: 0 }
            """;
        var (harness, sim) = await PagerDutyAsync(("strict.yaml", strict));
        await using var _ = sim;
        sim.Faults.RateLimitNext(1, 30);
        var result = await harness.RunAsync("pagerduty.strict");
        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Equal("step 'fetch': PagerDuty (alias sn_pagerduty_spoke.PagerDuty) answered 429 to GET /abilities: Rate Limit Exceeded (code 2020)", result.Record.Error);
    }

    [Theory]
    [InlineData("exponential", null, 0, 1.0)]
    [InlineData("exponential", null, 2, 4.0)]
    [InlineData("exponential", null, 9, 60.0)]
    [InlineData("fixed", null, 5, 1.0)]
    [InlineData("honor_header", "7", 0, 7.0)]
    [InlineData("honor_header", "500", 0, 60.0)]
    public void Delay_FollowsTheStrategy_AndIsCapped(string strategy, string? resetHeader, int attempt, double seconds)
    {
        var policy = RetryPolicy.Default with { Strategy = strategy, Header = "ratelimit-reset" };
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        if (resetHeader is not null)
        {
            response.Headers.Add("ratelimit-reset", resetHeader);
        }

        Assert.Equal(TimeSpan.FromSeconds(seconds), VendorHttp.Delay(policy, attempt, response));
    }

    [Fact]
    public void Delay_HonoursRetryAfter()
    {
        var policy = RetryPolicy.Default with { Strategy = "honor_header" };
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(12));
        Assert.Equal(TimeSpan.FromSeconds(12), VendorHttp.Delay(policy, 0, response));
    }

    [Fact]
    public void SpokeManifest_Problems_AreDiagnosticsWithPositions()
    {
        var catalog = new SpokeCatalog();
        catalog.Add("flows/spokes/x/spoke.yaml", """
            kind: spoke
            id: vendor_x
            aliases:
              bad id!:
                url: https://x
              x_spoke.X:
                url: https://x
                credentials:
                  api_tokn: { format: "Bearer {token}" }
                retry: { strategy: sometimes }
                colour: red
            """);
        var messages = catalog.Diagnostics.Select(d => $"{d.Line}:{d.Column} {d.Message}").ToList();
        Assert.Contains(messages, m => m.StartsWith("4:3 alias id 'bad id!' must be scope.Name", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("9:7 unknown credential type 'api_tokn'; did you mean 'api_token'?", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("10:12 retry strategy 'sometimes' must be exponential, fixed or honor_header", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.StartsWith("11:5 unknown key 'colour' in alias 'x_spoke.X'", StringComparison.Ordinal));
    }
}
