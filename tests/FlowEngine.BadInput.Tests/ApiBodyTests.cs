using System.Text;
using Xunit.Abstractions;

namespace FlowEngine.BadInput.Tests;

/// <summary>
/// The server door: every request of <see cref="ApiCases"/> gets its 4xx with a detail that says what is wrong, never a
/// 500, an exception, a stack trace or a secret, and leaves every stored row as it was.
/// </summary>
[Collection(BadInputCollection.Name)]
public sealed class ApiBodyTests(BadInputServer server, ITestOutputHelper output)
{
    [Fact]
    public async Task EveryBadRequest_Gets4xxProblem_SayingWhatIsWrong_AndChangesNothing()
    {
        var failures = new List<string>();
        foreach (var @case in ApiCases.All)
        {
            var before = server.Snapshot();
            var logged = server.Log.Count;
            using var client = server.Client(@case.Role.Length == 0 ? null : @case.Role);
            using var request = new HttpRequestMessage(new HttpMethod(@case.Method), Resolve(@case.Path));
            if (@case.Body is not null)
            {
                request.Content = new StringContent(@case.Body, Encoding.UTF8, @case.ContentType);
                request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(@case.ContentType) { CharSet = "utf-8" };

                // A server refuses a body over its limit before reading it; 100-continue lets it say so before the body is sent.
                request.Headers.ExpectContinue = true;
            }

            string body;
            int status;
            try
            {
                using var response = await client.SendAsync(request);
                status = (int)response.StatusCode;
                body = await response.Content.ReadAsStringAsync();
            }
            catch (HttpRequestException ex)
            {
                failures.Add($"{@case.Name}: the connection failed ({ex.Message})");
                continue;
            }

            var detail = Answers.Detail(body);
            var why = status != @case.Status ? $"answered {status}, expected {@case.Status}" : Answers.Unclear(body, @case.Expect, [.. server.Secrets, ApiCases.PlantedSecret]);
            why ??= StoreSnapshot.Changed(before, server.Snapshot());
            why ??= server.ExceptionLoggedSince(logged);

            output.WriteLine($"{(why is null ? "ok  " : "FAIL")} {@case.Method} {@case.Path[..Math.Min(@case.Path.Length, 70)]} -> {status}: {Short(detail)}");
            if (why is not null)
            {
                failures.Add($"{@case.Name}: {why}; answer: {Short(body)}");
            }
        }

        Figures.Report(output, "server API bodies", ApiCases.All.Count, ApiCases.All.Count - failures.Count);
        Assert.True(failures.Count == 0, $"{failures.Count} of {ApiCases.All.Count} bad requests were not answered clearly:\n" + string.Join("\n", failures));
    }

    private static string Resolve(string path) => path
        .Replace("{pd}", Uri.EscapeDataString(BadInputServer.PagerDutyProfile), StringComparison.Ordinal)
        .Replace("{rm}", Uri.EscapeDataString(BadInputServer.RoadmunkProfile), StringComparison.Ordinal);

    private static string Short(string text) => text.Length > 300 ? text[..300] + "…" : text;
}
