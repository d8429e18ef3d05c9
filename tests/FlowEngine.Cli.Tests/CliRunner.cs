using System.Diagnostics;
using FlowEngine.Tests.Shared;

namespace FlowEngine.Cli.Tests;

/// <summary>Runs the real <c>flowengine</c> program in a scratch folder holding a copy of the shipped flows.</summary>
internal sealed class CliRunner
{
    public CliRunner()
    {
        Folder = TestPaths.TempFolder();
        TestPaths.CopyFolder(TestPaths.Flows, Path.Combine(Folder, "flows"));
    }

    public string Folder { get; }

    public string Database => Path.Combine(Folder, ".flowengine", "flowengine.db");

    /// <summary>Environment variables set for every run.</summary>
    public Dictionary<string, string> Environment { get; } = new(StringComparer.Ordinal);

    public sealed record Result(int ExitCode, string Out, string Error)
    {
        public string All => Out + "\n" + Error;
    }

    public async Task<Result> RunAsync(params string[] args)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "flowengine.dll");
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("FLOWENGINE_STORE");
        foreach (var (key, value) in Environment)
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await stdout, await stderr);
    }

    public void Write(string relativePath, string text)
    {
        var path = Path.Combine(Folder, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
    }
}
