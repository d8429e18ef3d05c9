using FlowEngine.Benchmarks;
using FlowEngine.Tests.Shared;

namespace FlowEngine.Benchmarks.Tests;

/// <summary>
/// The e2e harness at N = 200, one run per side, so it cannot rot: the table comes out, both sides stored exactly
/// the simulator's users in their own SQLite files, and every figure is there. Timings are never asserted.
/// </summary>
public sealed class E2eSmokeTests
{
    [Fact]
    public async Task Both_sides_store_exactly_the_simulator_users_and_the_table_is_printed()
    {
        var work = TestPaths.TempFolder();
        var progress = new StringWriter();
        var report = await E2e.RunAsync(new E2e.Options
        {
            Runs = 1,
            Sizes = [200],
            Scenarios = ["pagerduty-download", "roadmunk-download"],
            Keep = true,
            WorkFolder = work,
            Command = "smoke test",
        }, progress);

        Assert.Contains("| scenario | size | wall engine (ms) |", report.Markdown);
        Assert.Contains("| pagerduty-download | 200 |", report.Markdown);
        Assert.Contains("| roadmunk-download | 200 |", report.Markdown);
        Assert.Contains("compare the ratios", report.Markdown);
        Assert.Equal(4, report.Samples.Count);
        foreach (var scenario in new[] { "pagerduty-download", "roadmunk-download" })
        {
            var simulator = report.SimulatorUsers[$"{scenario}/200"];
            Assert.Equal(200, simulator.Count);
            foreach (var side in new[] { "engine", "baseline" })
            {
                var sample = Assert.Single(report.Samples, s => s.Scenario == scenario && s.Side == side);
                Assert.True(File.Exists(sample.Database), $"{side} {scenario}: no SQLite file");
                var stored = side == "engine" ? E2e.EngineIds(sample.Database) : E2e.BaselineIds(sample.Database);
                Assert.Equal(simulator.Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
                Assert.Equal(200, sample.Users);
                Assert.True(sample.WallMs > 0, $"{side} {scenario}: wall");
                Assert.True(sample.CpuMs > 0, $"{side} {scenario}: CPU");
                Assert.True(sample.PeakRssMb > 0, $"{side} {scenario}: peak RSS");
            }
        }
    }
}
