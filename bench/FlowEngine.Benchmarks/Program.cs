using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Running;

namespace FlowEngine.Benchmarks;

/// <summary>
/// <c>steps [BenchmarkDotNet args]</c>, <c>coldstart [--runs N] [--warmup N] [--cli PATH] [--flows PATH]</c>,
/// <c>smoke</c> (or <c>--smoke</c>). See bench/README.md.
/// </summary>
public static class Program
{
    private const string Usage = """
        usage: dotnet run -c Release --project bench/FlowEngine.Benchmarks -- <mode> [options]
          steps [BenchmarkDotNet options]   per-step overhead and pill micro benchmarks (e.g. --job short)
          coldstart [--runs 10] [--warmup 1] [--cli PATH] [--flows flows]
                                            wall time of 'flowengine validate' vs '--version' as fresh processes
          smoke | --smoke                   every scenario once, tiny, no BenchmarkDotNet; exit 0 when all ran
          e2e [--runs 10] [--sizes 1000,10000] [--scenarios pagerduty-download,...] [--keep] [--out FILE] [--engine-records ef|memory] [--jit] [--warm] [--no-jit-profile]
                                            engine vs hand-written baseline, whole processes, against the simulators
          runtime [--seconds 20] [--clients 4] [--warmup 100] [--out FILE]
                                            two-step executions per minute on SQLite: runtime API and HTTP trigger
          cold [--runs 10] [--out FILE]     cold start: validate, server until /health, first execution
          engine-download|engine-activity|engine-reclaim ...
                                            one engine-side e2e measurement (started by e2e)
        """;

    /// <summary>Entry point.</summary>
    public static async Task<int> Main(string[] args)
    {
        if (args.Contains("--smoke") || args.FirstOrDefault() == "smoke")
        {
            return Smoke.Run(Console.Out);
        }

        try
        {
            return await ModeAsync(args);
        }
        catch (UsageException e)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }

    private static async Task<int> ModeAsync(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "steps":
                return Steps(args[1..]);
            case "coldstart":
                return ColdStartMode(args[1..]);
            case "e2e":
                return await E2eModeAsync(args[1..]);
            case "runtime":
                return await RuntimeModeAsync(args[1..]);
            case "cold":
                return await ColdModeAsync(args[1..]);
            case "engine-download" or "engine-activity" or "engine-reclaim":
                return await EngineSide.RunAsync(args[0], args[1..]);
            case "-h" or "--help" or "help":
                Console.WriteLine(Usage);
                return 0;
            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }
    }

    private static int Steps(string[] args)
    {
        var given = args.ToList();
        if (!given.Any(a => a is "--filter" or "-f"))
        {
            given.AddRange(["--filter", "*"]); // otherwise the switcher asks interactively
        }

        var artifacts = Path.Combine(Locations.RepositoryRoot, "bench", "FlowEngine.Benchmarks", "BenchmarkDotNet.Artifacts");
        if (!given.Any(a => a is "--artifacts" or "-a"))
        {
            given.AddRange(["--artifacts", artifacts]);
        }

        // The harness references the engine, the CLI and the simulators: on a loaded machine BenchmarkDotNet's build of
        // its generated project needs more than the default 2 minutes.
        var summaries = BenchmarkSwitcher
            .FromTypes([typeof(SetStepsBenchmarks), typeof(ForEachBenchmarks), typeof(PillBenchmarks)])
            .Run([.. given], ManualConfig.Create(DefaultConfig.Instance).WithBuildTimeout(TimeSpan.FromMinutes(10)))
            .ToList();

        if (OverheadReport.Build(summaries) is { } overhead)
        {
            Console.WriteLine();
            Console.WriteLine(overhead);
            var folder = summaries.Select(s => s.ResultsDirectoryPath).FirstOrDefault(Directory.Exists);
            if (folder is not null)
            {
                File.WriteAllText(Path.Combine(folder, "per-step-overhead.md"), overhead);
            }
        }

        var failed = summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success));
        return failed ? 1 : 0;
    }

    private static async Task<int> E2eModeAsync(string[] args)
    {
        var (options, output) = BenchOptions.E2e(args);
        var report = await E2e.RunAsync(options, Console.Error);
        await WriteAsync(report.Markdown, output);
        return 0;
    }

    private static async Task<int> RuntimeModeAsync(string[] args)
    {
        var (options, output) = BenchOptions.Runtime(args);
        await WriteAsync(await RuntimeThroughput.RunAsync(options, Console.Error), output);
        return 0;
    }

    private static async Task<int> ColdModeAsync(string[] args)
    {
        var (options, output) = BenchOptions.Cold(args);
        await WriteAsync(await ColdServer.RunAsync(options, Console.Error), output);
        return 0;
    }

    private static int ColdStartMode(string[] args)
    {
        var result = ColdStart.Run(BenchOptions.ColdStart(args), Console.Error);
        Console.WriteLine(result.Markdown);
        return 0;
    }

    // A report goes to the console, and to the --out file when one was given.
    private static async Task WriteAsync(string markdown, string? output)
    {
        Console.WriteLine(markdown);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, markdown);
        }
    }
}
