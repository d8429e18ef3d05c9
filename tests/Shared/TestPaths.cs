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

    /// <summary>Copies a folder with everything below it (e.g. flows/ into a test's scratch folder).</summary>
    public static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
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

        throw new InvalidOperationException("FlowEngine.sln not found above " + AppContext.BaseDirectory);
    }
}
