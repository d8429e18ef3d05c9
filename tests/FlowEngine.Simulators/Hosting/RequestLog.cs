using System.Diagnostics;

namespace FlowEngine.Simulators.Hosting;

/// <summary>
/// Every request a simulator received (method, path and arrival time), and how many were being handled at once,
/// safe to record from concurrent requests.
/// </summary>
internal sealed class RequestLog
{
    private readonly Lock _lock = new();
    private readonly List<(string Method, string Path, TimeSpan At)> _requests = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private int _inFlight;
    private int _peak;

    public void Add(string method, string path)
    {
        lock (_lock)
        {
            _requests.Add((method, path, _clock.Elapsed));
        }
    }

    public int Count(string? method, string pathPrefix)
    {
        lock (_lock)
        {
            return _requests.Count(r =>
                (method is null || string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase))
                && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal));
        }
    }

    /// <summary>When each request whose path starts with <paramref name="pathPrefix"/> arrived, since the simulator started.</summary>
    public IReadOnlyList<TimeSpan> Arrivals(string pathPrefix)
    {
        lock (_lock)
        {
            return _requests.Where(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal)).Select(r => r.At).ToList();
        }
    }

    /// <summary>The most requests handled at the same time since the start or the last <see cref="ResetPeak"/>.</summary>
    public int PeakInFlight => Volatile.Read(ref _peak);

    public void ResetPeak() => Interlocked.Exchange(ref _peak, Volatile.Read(ref _inFlight));

    /// <summary>Counts the request as in flight until <paramref name="next"/> has written the answer (or the connection dropped).</summary>
    public async Task InFlightAsync(Func<Task> next)
    {
        var now = Interlocked.Increment(ref _inFlight);
        int peak;
        while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
        }

        try
        {
            await next();
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
