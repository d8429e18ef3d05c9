using System.Globalization;

namespace FlowEngine.Integration.Spokes;

/// <summary>
/// How hard the process may press one alias's vendor: at most <see cref="Concurrency"/> requests in flight, requests
/// started at most <see cref="RequestsPerSecond"/> a second, at most <see cref="Queue"/> requests waiting for a slot,
/// none waiting longer than <see cref="MaxWait"/>. Every execution in the process shares them.
/// Declared in spoke.yaml as <c>limits: { concurrency, requests_per_second, queue, max_wait }</c>; a connection
/// overrides them with the settings <c>limits.concurrency</c>, <c>limits.requests_per_second</c>, <c>limits.queue</c>, <c>limits.max_wait</c>.
/// </summary>
public sealed record AliasLimits
{
    /// <summary>The prefix of connection settings that override an alias's limits.</summary>
    public const string SettingPrefix = "limits.";

    /// <summary>The keys of a <c>limits</c> mapping.</summary>
    public static readonly IReadOnlyList<string> Keys = ["concurrency", "requests_per_second", "queue", "max_wait"];

    /// <summary>When a spoke declares none: 8 at once, 10 a second, 64 waiting, 120 s at most.</summary>
    public static readonly AliasLimits Default = new();

    /// <summary>Requests in flight at once (1 to 256).</summary>
    /// <value>8 unless the spoke or the connection says otherwise.</value>
    public int Concurrency { get; init; } = 8;

    /// <summary>Requests started per second (more than 0, at most 10,000); after an idle second up to this many may start at once.</summary>
    /// <value>10 unless the spoke or the connection says otherwise.</value>
    public double RequestsPerSecond { get; init; } = 10;

    /// <summary>Requests that may wait for a slot (0 to 10,000); one more fails its step at once.</summary>
    /// <value>64 unless the spoke or the connection says otherwise.</value>
    public int Queue { get; init; } = 64;

    /// <summary>Longest wait for a slot; a longer wait fails the step.</summary>
    /// <value>120 s unless the spoke or the connection says otherwise.</value>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Reads limits from a spoke's <c>limits</c> mapping (or connection settings without the prefix) over <paramref name="basis"/>.</summary>
    /// <exception cref="ArgumentException">An unknown key or a value out of range; the message says which.</exception>
    public static AliasLimits From(IEnumerable<KeyValuePair<string, object?>> settings, AliasLimits basis)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(basis);
        var limits = basis;
        foreach (var (key, value) in settings)
        {
            var number = Number(value);
            limits = key switch
            {
                "concurrency" when number is >= 1 and <= 256 && number == Math.Floor(number.Value) => limits with { Concurrency = (int)number },
                "concurrency" => throw new ArgumentException($"limits.concurrency must be a whole number from 1 to 256, not {value}"),
                "requests_per_second" when number is > 0 and <= 10_000 => limits with { RequestsPerSecond = number.Value },
                "requests_per_second" => throw new ArgumentException($"limits.requests_per_second must be a number above 0 and at most 10000, not {value}"),
                "queue" when number is >= 0 and <= 10_000 && number == Math.Floor(number.Value) => limits with { Queue = (int)number },
                "queue" => throw new ArgumentException($"limits.queue must be a whole number from 0 to 10000, not {value}"),
                "max_wait" when number is > 0 and <= 3600 => limits with { MaxWait = TimeSpan.FromSeconds(number.Value) },
                "max_wait" => throw new ArgumentException($"limits.max_wait must be a number of seconds above 0 and at most 3600, not {value}"),
                _ => throw new ArgumentException($"unknown limit '{key}'; limits are {string.Join(", ", Keys)}"),
            };
        }

        return limits;
    }

    /// <summary>The limits a connection's settings (<c>limits.*</c>) make of <paramref name="basis"/>.</summary>
    /// <exception cref="ArgumentException">A setting is unknown or out of range.</exception>
    public static AliasLimits FromSettings(IReadOnlyDictionary<string, string> settings, AliasLimits basis)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return From(
            settings.Where(s => s.Key.StartsWith(SettingPrefix, StringComparison.Ordinal))
                .Select(s => new KeyValuePair<string, object?>(s.Key[SettingPrefix.Length..], s.Value)),
            basis);
    }

    /// <summary>Limits as people read them: <c>concurrency 4, requests_per_second 15, queue 64, max_wait 120 s</c>.</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"concurrency {Concurrency}, requests_per_second {RequestsPerSecond}, queue {Queue}, max_wait {MaxWait.TotalSeconds} s");

    private static double? Number(object? value) => value switch
    {
        long l => l,
        int i => i,
        double d => d,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => null,
    };
}
