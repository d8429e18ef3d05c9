using System.Diagnostics;
using System.Globalization;
using System.Text;
using FlowEngine.Hosting;

namespace FlowEngine.Benchmarks;

/// <summary>
/// Wall time of <c>dotnet flowengine.dll validate flows</c> as fresh processes, alternated with
/// <c>dotnet flowengine.dll --version</c> (the same host start-up and assembly loading, no validation work).
/// Not BenchmarkDotNet: each sample is a whole process, which is what a user waits for.
/// </summary>
public static class ColdStart
{
    /// <summary>Options of the cold-start mode.</summary>
    public sealed record Options(int Runs = 10, int Warmup = 1, string? Cli = null, string Flows = "flows");

    /// <summary>Samples of both commands, in milliseconds, and the Markdown report.</summary>
    public sealed record Result(IReadOnlyList<double> Baseline, IReadOnlyList<double> Validate, string Markdown);

    /// <summary>Runs the measurement and returns the samples and a Markdown report.</summary>
    public static Result Run(Options options, TextWriter progress)
    {
        var cli = Path.GetFullPath(options.Cli ?? Locations.CliDll);
        if (!File.Exists(cli))
        {
            throw new FileNotFoundException($"no {cli}; build it first: dotnet build -c Release src/FlowEngine.Cli (or pass --cli PATH)", cli);
        }

        var root = Locations.RepositoryRoot;
        var dotnet = Locations.DotnetHost;
        string[] baselineArgs = [cli, "--version"];
        string[] validateArgs = [cli, "validate", options.Flows];
        progress.WriteLine($"host {dotnet}; cli {cli}; working folder {root}");

        for (var i = 0; i < options.Warmup; i++)
        {
            Time(dotnet, baselineArgs, root);
            Time(dotnet, validateArgs, root);
        }

        var baseline = new List<double>();
        var validate = new List<double>();
        for (var i = 0; i < options.Runs; i++)
        {
            // Alternate, and swap which goes first each round, so drift on a shared machine hits both alike.
            if (i % 2 == 0)
            {
                baseline.Add(Time(dotnet, baselineArgs, root));
                validate.Add(Time(dotnet, validateArgs, root));
            }
            else
            {
                validate.Add(Time(dotnet, validateArgs, root));
                baseline.Add(Time(dotnet, baselineArgs, root));
            }

            progress.WriteLine(FormattableString.Invariant($"run {i + 1}/{options.Runs}: --version {baseline[^1]:0} ms, validate {validate[^1]:0} ms"));
        }

        return new Result(baseline, validate, Report(options, cli, baseline, validate));
    }

    private static double Time(string dotnet, string[] args, string workingDirectory)
    {
        var start = new ProcessStartInfo(dotnet)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // A first start on a machine: no JIT profile from earlier runs (see JitProfile).
        start.Environment[JitProfile.DirectoryVariable] = "off";
        var output = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        process.WaitForExit();
        watch.Stop();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'dotnet {string.Join(' ', args)}' exited {process.ExitCode}:{Environment.NewLine}{output}");
        }

        return watch.Elapsed.TotalMilliseconds;
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (output)
        {
            output.AppendLine(line);
        }
    }

    private static string Report(Options options, string cli, List<double> baseline, List<double> validate)
    {
        var paired = baseline.Zip(validate, (b, v) => v - b).ToList();
        var b = Median(baseline);
        var v = Median(validate);
        var dll = Path.GetRelativePath(Locations.RepositoryRoot, cli).Replace('\\', '/');
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Cold start: {options.Runs} runs each, alternating, after {options.Warmup} discarded warm-up pair(s); working folder = repository root; dll = `{dll}`.");
        md.AppendLine();
        md.AppendLine("| process | median (ms) | min (ms) | max (ms) |");
        md.AppendLine("| --- | ---: | ---: | ---: |");
        md.AppendLine(Row("`dotnet flowengine.dll --version` (start-up only)", baseline));
        md.AppendLine(Row($"`dotnet flowengine.dll validate {options.Flows}`", validate));
        md.AppendLine(Row("validate − --version, paired per round", paired));
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"- validation beyond process start (difference of medians): **{v - b:0} ms**");
        md.AppendLine(CultureInfo.InvariantCulture, $"- ratio validate / --version (medians): **{v / b:0.00}×**");
        md.AppendLine(CultureInfo.InvariantCulture, $"- target `validate {options.Flows}` < 1 s cold: {(v < 1000 ? "met" : "**missed**")} (median {v:0} ms)");
        return md.ToString();
    }

    private static string Row(string name, List<double> samples) =>
        FormattableString.Invariant($"| {name} | {Median(samples):0} | {samples.Min():0} | {samples.Max():0} |");

    private static double Median(List<double> samples)
    {
        var sorted = samples.Order().ToList();
        var mid = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }
}
