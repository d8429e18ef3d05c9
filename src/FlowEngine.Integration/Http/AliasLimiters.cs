using System.Collections.Concurrent;
using System.Globalization;
using System.Threading.RateLimiting;
using FlowEngine.Integration.Connections;
using FlowEngine.Integration.Spokes;
using FlowEngine.Runtime.Execution;

namespace FlowEngine.Integration.Http;

/// <summary>
/// One concurrency limiter and one token bucket per alias used, shared by every execution in the process
/// (System.Threading.RateLimiting). A request first waits for a slot (at most <see cref="AliasLimits.Concurrency"/> in
/// flight), then for a token (<see cref="AliasLimits.RequestsPerSecond"/>); a full queue, a wait past
/// <see cref="AliasLimits.MaxWait"/>, or one that would reach the execution's time limit fails the step that asked,
/// naming the alias and the limit.
/// </summary>
public sealed class AliasLimiters
{
    /// <summary>How long before the execution's time limit a wait for a slot gives up.</summary>
    public static readonly TimeSpan DeadlineMargin = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    /// <summary>Limiters whose waits are measured with <paramref name="time"/>.</summary>
    public AliasLimiters(TimeProvider time) => _time = time;

    /// <summary>Waits for a slot and a token of the connection's alias; dispose the lease when the request's answer has been read.</summary>
    /// <exception cref="StepFailedException">The queue is full, or the wait would last longer than the alias's max_wait.</exception>
    /// <exception cref="OperationCanceledException">The execution was cancelled while waiting.</exception>
    public async ValueTask<IDisposable> AcquireAsync(ResolvedConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var entry = For(connection.UsedAlias, connection.Limits);
        var limits = entry.Limits;

        // A wait never runs into the last second of the execution's time limit: the step fails first, with a message
        // that says why, instead of the whole execution being cancelled mid-request.
        var waitLimit = limits.MaxWait;
        var byDeadline = false;
        if (connection.Deadline is { } deadline)
        {
            var left = deadline - _time.GetUtcNow() - DeadlineMargin;
            if (left < waitLimit)
            {
                waitLimit = left > TimeSpan.Zero ? left : TimeSpan.Zero;
                byDeadline = true;
            }
        }

        using var wait = new CancellationTokenSource(waitLimit, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wait.Token);
        RateLimitLease? slot = null;
        try
        {
            slot = await AcquireAsync(entry.Slots, linked.Token).ConfigureAwait(false);
            if (!slot.IsAcquired)
            {
                throw QueueFull(connection, limits, "at most " + limits.Concurrency.ToString(CultureInfo.InvariantCulture) + " run at once (limits.concurrency)");
            }

            using var token = await AcquireAsync(entry.Tokens, linked.Token).ConfigureAwait(false);
            if (!token.IsAcquired)
            {
                throw QueueFull(connection, limits, string.Create(CultureInfo.InvariantCulture, $"at most {limits.RequestsPerSecond} start per second (limits.requests_per_second)"));
            }

            var lease = slot;
            slot = null;
            return lease;
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested && !cancellationToken.IsCancellationRequested && byDeadline)
        {
            throw new StepFailedException(
                string.Create(CultureInfo.InvariantCulture,
                    $"alias {connection.UsedAlias}: a request to {connection.Vendor} waited {waitLimit.TotalSeconds:0.#} s for a slot and the execution's time limit is about to run out; " +
                    $"other requests through the alias hold the slots ({limits}); give the execution more time, run fewer at once, or raise the alias's limits"),
                code: "alias_limit") { IsRetryable = true };
        }
        catch (OperationCanceledException) when (wait.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw new StepFailedException(
                string.Create(CultureInfo.InvariantCulture,
                    $"alias {connection.UsedAlias}: a request to {connection.Vendor} waited {limits.MaxWait.TotalSeconds} s for a slot (limits.max_wait) and got none; " +
                    $"other requests through the alias hold it ({limits}); raise the alias's limits or run fewer executions at once"),
                code: "alias_limit") { IsRetryable = true };
        }
        finally
        {
            slot?.Dispose();
        }
    }

    // Takes a free permit without waiting when there is one (even with no time left to wait), else queues for one.
    private static async ValueTask<RateLimitLease> AcquireAsync(RateLimiter limiter, CancellationToken cancellationToken)
    {
        var lease = limiter.AttemptAcquire(1);
        if (lease.IsAcquired)
        {
            return lease;
        }

        lease.Dispose();
        return await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
    }

    private Entry For(string aliasId, AliasLimits limits)
    {
        while (true)
        {
            var entry = _entries.GetOrAdd(aliasId, _ => new Entry(limits));
            if (entry.Limits == limits)
            {
                return entry;
            }

            // The limits changed (a connection's settings were edited): new limiters from now on. Leases already held on
            // the old ones are released there; the old ones are not disposed, so nothing waiting on them fails.
            _entries.TryUpdate(aliasId, new Entry(limits), entry);
        }
    }

    private static StepFailedException QueueFull(ResolvedConnection connection, AliasLimits limits, string which) => new(
        string.Create(CultureInfo.InvariantCulture,
            $"alias {connection.UsedAlias}: {limits.Queue} requests already waiting (limits.queue); {which}; " +
            $"this request to {connection.Vendor} was not sent. Run fewer executions at once, lower a for_each's parallelism, or raise the alias's limits " +
            $"('flowengine aliases set {connection.UsedAlias} --setting limits.queue=…')"),
        code: "alias_limit") { IsRetryable = true };

    private sealed class Entry
    {
        public Entry(AliasLimits limits)
        {
            Limits = limits;
            Slots = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
            {
                PermitLimit = limits.Concurrency,
                QueueLimit = limits.Queue,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            });

            // Tokens arrive one by one, evenly spaced (at most 100 refills a second); an idle alias may start up to one
            // second's worth at once.
            var refills = Math.Min(limits.RequestsPerSecond, 100);
            var perRefill = Math.Max(1, (int)Math.Round(limits.RequestsPerSecond / refills));
            Tokens = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                TokenLimit = Math.Max(1, (int)Math.Ceiling(limits.RequestsPerSecond)),
                TokensPerPeriod = perRefill,
                ReplenishmentPeriod = TimeSpan.FromSeconds(perRefill / limits.RequestsPerSecond),
                QueueLimit = limits.Queue + limits.Concurrency,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
        }

        public AliasLimits Limits { get; }

        public ConcurrencyLimiter Slots { get; }

        public TokenBucketRateLimiter Tokens { get; }
    }
}
