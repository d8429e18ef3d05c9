using System.Diagnostics;

namespace FlowEngine.Benchmarks;

/// <summary>
/// Every scenario once, tiny, without BenchmarkDotNet: checks that each engine benchmark computes what its
/// hand-written baseline does and that the cold-start runner works, so the harness cannot rot unnoticed.
/// </summary>
public static class Smoke
{
    /// <summary>Steps (and items) per run in smoke mode.</summary>
    public const int Steps = 200;

    /// <summary>Runs every scenario; returns the process exit code.</summary>
    public static int Run(TextWriter output)
    {
        var failures = 0;
        failures += Check(output, "steps: set", () =>
        {
            var bench = new SetStepsBenchmarks { N = Steps };
            bench.Setup();
            Expect(bench.HandWritten() == Steps, "hand-written set loop");
            Expect(bench.Engine().GetAwaiter().GetResult() == Steps, "engine set steps");
            Expect(bench.EngineNested().GetAwaiter().GetResult() == Steps, "engine nested set steps");
            var steps = bench.StepsPerRun(nameof(SetStepsBenchmarks.Engine));
            Expect(steps == Steps + 2, $"step records per run: {steps}, expected {Steps + 2}");
            return $"x = {Steps}, {steps} step records";
        });
        failures += Check(output, "steps: for_each", () =>
        {
            var bench = new ForEachBenchmarks { N = Steps };
            bench.Setup();
            var expected = bench.HandWritten();
            var actual = bench.Engine().GetAwaiter().GetResult();
            Expect(expected.Count == Steps / 2 && expected.SequenceEqual(actual), $"engine kept {actual.Count} items, hand-written {expected.Count}");
            return $"kept {actual.Count} of {Steps}, {bench.StepsPerRun(nameof(ForEachBenchmarks.Engine))} step records";
        });
        failures += Check(output, "pills", () =>
        {
            var bench = new PillBenchmarks();
            bench.Setup();
            Expect(Equals(bench.PathPill(), bench.PathDirect()), $"path: {bench.PathPill()} vs {bench.PathDirect()}");
            Expect(Equals(bench.TextPill(), bench.TextDirect()), $"text: {bench.TextPill()} vs {bench.TextDirect()}");
            Expect(Equals(bench.ConditionPill(), bench.ConditionDirect()), $"condition: {bench.ConditionPill()} vs {bench.ConditionDirect()}");
            return "path, text and condition agree with direct access";
        });
        failures += Check(output, "coldstart", () =>
        {
            var result = ColdStart.Run(new ColdStart.Options(Runs: 2, Warmup: 0), TextWriter.Null);
            output.WriteLine(result.Markdown);
            return $"{result.Validate.Count} validate and {result.Baseline.Count} --version processes";
        });

        output.WriteLine(failures == 0 ? "smoke: all scenarios ran" : $"smoke: {failures} scenario(s) failed");
        return failures == 0 ? 0 : 1;
    }

    private static int Check(TextWriter output, string name, Func<string> scenario)
    {
        var watch = Stopwatch.StartNew();
        try
        {
            var note = scenario();
            output.WriteLine($"ok   {name}: {note} ({watch.ElapsedMilliseconds} ms)");
            return 0;
        }
        catch (Exception ex)
        {
            output.WriteLine($"FAIL {name}: {ex}");
            return 1;
        }
    }

    private static void Expect(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"unexpected result: {what}");
        }
    }
}
