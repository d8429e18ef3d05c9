using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace FlowEngine.Server.Designer;

/// <summary>Whether the designer's npm package is there, and why not.</summary>
/// <param name="Ready">The package is installed.</param>
/// <param name="Error">What went wrong, for the page and the log.</param>
public sealed record DesignerInstall(bool Ready, string? Error);

/// <summary>
/// Installs the designer's package (<c>@elsa-workflows/elsa-studio-wasm</c>, see <c>designer/package.json</c>) on the
/// server's first start: <c>npm install</c> in the designer folder when its <c>node_modules</c> lacks the package.
/// Nothing from the package is committed. Without npm the designer says what to install instead.
/// </summary>
public static class DesignerInstaller
{
    /// <summary>The npm package the designer serves.</summary>
    public const string PackageName = "@elsa-workflows/elsa-studio-wasm";

    private static readonly ConcurrentDictionary<string, Lazy<Task<DesignerInstall>>> Installs = new(StringComparer.Ordinal);

    /// <summary>Where the package's files are.</summary>
    public static string PackageFolder(string designerFolder) =>
        Path.Combine(Path.GetFullPath(designerFolder), "node_modules", "@elsa-workflows", "elsa-studio-wasm");

    /// <summary>Whether the package is installed in the folder, completely.</summary>
    /// <remarks>
    /// npm writes its hidden lockfile (<c>node_modules/.package-lock.json</c>) when an install has finished: the
    /// package's own files alone can be there while another process is still extracting the rest.
    /// </remarks>
    public static bool IsInstalled(string designerFolder) =>
        File.Exists(Path.Combine(PackageFolder(designerFolder), "_framework", "blazor.webassembly.js"))
        && File.Exists(Path.Combine(Path.GetFullPath(designerFolder), "node_modules", ".package-lock.json"));

    /// <summary>Installs the package once per folder (later calls share the first one's outcome).</summary>
    public static Task<DesignerInstall> EnsureInstalledAsync(string designerFolder, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(designerFolder);
        var folder = Path.GetFullPath(designerFolder);
        if (IsInstalled(folder))
        {
            return Task.FromResult(new DesignerInstall(true, null));
        }

        var install = Installs.GetOrAdd(folder, f => new Lazy<Task<DesignerInstall>>(() => Task.Run(() => InstallAsync(f, logger, Environment.GetEnvironmentVariable("PATH")))));
        var task = install.Value;
        if (task.IsCompleted && !task.Result.Ready)
        {
            // A failed attempt (npm missing, no network) is tried again on the next request after a fix.
            Installs.TryRemove(KeyValuePair.Create(folder, install));
        }

        return task;
    }

    /// <summary>Runs the install in a folder, finding npm on the given PATH value.</summary>
    internal static async Task<DesignerInstall> InstallAsync(string folder, ILogger? logger, string? pathVariable)
    {
        if (!File.Exists(Path.Combine(folder, "package.json")))
        {
            return Fail($"the designer folder {folder} has no package.json; the designer cannot be installed", logger);
        }

        var npm = FindOnPath(pathVariable ?? "", OperatingSystem.IsWindows() ? ["npm.cmd", "npm.exe"] : ["npm"]);
        if (npm is null)
        {
            return Fail($"npm was not found on PATH, so the designer ({PackageName}) cannot be installed. Install Node.js with npm " +
                $"(Debian: apt-get install npm) and restart the server, or run 'npm install' in {folder} yourself.", logger);
        }

        // One install per folder across processes too (a server and a CLI started at once, test runs side by side):
        // the others wait for it, then find the package there.
        FileStream gate;
        try
        {
            gate = await InstallLockAsync(folder).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return Fail($"the designer folder {folder} could not be locked for 'npm install': {ex.Message}", logger);
        }

        await using var _ = gate;
        if (IsInstalled(folder))
        {
            return new DesignerInstall(true, null);
        }

        logger?.LogWarning("installing the designer: npm install in {Folder} (first start only)", folder);
        var start = new ProcessStartInfo(npm)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "install", "--no-audit", "--no-fund", "--loglevel=error" })
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("npm did not start");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            var text = (await output.ConfigureAwait(false)) + (await error.ConfigureAwait(false));
            if (process.ExitCode != 0 || !IsInstalled(folder))
            {
                var tail = string.Join('\n', text.Split('\n', StringSplitOptions.RemoveEmptyEntries).TakeLast(8));
                return Fail($"'npm install' in {folder} failed (exit code {process.ExitCode}): {tail}", logger);
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or OperationCanceledException or IOException)
        {
            return Fail($"'npm install' in {folder} could not run: {ex.Message}", logger);
        }

        logger?.LogWarning("designer installed in {Folder}", folder);
        return new DesignerInstall(true, null);
    }

    // An exclusive lock on a file in the folder (FileShare.None: a lock the other processes see), deleted when released.
    private static async Task<FileStream> InstallLockAsync(string folder)
    {
        var path = Path.Combine(folder, ".npm-install.lock");
        var until = DateTime.UtcNow + TimeSpan.FromMinutes(10);
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException) when (DateTime.UtcNow < until)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250)).ConfigureAwait(false);
            }
        }
    }

    private static DesignerInstall Fail(string message, ILogger? logger)
    {
        logger?.LogError("{Message}", message);
        return new DesignerInstall(false, message);
    }

    private static string? FindOnPath(string path, IEnumerable<string> names)
    {
        foreach (var folder in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in names)
            {
                var candidate = Path.Combine(folder, name);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
