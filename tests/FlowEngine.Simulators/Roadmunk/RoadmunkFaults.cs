using System.Globalization;
using FlowEngine.Simulators.Hosting;
using FlowEngine.Simulators.Roadmunk;

namespace FlowEngine.Simulators;

/// <summary>
/// Faults for the next gateway requests (not <c>/_simulator/</c>). Each kind counts down on its own. Per request, in this
/// order: a dropped connection ends the request; a delay is waited and the request goes on; a 429, then a failure status
/// answer instead of the gateway (both before authentication); otherwise the gateway runs, GraphQL errors are answered
/// after authentication instead of running the operation, and a malformed-JSON fault cuts the answer in half.
/// </summary>
public sealed class RoadmunkFaults
{
    private readonly CountedFault<string> _graphQLErrors = new();
    private readonly CountedFault<int> _fail = new();
    private readonly CountedFault<int> _rateLimit = new();
    private readonly CountedFault<bool> _malformed = new();
    private readonly CountedFault<bool> _drop = new();
    private readonly CountedFault<TimeSpan> _delay = new();
    private int _repeatPage;
    private int _holdOff;
    private int _revokeApiTokenAfter = -1;

    internal RoadmunkFaults()
    {
    }

    /// <summary>The next <paramref name="count"/> operations answer HTTP 200 <c>{"data":null,"errors":[{"message":message}]}</c>.</summary>
    public void GraphQLErrorsNext(int count, string message) => _graphQLErrors.Arm(count, message);

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/> with <c>{"errors":[{"message":...}]}</c>.</summary>
    public void FailNext(int count, int status = 500) => _fail.Arm(count, status);

    /// <summary>The next <paramref name="count"/> requests answer 429 with <c>Retry-After: retryAfterSeconds</c>.</summary>
    public void RateLimitNext(int count, int retryAfterSeconds) => _rateLimit.Arm(count, retryAfterSeconds);

    /// <summary>The next <paramref name="count"/> requests run normally but their JSON answer is cut in half.</summary>
    public void MalformedJsonNext(int count) => _malformed.Arm(count, true);

    /// <summary>The next <paramref name="count"/> requests have their connection aborted without a response.</summary>
    public void DropConnectionNext(int count) => _drop.Arm(count, true);

    /// <summary>The next <paramref name="count"/> requests wait <paramref name="delay"/> (real time) before being handled.</summary>
    public void DelayNext(int count, TimeSpan delay) => _delay.Arm(count, delay);

    /// <summary>
    /// After <paramref name="pages"/> more <c>users</c> pages, the next one is the previous page again: the same edges and
    /// the same <c>endCursor</c>, whatever <c>after</c> asked for.
    /// </summary>
    public void RepeatPageAfter(int pages)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pages);
        Interlocked.Exchange(ref _repeatPage, pages + 1);
    }

    /// <summary>
    /// The API token stops working after the next <paramref name="requests"/> gateway requests (0: at once): every later
    /// request gets 401, as when the Account Admin regenerates the token mid-run. <see cref="RestoreApiToken"/> undoes it.
    /// </summary>
    public void RevokeApiTokenAfter(int requests)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requests);
        Interlocked.Exchange(ref _revokeApiTokenAfter, requests);
    }

    /// <summary>The API token works again.</summary>
    public void RestoreApiToken() => Interlocked.Exchange(ref _revokeApiTokenAfter, -1);

    /// <summary>True once a revocation armed by <see cref="RevokeApiTokenAfter"/> has taken effect.</summary>
    public bool ApiTokenRevoked => Volatile.Read(ref _revokeApiTokenAfter) == 0;

    /// <summary>
    /// The next <paramref name="requests"/> requests pass untouched by the faults armed with the <c>…Next</c> methods, which
    /// then apply: a fault in the middle of a run (say, on its second page).
    /// </summary>
    public void StartAfter(int requests)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requests);
        Interlocked.Exchange(ref _holdOff, requests);
    }

    /// <summary>Disarms every pending fault (a revoked token stays revoked).</summary>
    public void Clear()
    {
        _graphQLErrors.Clear();
        _fail.Clear();
        _rateLimit.Clear();
        _malformed.Clear();
        _drop.Clear();
        _delay.Clear();
        Interlocked.Exchange(ref _repeatPage, 0);
        Interlocked.Exchange(ref _holdOff, 0);
    }

    internal bool TakeGraphQLErrors(out string message) => _graphQLErrors.TryTake(out message);

    internal bool TakeRepeatPage() => PagerDutyFaults.TakeCountdown(ref _repeatPage);

    internal async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        try
        {
            await InvokeFaultsAsync(context, next);
        }
        finally
        {
            PagerDutyFaults.CountDownRevocation(ref _revokeApiTokenAfter);
        }
    }

    private async Task InvokeFaultsAsync(HttpContext context, Func<Task> next)
    {
        if (PagerDutyFaults.TakeHoldOff(ref _holdOff))
        {
            await next();
            return;
        }

        if (_drop.TryTake(out _))
        {
            context.Abort();
            return;
        }

        if (_delay.TryTake(out var delay))
        {
            try
            {
                await Task.Delay(delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

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

        if (_malformed.TryTake(out _))
        {
            await PagerDutyFaults.WriteTruncatedAsync(context, next);
            return;
        }

        await next();
    }
}
