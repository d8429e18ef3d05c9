namespace FlowEngine.Simulators.PagerDuty;

/// <summary>
/// OAuth scopes. Classic User OAuth: <c>read</c>, <c>write</c> (write implies read). Scoped OAuth: <c>resource.read</c> /
/// <c>resource.write</c>, each standing alone. Account API keys can do everything.
/// </summary>
internal static class PagerDutyScopes
{
    public const string UsersRead = "users.read";
    public const string UsersWrite = "users.write";
    public const string OnCallsRead = "oncalls.read";
    public const string AbilitiesRead = "abilities.read";
    public const string AsAccountPrefix = "as_account-";

    /// <summary>The scopes the identity service grants; anything else requested is quietly dropped, as PagerDuty does.</summary>
    public static readonly IReadOnlySet<string> Known = new HashSet<string>(StringComparer.Ordinal)
    {
        "openid", "read", "write",
        UsersRead, UsersWrite, OnCallsRead, AbilitiesRead,
        "users:contact_methods.read", "users:contact_methods.write",
        "licenses.read", "audit_records.read", "incidents.read", "incidents.write",
        "schedules.read", "escalation_policies.read", "teams.read",
    };

    public static IReadOnlyList<string> Parse(string? scope) =>
        (scope ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>True when a Scoped OAuth scope (with a dot) is among <paramref name="scopes"/>: the user-token flow then needs PKCE.</summary>
    public static bool AnyScoped(IEnumerable<string> scopes) => scopes.Any(s => s.Contains('.', StringComparison.Ordinal));

    public static bool Allows(IReadOnlyList<string> granted, string required)
    {
        if (granted.Contains(required))
        {
            return true;
        }

        return required.EndsWith(".read", StringComparison.Ordinal)
            ? granted.Contains("read") || granted.Contains("write")
            : required.EndsWith(".write", StringComparison.Ordinal) && granted.Contains("write");
    }
}
