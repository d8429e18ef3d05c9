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
        var reader = new Reader("e2e", args, takesOut: true);
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
                _ => throw reader.Unknown(option),
            };
        }

        return (options, reader.Out);
    }

    /// <summary><c>runtime</c>: the options, and the file the report also goes to (<c>--out</c>), if any.</summary>
    public static (RuntimeThroughput.Options Options, string? Out) Runtime(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new RuntimeThroughput.Options(Command: Prefix + string.Join(' ', ["runtime", .. args]));
        var reader = new Reader("runtime", args, takesOut: true);
        while (reader.Next() is { } option)
        {
            options = option switch
            {
                "--seconds" => options with { Seconds = reader.Count(option, minimum: 1) },
                "--clients" => options with { Clients = reader.Count(option, minimum: 1) },
                "--warmup" => options with { Warmup = reader.Count(option, minimum: 0) },
                _ => throw reader.Unknown(option),
            };
        }

        return (options, reader.Out);
    }

    /// <summary><c>cold</c>: the options, and the file the report also goes to (<c>--out</c>), if any.</summary>
    public static (ColdServer.Options Options, string? Out) Cold(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new ColdServer.Options(Command: Prefix + string.Join(' ', ["cold", .. args]));
        var reader = new Reader("cold", args, takesOut: true);
        while (reader.Next() is { } option)
        {
            options = option switch
            {
                "--runs" => options with { Runs = reader.Count(option, minimum: 1) },
                _ => throw reader.Unknown(option),
            };
        }

        return (options, reader.Out);
    }

    /// <summary><c>coldstart</c>: the options.</summary>
    public static ColdStart.Options ColdStart(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var options = new ColdStart.Options();
        var reader = new Reader("coldstart", args, takesOut: false);
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

    private static int Whole(string option, string? text, int minimum) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum
            ? value
            : throw new UsageException($"{option} takes a whole number of at least {minimum}, not '{text}'");

    // Walks a mode's arguments: each option, then its value when it takes one. --out FILE, which every reporting mode
    // takes, is read here and kept in Out.
    private sealed class Reader(string mode, string[] args, bool takesOut)
    {
        private int _next;

        public string? Out { get; private set; }

        public string? Next()
        {
            while (_next < args.Length)
            {
                var option = args[_next++];
                if (!(takesOut && option == "--out"))
                {
                    return option;
                }

                Out = Value(option);
            }

            return null;
        }

        public string Value(string option) =>
            _next < args.Length && !args[_next].StartsWith("--", StringComparison.Ordinal)
                ? args[_next++]
                : throw new UsageException($"{option} needs a value");

        public int Count(string option, int minimum) => Whole(option, Value(option), minimum);

        public UsageException Unknown(string option) => new($"'{option}' is not an option of {mode}");
    }
}
