using System.Globalization;
using System.Text;
using BenchmarkDotNet.Reports;

namespace FlowEngine.Benchmarks;

/// <summary>Per-step overhead derived from a BenchmarkDotNet summary: (engine − hand-written baseline) / steps run.</summary>
public static class OverheadReport
{
    /// <summary>Target for one simple step with recording in memory.</summary>
    public const double TargetMicroseconds = 5.0;

    /// <summary>A Markdown table for every step benchmark in the summaries, or null when there is none.</summary>
    public static string? Build(IEnumerable<Summary> summaries)
    {
        var rows = new List<string>();
        foreach (var summary in summaries)
        {
            foreach (var group in summary.Reports.GroupBy(r => (r.BenchmarkCase.Descriptor.Type, r.BenchmarkCase.Parameters.DisplayInfo)))
            {
                if (!typeof(IStepBenchmark).IsAssignableFrom(group.Key.Type))
                {
                    continue;
                }

                var baseline = group.FirstOrDefault(r => r.BenchmarkCase.Descriptor.Baseline);
                if (baseline?.ResultStatistics is null)
                {
                    continue;
                }

                foreach (var report in group.Where(r => !r.BenchmarkCase.Descriptor.Baseline && r.ResultStatistics is not null))
                {
                    var instance = (IStepBenchmark)Activator.CreateInstance(group.Key.Type)!;
                    instance.N = Convert.ToInt32(report.BenchmarkCase.Parameters["N"], CultureInfo.InvariantCulture);
                    instance.Setup();
                    var method = report.BenchmarkCase.Descriptor.WorkloadMethod.Name;
                    if (instance.StepsPerRun(method) is not { } steps)
                    {
                        continue;
                    }

                    var engineUs = report.ResultStatistics!.Mean / 1000;
                    var baselineUs = baseline.ResultStatistics.Mean / 1000;
                    var perStep = (engineUs - baselineUs) / steps;
                    var allocated = report.GcStats.GetBytesAllocatedPerOperation(report.BenchmarkCase);
                    rows.Add(FormattableString.Invariant(
                        $"| {group.Key.Type.Name}.{method} | {instance.N} | {steps} | {engineUs:N1} | {baselineUs:N2} | **{perStep:0.00}** | {(allocated is { } a ? (a / (double)steps).ToString("N0", CultureInfo.InvariantCulture) : "?")} | {(perStep < TargetMicroseconds ? "met" : "missed")} |"));
                }
            }
        }

        if (rows.Count == 0)
        {
            return null;
        }

        var md = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Per-step overhead = (engine mean − hand-written mean) / step records per run; target < {TargetMicroseconds} µs.")
            .AppendLine()
            .AppendLine("| benchmark | N | steps/run | engine (µs/run) | hand-written (µs/run) | overhead per step (µs) | allocated per step (B) | target |")
            .AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var row in rows)
        {
            md.AppendLine(row);
        }

        return md.ToString();
    }
}
