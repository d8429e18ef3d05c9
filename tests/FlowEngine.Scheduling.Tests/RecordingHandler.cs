using System.Collections.Concurrent;
using FlowEngine.Scheduling;

namespace FlowEngine.Scheduling.Tests;

/// <summary>An <see cref="IJobHandler"/> that records every fire and lets a test wait for them.</summary>
internal sealed class RecordingHandler : IJobHandler
{
    /// <summary>Long enough for a loaded CI machine, short enough that a failing test fails quickly.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly ConcurrentQueue<Fire> _fires = new();
    private readonly SemaphoreSlim _fired = new(0);
    private int _running;
    private int _maxRunning;

    /// <summary>When set, a fire of a job runs this instead of returning at once (after being recorded).</summary>
    public Func<JobSpec, Task>? Behaviour { get; set; }

    public IReadOnlyList<Fire> Fires => [.. _fires];

    public int MaxRunning => Volatile.Read(ref _maxRunning);

    public IReadOnlyList<Fire> FiresOf(string name) => _fires.Where(f => f.Job.Name == name).ToList();

    public async Task RunAsync(JobSpec job, DateTimeOffset scheduledFireTime, CancellationToken cancellationToken)
    {
        var running = Interlocked.Increment(ref _running);
        InterlockedMax(ref _maxRunning, running);
        try
        {
            _fires.Enqueue(new Fire(job, scheduledFireTime));
            _fired.Release();
            if (Behaviour is { } behaviour)
            {
                await behaviour(job);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    /// <summary>Waits until <paramref name="predicate"/> holds for the recorded fires, or fails after <see cref="Timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<IReadOnlyList<Fire>, bool> predicate, string what)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (!predicate(Fires))
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                Assert.Fail($"timed out after {Timeout.TotalSeconds:0}s waiting for {what}; fires so far: {string.Join(", ", Fires.Select(f => $"{f.Job.Group}.{f.Job.Name}@{f.ScheduledFireTime:o}"))}");
            }

            await _fired.WaitAsync(left < TimeSpan.FromMilliseconds(100) ? left : TimeSpan.FromMilliseconds(100));
        }
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }

    public sealed record Fire(JobSpec Job, DateTimeOffset ScheduledFireTime);
}
