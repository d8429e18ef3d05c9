using System.Globalization;

namespace FlowEngine.Benchmarks;

/// <summary>A mode's options were wrong: the message names the option and what it takes.</summary>
public sealed class UsageException(string message) : Exception(message);

/// <summary>
/// The command-line options of each mode, read into its options record. Anything unknown, a missing value or a number
/// that is not one throws <see cref="UsageException"/>, which the entry point prints with the usage (exit code 2).
/// </summary>
public static class BenchOptions
{
    private const string Prefix = "dotnet run -c Release --project bench/FlowEngine.Benchmarks -- ";

    /// <summary><c>e2e</c>: the options, and the file the table also goes to (<c>--out</c>), if any.</summary>
    public static (E2e.Options Options, string? Out) E2e(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new E2e.Options { Command = Prefix + string.Join(' ', ["e2e", .. args]), ReadyToRun = true };
        string? output = null;
        var reader = new Reader("e2e", args);
        while (reader.Next() is { } option)
        {
            options = option switch
            {
                "--runs" => options with { Runs = reader.Count(option, minimum: 1) },
                "--sizes" => options with { Sizes = [.. reader.Value(option).Split(',').Select(v => Whole(option, v.Replace("_", "", StringComparison.Ordinal), 1))] },
                "--scenarios" => options with { Scenarios = reader.Value(option).Split(',') },
                "--engine-records" => options with { EngineArgs = ["--records", reader.Value(option)] },
                "--keep" => options with { Keep = true },
                "--jit" => options with { ReadyToRun = false },
                "--warm" => options with { Warm = true },
                "--no-jit-profile" => options with { JitProfiles = false },
                "--out" => Out(ref output, reader.Value(option), options),
                _ => throw reader.Unknown(option),
            };
        }

        return (options, output);
    }

    /// <summary><c>runtime</c>: the options, and the file the report also goes to (<c>--out</c>), if any.</summary>
    public static (RuntimeThroughput.Options Options, string? Out) Runtime(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new RuntimeThroughput.Options(Command: Prefix + string.Join(' ', ["runtime", .. args]));
        string? output = null;
        var reader = new Reader("runtime", args);
        while (reader.Next() is { } option)
        {
            options = option switch
            {
                "--seconds" => options with { Seconds = reader.Count(option, minimum: 1) },
                "--clients" => options with { Clients = reader.Count(option, minimum: 1) },
                "--warmup" => options with { Warmup = reader.Count(option, minimum: 0) },
                "--out" => Out(ref output, reader.Value(option), options),
                _ => throw reader.Unknown(option),
            };
        }

        return (options, output);
    }

    /// <summary><c>cold</c>: the options, and the file the report also goes to (<c>--out</c>), if any.</summary>
    public static (ColdServer.Options Options, string? Out) Cold(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new ColdServer.Options(Command: Prefix + string.Join(' ', ["cold", .. args]));
        string? output = null;
        var reader = new Reader("cold", args);
        while (reader.Next() is { } option)
        {
            options = option switch
            {
                "--runs" => options with { Runs = reader.Count(option, minimum: 1) },
                "--out" => Out(ref output, reader.Value(option), options),
                _ => throw reader.Unknown(option),
            };
        }

        return (options, output);
    }

    /// <summary><c>coldstart</c>: the options.</summary>
    public static ColdStart.Options ColdStart(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new ColdStart.Options();
        var reader = new Reader("coldstart", args);
        while (reader.Next() is { } option)
        {
            options = option switch
            {
                "--runs" => options with { Runs = reader.Count(option, minimum: 1) },
                "--warmup" => options with { Warmup = reader.Count(option, minimum: 0) },
                "--cli" => options with { Cli = reader.Value(option) },
                "--flows" => options with { Flows = reader.Value(option) },
                _ => throw reader.Unknown(option),
            };
        }

        return options;
    }

    private static T Out<T>(ref string? output, string file, T options)
    {
        output = file;
        return options;
    }

    private static int Whole(string option, string? text, int minimum) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new UsageException($"{option} takes a whole number of at least {minimum}, not '{text}'");

    // Walks a mode's arguments: each option, then its value when it takes one.
    private sealed class Reader(string mode, string[] args)
    {
        private int _next;

        public string? Next() => _next < args.Length ? args[_next++] : null;

        public string Value(string option) =>
            _next < args.Length && !args[_next].StartsWith("--", StringComparison.Ordinal)
                ? args[_next++]
                : throw new UsageException($"{option} needs a value");

        public int Count(string option, int minimum) => Whole(option, Value(option), minimum);

        public UsageException Unknown(string option) => new($"'{option}' is not an option of {mode}");
    }
}
