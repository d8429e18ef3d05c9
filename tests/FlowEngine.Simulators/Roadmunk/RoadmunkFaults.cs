using System.Globalization;
using FlowEngine.Simulators.Hosting;
using FlowEngine.Simulators.Roadmunk;

namespace FlowEngine.Simulators;

/// <summary>
/// Faults for the next gateway requests. A 429 goes first, then a failure status (both before authentication);
/// GraphQL errors are answered after authentication instead of running the operation.
/// </summary>
public sealed class RoadmunkFaults
{
    private readonly CountedFault<string> _graphQLErrors = new();
    private readonly CountedFault<int> _fail = new();
    private readonly CountedFault<int> _rateLimit = new();
    private Func<ScriptedRequest, ScriptedAnswer?>? _script;
    private int _scripted;

    internal RoadmunkFaults()
    {
    }

    /// <summary>The next <paramref name="count"/> operations answer HTTP 200 <c>{"data":null,"errors":[{"message":message}]}</c>.</summary>
    public void GraphQLErrorsNext(int count, string message) => _graphQLErrors.Arm(count, message);

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/> with <c>{"errors":[{"message":...}]}</c>.</summary>
    public void FailNext(int count, int status = 500) => _fail.Arm(count, status);

    /// <summary>The next <paramref name="count"/> requests answer 429 with <c>Retry-After: retryAfterSeconds</c>.</summary>
    public void RateLimitNext(int count, int retryAfterSeconds) => _rateLimit.Arm(count, retryAfterSeconds);

    /// <summary>
    /// Until cleared, every authenticated gateway request is answered by <paramref name="script"/> (null from it lets the
    /// simulator answer): non-JSON, <c>errors[]</c>, wrong shapes, endless cursors, huge bodies.
    /// </summary>
    public void AnswerWith(Func<ScriptedRequest, ScriptedAnswer?>? script)
    {
        Interlocked.Exchange(ref _scripted, 0);
        Volatile.Write(ref _script, script);
    }

    /// <summary>Disarms every pending fault and scripted answer.</summary>
    public void Clear()
    {
        AnswerWith(null);
        _graphQLErrors.Clear();
        _fail.Clear();
        _rateLimit.Clear();
    }

    internal bool TakeGraphQLErrors(out string message) => _graphQLErrors.TryTake(out message);

    internal ScriptedAnswer? Scripted(string path, string body) =>
        Volatile.Read(ref _script) is { } script ? script(new ScriptedRequest(Interlocked.Increment(ref _scripted) - 1, path, body)) : null;

    internal async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        if (_rateLimit.TryTake(out var retryAfter))
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            await RoadmunkEndpoint.Errors(StatusCodes.Status429TooManyRequests, "Too Many Requests").ExecuteAsync(context);
            return;
        }

        if (_fail.TryTake(out var status))
        {
            var phrase = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
            await RoadmunkEndpoint.Errors(status, phrase.Length == 0 ? "Error" : phrase).ExecuteAsync(context);
            return;
        }

        await next();
    }
}
