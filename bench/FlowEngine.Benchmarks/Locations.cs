using System.Reflection;

namespace FlowEngine.Benchmarks;

/// <summary>Where the repository, the CLI's built assembly and the dotnet host are.</summary>
public static class Locations
{
    /// <summary>The repository root: the folder with FlowEngine.sln above the running assembly, else the one recorded at build.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>flowengine.dll in src/FlowEngine.Cli's output for the configuration this harness was built in.</summary>
    public static string CliDll => Metadata("FlowEngineCliDll") ?? Path.Combine(RepositoryRoot, "src", "FlowEngine.Cli", "bin", "Release", "net10.0", "flowengine.dll");

    /// <summary>FlowEngine.Baseline.dll in its own output folder (same configuration).</summary>
    public static string BaselineDll => Metadata("FlowEngineBaselineDll") ?? Path.Combine(RepositoryRoot, "bench", "FlowEngine.Baseline", "bin", "Release", "net10.0", "FlowEngine.Baseline.dll");

    /// <summary>This harness's own FlowEngine.Benchmarks.dll in its output folder (for the engine-side child processes).</summary>
    public static string BenchmarksDll => Metadata("FlowEngineBenchmarksDll") ?? typeof(Locations).Assembly.Location;

    /// <summary>The dotnet host (muxer): the one running us when we run under it, else DOTNET_HOST_PATH, else dotnet on the PATH.</summary>
    public static string DotnetHost
    {
        get
        {
            var self = Environment.ProcessPath;
            if (self is not null && Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            {
                return self;
            }

            return Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "FlowEngine.sln")))
            {
                return dir.FullName;
            }
        }

        return Metadata("RepositoryRoot") ?? Environment.CurrentDirectory;
    }

    private static string? Metadata(string key) => typeof(Locations).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .FirstOrDefault(a => a.Key == key)?.Value;
}
