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
          runtime [--seconds 20] [--clients 4]
                                            two-step executions per minute on SQLite: runtime API and HTTP trigger
          cold [--runs 10]                  cold start: validate, server until /health, first execution
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
        var options = new E2e.Options { Command = "dotnet run -c Release --project bench/FlowEngine.Benchmarks -- " + string.Join(' ', ["e2e", .. args]), ReadyToRun = true };
        string? output = null;
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--runs" when value is not null:
                    options = options with { Runs = int.Parse(value, CultureInfo.InvariantCulture) };
                    i++;
                    break;
                case "--sizes" when value is not null:
                    options = options with { Sizes = [.. value.Split(',').Select(v => int.Parse(v.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture))] };
                    i++;
                    break;
                case "--scenarios" when value is not null:
                    options = options with { Scenarios = value.Split(',') };
                    i++;
                    break;
                case "--out" when value is not null:
                    output = value;
                    i++;
                    break;
                case "--keep":
                    options = options with { Keep = true };
                    break;
                case "--jit":
                    options = options with { ReadyToRun = false };
                    break;
                case "--warm":
                    options = options with { Warm = true };
                    break;
                case "--no-jit-profile":
                    options = options with { JitProfiles = false };
                    break;
                case "--engine-records" when value is not null:
                    options = options with { EngineArgs = ["--records", value] };
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"unknown e2e option '{args[i]}'");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        if (options.Runs < 1)
        {
            Console.Error.WriteLine("--runs must be at least 1");
            return 2;
        }

        var report = await E2e.RunAsync(options, Console.Error);
        Console.WriteLine(report.Markdown);
        if (output is not null)
        {
            await File.WriteAllTextAsync(output, report.Markdown);
        }

        return 0;
    }

    private static async Task<int> RuntimeModeAsync(string[] args)
    {
        var options = new RuntimeThroughput.Options(Command: "dotnet run -c Release --project bench/FlowEngine.Benchmarks -- " + string.Join(' ', ["runtime", .. args]));
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            var value = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
            options = args[i] switch
            {
                "--seconds" => options with { Seconds = value },
                "--clients" => options with { Clients = value },
                "--warmup" => options with { Warmup = value },
                _ => throw new ArgumentException($"unknown runtime option '{args[i]}'"),
            };
        }

        Console.WriteLine(await RuntimeThroughput.RunAsync(options, Console.Error));
        return 0;
    }

    private static async Task<int> ColdModeAsync(string[] args)
    {
        var options = new ColdServer.Options(Command: "dotnet run -c Release --project bench/FlowEngine.Benchmarks -- " + string.Join(' ', ["cold", .. args]));
        if (args is ["--runs", var runs])
        {
            options = options with { Runs = int.Parse(runs, CultureInfo.InvariantCulture) };
        }
        else if (args.Length > 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        Console.WriteLine(await ColdServer.RunAsync(options, Console.Error));
        return 0;
    }

    private static int ColdStartMode(string[] args)
    {
        var options = new ColdStart.Options();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--runs" when value is not null:
                    options = options with { Runs = int.Parse(value, CultureInfo.InvariantCulture) };
                    i++;
                    break;
                case "--warmup" when value is not null:
                    options = options with { Warmup = int.Parse(value, CultureInfo.InvariantCulture) };
                    i++;
                    break;
                case "--cli" when value is not null:
                    options = options with { Cli = value };
                    i++;
                    break;
                case "--flows" when value is not null:
                    options = options with { Flows = value };
                    i++;
                    break;
                default:
                    Console.Error.WriteLine($"unknown coldstart option '{args[i]}'");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        if (options.Runs < 1)
        {
            Console.Error.WriteLine("--runs must be at least 1");
            return 2;
        }

        var result = ColdStart.Run(options, Console.Error);
        Console.WriteLine(result.Markdown);
        return 0;
    }
}
