using System.Diagnostics;
using FlowEngine.Tests.Shared;
using Xunit.Abstractions;

namespace FlowEngine.BadInput.Tests;

/// <summary>
/// The CLI door: each command line of <see cref="CliCases"/> runs the real <c>flowengine</c> in a scratch folder with a
/// store holding two profiles and an exclusion; it must end with its exit code, say what is wrong on stderr, print no
/// stack trace or secret, and leave the store as it was.
/// </summary>
public sealed class CliArgumentTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EveryBadCommandLine_ExitsWithItsCode_SaysWhatIsWrong_AndChangesNothing()
    {
        var folder = TestPaths.TempFolder();
        TestPaths.CopyFolder(TestPaths.Flows, Path.Combine(folder, "flows"));
        File.WriteAllText(Path.Combine(folder, "bad.json"), "{\n");
        File.WriteAllText(Path.Combine(folder, "bad.csv"), "Email,Status\n\"a@acme.example.com,Active\n");
        foreach (var setup in new[] { new[] { "profiles", "create", "pagerduty", "--name", "PD Cli" }, ["profiles", "create", "roadmunk", "--name", "RM Cli"], ["exclusions", "add", "user", "keep@example.com"] })
        {
            var (code, _, error) = await RunAsync(folder, setup);
            Assert.True(code == 0, error);
        }

        var database = Path.Combine(folder, ".flowengine", "flowengine.db");
        var failures = new List<string>();
        var gaps = 0;
        foreach (var @case in CliCases.All)
        {
            var before = StoreSnapshot.Take(database);
            var (exit, stdout, stderr) = await RunAsync(folder, @case.Args);
            var why = exit != @case.Exit ? $"exited {exit}, expected {@case.Exit}" : Answers.Unclear(stderr, @case.Expect, ["cli-planted-secret-9d2"]);
            if (why is null && (stdout + stderr).Contains("   at ", StringComparison.Ordinal))
            {
                why = "printed a stack trace";
            }

            why ??= StoreSnapshot.Changed(before, StoreSnapshot.Take(database));

            var first = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault(l => !l.StartsWith("running ", StringComparison.Ordinal)) ?? "";
            output.WriteLine($"{(why is null ? @case.Gap is null ? "ok  " : "GAP " : "FAIL")} flowengine {string.Join(' ', @case.Args)} -> {exit}: {first}");
            if (@case.Gap is not null)
            {
                output.WriteLine($"     needed: {@case.Gap}");
                gaps++;
            }

            if (why is not null)
            {
                failures.Add($"{@case.Name}: {why}; stderr: {stderr}");
            }
        }

        Figures.Report(output, "CLI arguments", CliCases.All.Count, CliCases.All.Count - gaps - failures.Count);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>
    /// The program as its own project built it (this project's output mixes in the ASP.NET Core shared framework, so
    /// the copy here does not start on its own), in the same configuration as the tests.
    /// </summary>
    private static string CliDll
    {
        get
        {
            var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name;
            var path = Path.Combine(TestPaths.RepositoryRoot, "src", "FlowEngine.Cli", "bin", configuration, "net10.0", "flowengine.dll");
            Assert.True(File.Exists(path), $"build src/FlowEngine.Cli first: {path} is missing");
            return path;
        }
    }

    private static async Task<(int Exit, string Out, string Error)> RunAsync(string folder, string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(CliDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("FLOWENGINE_STORE");
        info.Environment.Remove("FLOWENGINE_TEST_NOT_SET");
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }
}
