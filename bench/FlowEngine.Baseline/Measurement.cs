using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace FlowEngine.Baseline;

/// <summary>
/// Wall time and CPU time of one measured phase, and the process's peak resident set (VmHWM), printed as the one
/// JSON line the e2e runner reads. The engine side (bench/FlowEngine.Benchmarks) prints the same line.
/// </summary>
public sealed class Measurement
{
    private readonly Stopwatch _wall = new();
    private TimeSpan _cpuAtStart;
    private long _allocatedAtStart;
    private TimeSpan _pauseAtStart;
    private int _gen2AtStart;
    private long _startTimestamp;
    private (TimeSpan Cpu, long Allocated, TimeSpan Pause, int Gen2, long Timestamp)? _end;

    /// <summary>Starts the measured phase.</summary>
    public void Start()
    {
        _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        _allocatedAtStart = GC.GetTotalAllocatedBytes();
        _pauseAtStart = GC.GetTotalPauseDuration();
        _gen2AtStart = GC.CollectionCount(2);
        _startTimestamp = Stopwatch.GetTimestamp();
        _end = null;
        _wall.Restart();
    }

    /// <summary>
    /// Ends the measured phase: what the caller does next (counting what was stored, to check and report it) is not
    /// measured. <see cref="Stop"/> ends it too when this was not called.
    /// </summary>
    public void End()
    {
        if (_end is null)
        {
            _wall.Stop();
            _end = (Process.GetCurrentProcess().TotalProcessorTime, GC.GetTotalAllocatedBytes(), GC.GetTotalPauseDuration(), GC.CollectionCount(2), Stopwatch.GetTimestamp());
        }
    }

    /// <summary>Ends the measured phase and returns the JSON line.</summary>
    /// <param name="side"><c>engine</c> or <c>baseline</c>.</param>
    /// <param name="scenario">e.g. <c>pagerduty-download</c>.</param>
    /// <param name="users">What the phase stored or handled (users in the SQLite file, or candidates reclaimed).</param>
    /// <param name="setupMs">Unmeasured preparation (process start not included), for information.</param>
    /// <param name="extra">Further figures (e.g. users updated), added to the line.</param>
    public string Stop(string side, string scenario, long users, double setupMs, Dictionary<string, object>? extra = null)
    {
        End();
        var end = _end!.Value;
        var cpu = end.Cpu - _cpuAtStart;
        var line = new Dictionary<string, object>
        {
            ["side"] = side,
            ["scenario"] = scenario,
            ["users"] = users,
            ["wall_ms"] = Math.Round(_wall.Elapsed.TotalMilliseconds, 1),
            ["cpu_ms"] = Math.Round(cpu.TotalMilliseconds, 1),
            ["peak_rss_mb"] = Math.Round(PeakRssMegabytes(), 1),
            ["setup_ms"] = Math.Round(setupMs, 1),
            ["allocated_mb"] = Math.Round((end.Allocated - _allocatedAtStart) / (1024.0 * 1024.0), 1),
            ["gc_pause_ms"] = Math.Round((end.Pause - _pauseAtStart).TotalMilliseconds, 1),
            ["gen2_collections"] = end.Gen2 - _gen2AtStart,
            // The phase on the monotonic clock (nanoseconds on Linux), to cut a profile (perf record -k CLOCK_MONOTONIC) to it.
            ["phase_from"] = _startTimestamp,
            ["phase_to"] = end.Timestamp,
        };
        foreach (var (key, value) in extra ?? [])
        {
            line[key] = value;
        }

        return JsonSerializer.Serialize(line);
    }

    /// <summary>VmHWM of /proc/self/status in MB (MiB); the working set's peak where /proc is missing.</summary>
    public static double PeakRssMegabytes()
    {
        const string Path = "/proc/self/status";
        if (File.Exists(Path))
        {
            foreach (var line in File.ReadLines(Path))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return double.Parse(kb, CultureInfo.InvariantCulture) / 1024;
                }
            }
        }

        return Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
