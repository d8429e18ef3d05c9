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

    /// <summary>Starts the measured phase.</summary>
    public void Start()
    {
        _cpuAtStart = Process.GetCurrentProcess().TotalProcessorTime;
        _allocatedAtStart = GC.GetTotalAllocatedBytes();
        _pauseAtStart = GC.GetTotalPauseDuration();
        _gen2AtStart = GC.CollectionCount(2);
        _startTimestamp = Stopwatch.GetTimestamp();
        _wall.Restart();
    }

    /// <summary>Ends the measured phase and returns the JSON line.</summary>
    /// <param name="side"><c>engine</c> or <c>baseline</c>.</param>
    /// <param name="scenario">e.g. <c>pagerduty-download</c>.</param>
    /// <param name="users">What the phase stored or handled (users in the SQLite file, or candidates reclaimed).</param>
    /// <param name="setupMs">Unmeasured preparation (process start not included), for information.</param>
    /// <param name="extra">Further figures (e.g. users updated), added to the line.</param>
    public string Stop(string side, string scenario, long users, double setupMs, Dictionary<string, object>? extra = null)
    {
        _wall.Stop();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - _cpuAtStart;
        var line = new Dictionary<string, object>
        {
            ["side"] = side,
            ["scenario"] = scenario,
            ["users"] = users,
            ["wall_ms"] = Math.Round(_wall.Elapsed.TotalMilliseconds, 1),
            ["cpu_ms"] = Math.Round(cpu.TotalMilliseconds, 1),
            ["peak_rss_mb"] = Math.Round(PeakRssMegabytes(), 1),
            ["setup_ms"] = Math.Round(setupMs, 1),
            ["allocated_mb"] = Math.Round((GC.GetTotalAllocatedBytes() - _allocatedAtStart) / (1024.0 * 1024.0), 1),
            ["gc_pause_ms"] = Math.Round((GC.GetTotalPauseDuration() - _pauseAtStart).TotalMilliseconds, 1),
            ["gen2_collections"] = GC.CollectionCount(2) - _gen2AtStart,
            // The phase on the monotonic clock (nanoseconds on Linux), to cut a profile (perf record -k CLOCK_MONOTONIC) to it.
            ["phase_from"] = _startTimestamp,
            ["phase_to"] = Stopwatch.GetTimestamp(),
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
