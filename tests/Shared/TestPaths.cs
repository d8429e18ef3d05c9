namespace FlowEngine.Tests.Shared;

/// <summary>Finds the repository's folders from a test's output directory.</summary>
internal static class TestPaths
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Flows => Path.Combine(RepositoryRoot, "flows");

    public static string TempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "flowengine-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
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

        throw new InvalidOperationException("FlowEngine.sln not found above " + AppContext.BaseDirectory);
    }
}
