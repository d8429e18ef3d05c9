using System.Diagnostics;
using System.Text;

namespace FlowEngine.Benchmarks;

/// <summary>Runs <c>dotnet &lt;dll&gt; args</c> as a fresh process and collects its output.</summary>
public static class ChildProcess
{
    /// <summary>What a child printed, its exit code and how long it ran.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr, double ElapsedMs);

    /// <summary>Runs and waits; kills the process tree after <paramref name="timeout"/>.</summary>
    public static Result Run(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null)
    {
        var start = new ProcessStartInfo(Locations.DotnetHost)
        {
            WorkingDirectory = Locations.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var watch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = start };
        process.OutputDataReceived += (_, e) => Append(stdout, e.Data);
        process.ErrorDataReceived += (_, e) => Append(stderr, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
            throw new TimeoutException($"'{Path.GetFileName(dll)} {string.Join(' ', start.ArgumentList.Skip(1))}' did not finish in {timeout ?? TimeSpan.FromMinutes(10)}");
        }

        process.WaitForExit(); // drains the redirected streams
        watch.Stop();
        return new Result(process.ExitCode, Text(stdout), Text(stderr), watch.Elapsed.TotalMilliseconds);
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

    private static string Text(StringBuilder output)
    {
        lock (output)
        {
            return output.ToString();
        }
    }
}
