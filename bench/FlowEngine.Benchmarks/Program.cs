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
        """;

    /// <summary>Entry point.</summary>
    public static int Main(string[] args)
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

        var summaries = BenchmarkSwitcher
            .FromTypes([typeof(SetStepsBenchmarks), typeof(ForEachBenchmarks), typeof(PillBenchmarks)])
            .Run([.. given], DefaultConfig.Instance)
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
