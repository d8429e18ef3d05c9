using System.Runtime;

namespace FlowEngine.Hosting;

/// <summary>
/// Startup profiles for .NET's multi-core JIT (<see cref="ProfileOptimization"/>): a process records which methods it
/// compiled, and the next process started for the same command compiles them ahead on another core while it starts, so
/// it waits less on the JIT (a first execution with <c>flowengine run</c>: 1,130 → 743 ms; a cold 10,000-user download:
/// 216–231 → 182–206 ms; bench/README.md, "Profile, fourth round").
/// One profile per command, in <see cref="DirectoryVariable"/> when set, else the user's cache folder
/// (<c>$XDG_CACHE_HOME/flowengine/jit</c>, <c>~/.cache/flowengine/jit</c>, or LocalApplicationData on Windows).
/// A missing, stale or unwritable profile only costs the speed-up: the runtime checks a profile before it uses it.
/// </summary>
public static class JitProfile
{
    /// <summary>The folder for the profiles; <c>off</c> turns them off.</summary>
    public const string DirectoryVariable = "FLOWENGINE_JIT_PROFILE_DIR";

    /// <summary>
    /// Starts recording (and, when a profile of this name exists, replaying) for this process; call once, first thing.
    /// Returns the profile's path, or null when profiles are off or the folder cannot be made.
    /// </summary>
    public static string? Start(string name)
    {
        if (Folder() is not { } folder)
        {
            return null;
        }

        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var file = string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '-')) + ".jitprofile";
        ProfileOptimization.SetProfileRoot(folder);
        ProfileOptimization.StartProfile(file);
        return Path.Combine(folder, file);
    }

    /// <summary>Where profiles are kept, or null when they are off.</summary>
    public static string? Folder() => Folder(Environment.GetEnvironmentVariable);

    /// <summary>Where profiles are kept given these environment variables, or null when they are off.</summary>
    public static string? Folder(Func<string, string?> variable)
    {
        ArgumentNullException.ThrowIfNull(variable);
        var configured = variable(DirectoryVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return string.Equals(configured.Trim(), "off", StringComparison.OrdinalIgnoreCase) ? null : Path.GetFullPath(configured);
        }

        var cache = OperatingSystem.IsWindows()
            ? Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData)
            : variable("XDG_CACHE_HOME") is { Length: > 0 } xdg
                ? xdg
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return string.IsNullOrEmpty(cache) ? null : Path.Combine(cache, "flowengine", "jit");
    }
}
