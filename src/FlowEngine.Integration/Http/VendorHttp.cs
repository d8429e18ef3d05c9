using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using FlowEngine.Expressions;
using FlowEngine.Integration.Connections;
using FlowEngine.Integration.Spokes;
using FlowEngine.Runtime.Execution;
using Polly;
using Polly.Retry;

namespace FlowEngine.Integration.Http;

/// <summary>One request to a vendor, before the alias adds its URL, headers and credential.</summary>
public sealed record VendorRequest(HttpMethod Method, string Path)
{
    /// <summary>Query parameters in order; a name may repeat (<c>user_ids[]</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Query { get; init; } = [];

    /// <summary>Extra headers.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Builds the body anew for each attempt.</summary>
    public Func<HttpContent>? Body { get; init; }

    /// <summary>The action says a retry of this write is safe even when its outcome is unknown.</summary>
    public bool Idempotent { get; init; }

    /// <summary>Largest response body accepted, in bytes.</summary>
    public long ResponseLimit { get; init; } = VendorHttp.DefaultResponseLimit;
}

/// <summary>A vendor's answer: status, headers, and the body parsed by content type.</summary>
public sealed record VendorResponse(int Status, IReadOnlyDictionary<string, object?> Headers, object? Body, int Retries, string? ContentType);

/// <summary>
/// Sends requests through an alias: base URL, alias headers, credential, the retry policy (Polly) and the response
/// size limit. Retries only what is safe: 429 (never processed), and 408, 5xx or a lost connection when the method is
/// idempotent or the action says the write is safe. A 401 on an OAuth credential refreshes the token once and tries again.
/// Every attempt waits for a slot of the alias's limits (<see cref="AliasLimiters"/>) and holds it until its answer is read.
/// </summary>
public sealed class VendorHttp(HttpClient http, TokenManager tokens, TimeProvider time)
{
    /// <summary>The per-alias concurrency and rate limits, shared by every execution that uses this instance.</summary>
    public AliasLimiters Limiters { get; } = new(time);

    /// <summary>IntegrationHub's default response size limit.</summary>
    public const long DefaultResponseLimit = 5 * 1024 * 1024;

    /// <summary>The largest limit a step may ask for.</summary>
    public const long MaxResponseLimit = 10 * 1024 * 1024;

    // One retry pipeline for every request: what differs per request (its policy, start, method, cancellation, the
    // retries so far and the limiter slot it holds) travels in its ResilienceContext. Polly validates a pipeline's
    // options by reflection when it is built; doing that per request was needless work (though too small to measure).
    private static readonly ResiliencePropertyKey<Call> CallKey = new("flowengine.vendor-call");

    private readonly ResiliencePipeline<HttpResponseMessage> _pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
        .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
        {
            // The request's own policy decides how many (ShouldHandle).
            MaxRetryAttempts = int.MaxValue,
            ShouldHandle = args =>
            {
                var call = args.Context.Properties.GetValue(CallKey, null!);
                if (args.AttemptNumber >= call.Policy.MaxCount || time.GetUtcNow() - call.Started >= call.Policy.MaxElapsed)
                {
                    return ValueTask.FromResult(false);
                }

                var retry = args.Outcome switch
                {
                    { Result: { } r } => r.StatusCode == HttpStatusCode.TooManyRequests
                        || (call.SafeToRepeat && (r.StatusCode == HttpStatusCode.RequestTimeout || (int)r.StatusCode >= 500)),
                    { Exception: HttpRequestException or TimeoutException } => call.SafeToRepeat,
                    { Exception: TaskCanceledException } => call.SafeToRepeat && !args.Context.CancellationToken.IsCancellationRequested,
                    _ => false,
                };
                return ValueTask.FromResult(retry);
            },
            DelayGenerator = args =>
            {
                var call = args.Context.Properties.GetValue(CallKey, null!);
                var delay = Delay(call.Policy, args.AttemptNumber, args.Outcome.Result);
                var remaining = call.Policy.MaxElapsed - (time.GetUtcNow() - call.Started);
                return ValueTask.FromResult<TimeSpan?>(delay < remaining ? delay : remaining < TimeSpan.Zero ? TimeSpan.Zero : remaining);
            },
            OnRetry = args =>
            {
                var call = args.Context.Properties.GetValue(CallKey, null!);
                call.Retries++;
                args.Outcome.Result?.Dispose();
                call.Release();
                return ValueTask.CompletedTask;
            },
        })
        .Build();

    /// <summary>Sends a request, retrying per <paramref name="policy"/>.</summary>
    /// <exception cref="StepFailedException">The vendor could not be reached, rejected the credential, or answered too much.</exception>
    public async Task<VendorResponse> SendAsync(ResolvedConnection connection, VendorRequest request, RetryPolicy policy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(policy);
        var safeToRepeat = request.Idempotent || request.Method == HttpMethod.Get || request.Method == HttpMethod.Head
            || request.Method == HttpMethod.Put || request.Method == HttpMethod.Delete || request.Method == HttpMethod.Options;
        var call = new Call(policy, time.GetUtcNow(), safeToRepeat);
        string? rejectedToken = null;

        try
        {
            for (var authAttempt = 0; ; authAttempt++)
            {
                var authorization = await AuthorizationAsync(connection, rejectedToken, cancellationToken).ConfigureAwait(false);
                HttpResponseMessage response;
                var context = ResilienceContextPool.Shared.Get(cancellationToken);
                context.Properties.Set(CallKey, call);
                try
                {
                    response = await _pipeline.ExecuteAsync(
                        async ctx =>
                        {
                            call.Release();
                            call.Lease = await Limiters.AcquireAsync(connection, ctx.CancellationToken).ConfigureAwait(false);
                            using var message = Build(connection, request, authorization.Header);
                            return await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, ctx.CancellationToken).ConfigureAwait(false);
                        },
                        context).ConfigureAwait(false);
                }
                catch (HttpRequestException ex)
                {
                    throw new StepFailedException(
                        $"{connection.Vendor} (alias {connection.UsedAlias}) could not be reached at {connection.BaseUrl}: {ex.Message}" +
                        (call.Retries > 0 ? $" (after {call.Retries} retries)" : safeToRepeat ? "" : $"; {request.Method} is not retried because its outcome is unknown"),
                        code: "connection") { IsRetryable = true, Details = new Dictionary<string, object?> { ["retries"] = (long)call.Retries } };
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new StepFailedException($"{connection.Vendor} (alias {connection.UsedAlias}) did not answer in time at {connection.BaseUrl}", code: "timeout") { IsRetryable = true };
                }
                finally
                {
                    ResilienceContextPool.Shared.Return(context);
                }

                using (response)
                {
                    if (response.StatusCode == HttpStatusCode.Unauthorized && authorization.Token is not null && authAttempt == 0)
                    {
                        rejectedToken = authorization.Token;
                        call.Release();
                        continue;
                    }

                    if (response.StatusCode == HttpStatusCode.Unauthorized)
                    {
                        throw new StepFailedException(
                            $"credential for alias {connection.UsedAlias} was rejected (401) by {connection.Vendor}; check it with 'flowengine aliases test {connection.UsedAlias}'",
                            code: "http_401") { Details = new Dictionary<string, object?> { ["status"] = 401L } };
                    }

                    var body = await ReadAsync(connection, request, response, cancellationToken).ConfigureAwait(false);
                    var headers = response.Headers.Concat(response.Content.Headers)
                        .ToDictionary(h => h.Key.ToLowerInvariant(), h => (object?)string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
                    return new VendorResponse((int)response.StatusCode, headers, body, call.Retries, response.Content.Headers.ContentType?.MediaType);
                }
            }
        }
        finally
        {
            call.Release();
        }
    }

    /// <summary>One request's state across its attempts.</summary>
    private sealed class Call(RetryPolicy policy, DateTimeOffset started, bool safeToRepeat)
    {
        private IDisposable? _lease;

        public RetryPolicy Policy { get; } = policy;

        public DateTimeOffset Started { get; } = started;

        public bool SafeToRepeat { get; } = safeToRepeat;

        public int Retries { get; set; }

        /// <summary>The limiter slot the current attempt holds.</summary>
        public IDisposable? Lease
        {
            set => Interlocked.Exchange(ref _lease, value)?.Dispose();
        }

        /// <summary>Gives the slot back (once).</summary>
        public void Release() => Interlocked.Exchange(ref _lease, null)?.Dispose();
    }

    /// <summary>The wait before a retry: Retry-After or the vendor's reset header when the policy honours them, else the backoff.</summary>
    public static TimeSpan Delay(RetryPolicy policy, int attempt, HttpResponseMessage? response)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (policy.Strategy == "honor_header" && response is not null)
        {
            if (response.Headers.RetryAfter is { } retryAfter)
            {
                var wait = retryAfter.Delta ?? (retryAfter.Date - DateTimeOffset.UtcNow) ?? TimeSpan.Zero;
                return Clamp(wait, policy);
            }

            if (policy.Header is { } header && response.Headers.TryGetValues(header, out var values)
                && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            {
                return Clamp(TimeSpan.FromSeconds(seconds), policy);
            }
        }

        return policy.Strategy == "fixed"
            ? policy.Interval
            : Clamp(TimeSpan.FromTicks((long)(policy.Interval.Ticks * Math.Pow(policy.Multiplier, attempt))), policy);
    }

    private static TimeSpan Clamp(TimeSpan wait, RetryPolicy policy) =>
        wait < TimeSpan.Zero ? TimeSpan.Zero : wait > policy.MaxDelay ? policy.MaxDelay : wait;

    private async Task<(string? Header, string? Token)> AuthorizationAsync(ResolvedConnection connection, string? rejected, CancellationToken cancellationToken)
    {
        var secrets = connection.Record.Secrets;
        switch (connection.CredentialType)
        {
            case "api_token":
                var token = secrets.GetValueOrDefault("token") ?? throw new StepFailedException($"{connection.Vendor}: alias '{connection.UsedAlias}' has no API token", code: "credential");
                var format = connection.Setting("format") ?? "Bearer {token}";
                return (format.Replace("{token}", token, StringComparison.Ordinal), null);
            case "basic":
                var user = connection.Setting("user") ?? "";
                var password = secrets.GetValueOrDefault("password") ?? "";
                return ("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")), null);
            case "oauth2_authorization_code" or "oauth2_client_credentials":
                var access = await tokens.GetAccessTokenAsync(connection, rejected, cancellationToken).ConfigureAwait(false);
                return ("Bearer " + access, access);
            default:
                throw new StepFailedException($"{connection.Vendor}: alias '{connection.UsedAlias}' has an unknown credential type '{connection.CredentialType}'", code: "credential");
        }
    }

    private static HttpRequestMessage Build(ResolvedConnection connection, VendorRequest request, string? authorization)
    {
        var path = request.Path.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || request.Path.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            ? throw new StepFailedException($"path '{request.Path}' must be relative to the alias's URL ({connection.BaseUrl}); absolute URLs would bypass the alias", code: "request")
            : request.Path;
        var url = new StringBuilder(connection.BaseUrl).Append(path.StartsWith('/') ? path : "/" + path);
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        foreach (var (name, value) in request.Query)
        {
            url.Append(separator).Append(Uri.EscapeDataString(name)).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        var message = new HttpRequestMessage(request.Method, url.ToString()) { Content = request.Body?.Invoke() };
        foreach (var (name, value) in connection.Definition.Headers.Concat(request.Headers))
        {
            if (!message.Headers.TryAddWithoutValidation(name, value))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (authorization is not null)
        {
            var header = connection.CredentialType == "api_token" ? connection.Setting("header") ?? "Authorization" : "Authorization";
            message.Headers.Remove(header);
            message.Headers.TryAddWithoutValidation(header, authorization);
        }

        return message;
    }

    private static async Task<object?> ReadAsync(ResolvedConnection connection, VendorRequest request, HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var limit = Math.Min(request.ResponseLimit, MaxResponseLimit);
        if (response.Content.Headers.ContentLength > limit)
        {
            throw TooLarge(connection, request, limit);
        }

        // The body goes into a buffer from the shared pool, sized by Content-Length when there is one, and back to the
        // pool once parsed: a MemoryStream doubled its way to 128 KB for a 60 KB page, a large-object-heap array per
        // page, and those drove full collections in a download (bench/README.md, "Profile, fourth round").
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var pool = System.Buffers.ArrayPool<byte>.Shared;
        var buffer = pool.Rent(response.Content.Headers.ContentLength is > 0 and var length && length <= limit ? (int)length + 1 : 16 * 1024);
        try
        {
            var filled = 0;
            int read;
            while ((read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken).ConfigureAwait(false)) > 0)
            {
                filled += read;
                if (filled > limit)
                {
                    throw TooLarge(connection, request, limit);
                }

                if (filled == buffer.Length)
                {
                    var larger = pool.Rent(buffer.Length * 2);
                    buffer.AsSpan(0, filled).CopyTo(larger);
                    pool.Return(buffer);
                    buffer = larger;
                }
            }

            return filled == 0 ? null : Parse(connection, request, response, buffer.AsSpan(0, filled));
        }
        finally
        {
            pool.Return(buffer);
        }
    }

    // The body as values (JSON, read as UTF-8 straight into values: no string of the whole page in between) or as text.
    private static object? Parse(ResolvedConnection connection, VendorRequest request, HttpResponseMessage response, ReadOnlySpan<byte> body)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType ?? "";
        if (mediaType.Contains("json", StringComparison.OrdinalIgnoreCase) || (mediaType.Length == 0 && body.TrimStart(" \t\r\n"u8) is [(byte)'{', ..]))
        {
            try
            {
                return Values.ParseJson(body.StartsWith(Encoding.UTF8.Preamble) ? body[Encoding.UTF8.Preamble.Length..] : body);
            }
            catch (System.Text.Json.JsonException ex)
            {
                throw new StepFailedException(
                    $"{connection.Vendor} (alias {connection.UsedAlias}) answered {request.Method} {request.Path} with malformed JSON: {ex.Message}",
                    code: "response") { IsRetryable = true };
            }
        }

        return Encoding.UTF8.GetString(body);
    }

    private static StepFailedException TooLarge(ResolvedConnection connection, VendorRequest request, long limit) => new(
        $"the answer of {connection.Vendor} (alias {connection.UsedAlias}) to {request.Method} {request.Path} is larger than the {(limit % (1024 * 1024) == 0 ? $"{limit / 1024 / 1024} MB" : $"{limit}-byte")} limit; " +
        $"ask for smaller pages, or raise the step's response_limit (at most {MaxResponseLimit / 1024 / 1024} MB)",
        code: "response_too_large");
}
