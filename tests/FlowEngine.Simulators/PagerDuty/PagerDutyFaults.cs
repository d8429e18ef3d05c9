using System.Globalization;
using FlowEngine.Simulators.Hosting;
using FlowEngine.Simulators.PagerDuty;

namespace FlowEngine.Simulators;

/// <summary>
/// Faults for the next REST API requests (not <c>/oauth/*</c>). Each kind counts down on its own. Per request, in this order:
/// a dropped connection ends the request; a delay is waited and the request goes on; then a 429, then a failure status
/// answers instead of the endpoint; otherwise the endpoint runs and a malformed-JSON fault cuts its body in half.
/// </summary>
public sealed class PagerDutyFaults
{
    private readonly CountedFault<(int ResetSeconds, bool WithHeaders)> _rateLimit = new();
    private readonly CountedFault<int> _fail = new();
    private readonly CountedFault<bool> _malformed = new();
    private readonly CountedFault<bool> _drop = new();
    private readonly CountedFault<TimeSpan> _delay = new();
    private readonly OAuthStore _oauth;
    private int _repeatPage;
    private int _holdOff;
    private int _revokeApiTokenAfter = -1;
    private int _revokeOAuthAfter;

    internal PagerDutyFaults(OAuthStore oauth) => _oauth = oauth;

    /// <summary>The next <paramref name="count"/> requests get 429 <c>{"error":{"message":"Rate Limit Exceeded","code":2020}}</c> with
    /// <c>ratelimit-limit: 960</c>, <c>ratelimit-remaining: 0</c>, <c>ratelimit-reset: resetSeconds</c>; without headers and body when <paramref name="withHeaders"/> is false.</summary>
    public void RateLimitNext(int count, int resetSeconds, bool withHeaders = true) => _rateLimit.Arm(count, (resetSeconds, withHeaders));

    /// <summary>The next <paramref name="count"/> requests answer <paramref name="status"/> with a PagerDuty error body.</summary>
    public void FailNext(int count, int status = 500) => _fail.Arm(count, status);

    /// <summary>Invalidates every OAuth access token, refresh token and unredeemed code (the app's tokens were revoked). API keys keep working.</summary>
    public void RevokeAllTokens() => _oauth.RevokeAll();

    /// <summary>
    /// The account API key stops working after the next <paramref name="requests"/> REST requests (0: at once): every later
    /// request with it gets 401, as when an admin deletes the key mid-run. <see cref="Clear"/> does not restore it; <see cref="RestoreApiToken"/> does.
    /// </summary>
    public void RevokeApiTokenAfter(int requests)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requests);
        Interlocked.Exchange(ref _revokeApiTokenAfter, requests);
    }

    /// <summary>The account API key works again.</summary>
    public void RestoreApiToken() => Interlocked.Exchange(ref _revokeApiTokenAfter, -1);

    /// <summary>True once a revocation armed by <see cref="RevokeApiTokenAfter"/> has taken effect.</summary>
    public bool ApiTokenRevoked => Volatile.Read(ref _revokeApiTokenAfter) == 0;

    /// <summary>
    /// After the next <paramref name="requests"/> REST requests (0: at once) every OAuth access token, refresh token and
    /// unredeemed code is invalidated, as when the app's access is revoked mid-run (see <see cref="RevokeAllTokens"/>).
    /// </summary>
    public void RevokeAllTokensAfter(int requests)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requests);
        if (requests == 0)
        {
            RevokeAllTokens();
            return;
        }

        Interlocked.Exchange(ref _revokeOAuthAfter, requests);
    }

    /// <summary>The next <paramref name="count"/> requests run normally but their JSON body is cut in half (status 200 if it was 204).</summary>
    public void MalformedJsonNext(int count) => _malformed.Arm(count, true);

    /// <summary>The next <paramref name="count"/> requests have their connection aborted without a response.</summary>
    public void DropConnectionNext(int count) => _drop.Arm(count, true);

    /// <summary>The next <paramref name="count"/> requests wait <paramref name="delay"/> (real time) before being handled.</summary>
    public void DelayNext(int count, TimeSpan delay) => _delay.Arm(count, delay);

    /// <summary>The next paged response (<c>/users</c> or <c>/oncalls</c>) repeats the items of that endpoint's previous page, echoing the requested offset.</summary>
    public void RepeatPageNext() => RepeatPageAfter(0);

    /// <summary>After <paramref name="pages"/> more paged responses, the next one repeats the items of that endpoint's previous page (a page that repeats mid-run).</summary>
    public void RepeatPageAfter(int pages)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pages);
        Interlocked.Exchange(ref _repeatPage, pages + 1);
    }

    /// <summary>
    /// The next <paramref name="requests"/> requests pass untouched by the faults armed with the <c>…Next</c> methods, which
    /// then apply: a fault in the middle of a run (say, on its second page).
    /// </summary>
    public void StartAfter(int requests)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(requests);
        Interlocked.Exchange(ref _holdOff, requests);
    }

    /// <summary>Disarms every pending fault (tokens stay revoked).</summary>
    public void Clear()
    {
        _rateLimit.Clear();
        _fail.Clear();
        _malformed.Clear();
        _drop.Clear();
        _delay.Clear();
        Interlocked.Exchange(ref _repeatPage, 0);
        Interlocked.Exchange(ref _holdOff, 0);
        Interlocked.Exchange(ref _revokeOAuthAfter, 0);
    }

    internal bool TakeRepeatPage() => TakeCountdown(ref _repeatPage);

    // True (and one less to pass) while requests are to pass untouched.
    internal static bool TakeHoldOff(ref int remaining)
    {
        int current;
        do
        {
            current = Volatile.Read(ref remaining);
            if (current <= 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref remaining, current - 1, current) != current);
        return true;
    }

    // Counts down an armed "after n" fault: true for the request that takes it from 1 to 0.
    internal static bool TakeCountdown(ref int remaining)
    {
        int current;
        do
        {
            current = Volatile.Read(ref remaining);
            if (current <= 0)
            {
                return false;
            }
        }
        while (Interlocked.CompareExchange(ref remaining, current - 1, current) != current);
        return current == 1;
    }

    internal async Task InvokeAsync(HttpContext context, Func<Task> next)
    {
        try
        {
            await InvokeFaultsAsync(context, next);
        }
        finally
        {
            CountDownRevocation(ref _revokeApiTokenAfter);
            if (TakeCountdown(ref _revokeOAuthAfter))
            {
                RevokeAllTokens();
            }
        }
    }

    private async Task InvokeFaultsAsync(HttpContext context, Func<Task> next)
    {
        if (TakeHoldOff(ref _holdOff))
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

        if (_rateLimit.TryTake(out var rateLimit))
        {
            context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
            if (rateLimit.WithHeaders)
            {
                context.Response.Headers["ratelimit-limit"] = "960";
                context.Response.Headers["ratelimit-remaining"] = "0";
                context.Response.Headers["ratelimit-reset"] = rateLimit.ResetSeconds.ToString(CultureInfo.InvariantCulture);
                await PagerDutyErrors.Error(429, PagerDutyErrors.RateLimitExceeded, "Rate Limit Exceeded").ExecuteAsync(context);
            }

            return;
        }

        if (_fail.TryTake(out var status))
        {
            var (code, message) = PagerDutyErrors.ForStatus(status);
            await PagerDutyErrors.Error(status, code, message).ExecuteAsync(context);
            return;
        }

        if (_malformed.TryTake(out _))
        {
            await WriteTruncatedAsync(context, next);
            return;
        }

        await next();
    }

    // Counts one request served towards an armed revocation (-1: none armed, 0: revoked).
    internal static void CountDownRevocation(ref int remaining)
    {
        int current;
        do
        {
            current = Volatile.Read(ref remaining);
        }
        while (current > 0 && Interlocked.CompareExchange(ref remaining, current - 1, current) != current);
    }

    internal static async Task WriteTruncatedAsync(HttpContext context, Func<Task> next)
    {
        var original = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next();
        }
        finally
        {
            context.Response.Body = original;
        }

        var body = buffer.ToArray();
        var cut = body.Length > 1 ? body[..(body.Length / 2)] : "{\"error\":{\"mess"u8.ToArray();
        if (context.Response.StatusCode == StatusCodes.Status204NoContent)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
        }

        context.Response.ContentType ??= "application/json; charset=utf-8";
        context.Response.ContentLength = cut.Length;
        await original.WriteAsync(cut, context.RequestAborted);
    }
}
