using FlowEngine.Definitions;
using FlowEngine.Definitions.Model;

namespace FlowEngine.Integration.Spokes;

/// <summary>A spoke: one vendor's aliases (its actions are ordinary definitions beside it, with ids <c>&lt;spoke&gt;.*</c>).</summary>
public sealed record SpokeManifest(string Id, string Name, int Version, string? Description, IReadOnlyList<AliasDefinition> Aliases, string SourceFile)
{
    /// <summary>What license management needs to know of the vendor, when the spoke supports it.</summary>
    public LicenseInfo? License { get; init; }
}

/// <summary>
/// A spoke's license-management facts: the profile type, the software model it creates, and its subflows
/// (by convention <c>&lt;spoke&gt;.sam.download_subscriptions</c>, <c>.update_user_activity</c>, <c>.reclaim_subscription</c>,
/// <c>.validate_connection</c>).
/// </summary>
public sealed record LicenseInfo(string ProfileType, string Publisher, string Product, string Identifier);

/// <summary>Connection and credential alias: what a connection to the vendor needs and how to reach it.</summary>
public sealed record AliasDefinition
{
    /// <summary><c>scope.Name</c>, e.g. <c>sn_pagerduty_spoke.PagerDuty</c>.</summary>
    public required string Id { get; init; }

    /// <summary>The spoke it belongs to.</summary>
    public required string Spoke { get; init; }

    /// <summary>Display name.</summary>
    public required string Name { get; init; }

    /// <summary><c>connection_and_credential</c> (default) or <c>credential</c>.</summary>
    public string Type { get; init; } = "connection_and_credential";

    /// <summary>Only <c>http</c> for now.</summary>
    public string ConnectionType { get; init; } = "http";

    /// <summary>The spoke's default parent alias, used when nothing overrides it.</summary>
    public bool IsDefault { get; init; }

    /// <summary>Base URL; <c>{attribute}</c> placeholders are filled from connection attributes (e.g. <c>https://{region}-gateway.roadmunk.com</c>).</summary>
    public string? Url { get; init; }

    /// <summary>Headers sent on every request through the alias.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Typed connection attributes; steps read them as <c>connection.&lt;name&gt;</c>.</summary>
    public IReadOnlyList<ParameterSpec> Attributes { get; init; } = [];

    /// <summary>The configuration template: credential types it accepts and their settings.</summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> Credentials { get; init; } = new Dictionary<string, IReadOnlyDictionary<string, string>>();

    /// <summary>The default retry policy of steps using the alias.</summary>
    public RetryPolicy Retry { get; init; } = RetryPolicy.Default;

    /// <summary>Concurrency, rate and queue limits shared by every request through the alias in this process.</summary>
    public AliasLimits Limits { get; init; } = AliasLimits.Default;

    /// <summary>The action that "test connection" runs.</summary>
    public string? TestAction { get; init; }

    /// <summary>Where it was declared.</summary>
    public required SourceSpan Span { get; init; }
}

/// <summary>
/// A retry policy as IntegrationHub has them: exponential backoff, fixed interval, or honour <c>Retry-After</c> or a
/// vendor reset header (falling back to exponential), each bounded by a count and an elapsed time.
/// </summary>
public sealed record RetryPolicy
{
    /// <summary>Retry 429, 408, 5xx and connection errors 3 times, exponentially from 1 s, within 60 s.</summary>
    public static readonly RetryPolicy Default = new();

    /// <summary>No retry.</summary>
    public static readonly RetryPolicy None = new() { MaxCount = 0 };

    /// <summary><c>exponential</c>, <c>fixed</c> or <c>honor_header</c>.</summary>
    public string Strategy { get; init; } = "exponential";

    /// <summary>For <c>honor_header</c>: a vendor header giving seconds to wait (<c>ratelimit-reset</c>); <c>Retry-After</c> is always honoured.</summary>
    public string? Header { get; init; }

    /// <summary>Fixed interval, or the first exponential delay.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Exponential multiplier.</summary>
    public double Multiplier { get; init; } = 2;

    /// <summary>Longest single wait.</summary>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Retries after the first attempt.</summary>
    public int MaxCount { get; init; } = 3;

    /// <summary>No retry starts after this much time since the first attempt.</summary>
    public TimeSpan MaxElapsed { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Reads a policy from a step's or alias's settings, over a base policy.</summary>
    public static RetryPolicy From(IReadOnlyDictionary<string, object?> settings, RetryPolicy basis)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var policy = basis;
        foreach (var (key, value) in settings)
        {
            policy = key switch
            {
                "strategy" when value is "exponential" or "fixed" or "honor_header" => policy with { Strategy = (string)value },
                "strategy" => throw new ArgumentException($"retry strategy '{value}' must be exponential, fixed or honor_header"),
                "header" => policy with { Header = value?.ToString() },
                "interval" => policy with { Interval = Seconds(value, key) },
                "multiplier" => policy with { Multiplier = Expressions.Values.ToDouble(value ?? 2L) },
                "max_delay" => policy with { MaxDelay = Seconds(value, key) },
                "max_count" when value is long n and >= 0 and <= 100 => policy with { MaxCount = (int)n },
                "max_count" => throw new ArgumentException($"retry max_count must be a whole number from 0 to 100, not {value}"),
                "max_elapsed" => policy with { MaxElapsed = Seconds(value, key) },
                _ => throw new ArgumentException($"unknown retry setting '{key}'; settings are strategy, header, interval, multiplier, max_delay, max_count, max_elapsed"),
            };
        }

        return policy;
    }

    private static TimeSpan Seconds(object? value, string key) => Expressions.Values.IsNumber(value) && Expressions.Values.ToDouble(value!) >= 0
        ? TimeSpan.FromSeconds(Expressions.Values.ToDouble(value!))
        : throw new ArgumentException($"retry {key} must be a number of seconds, not {value}");
}
