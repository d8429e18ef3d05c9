
using FlowEngine.Simulators;

namespace FlowEngine.BadInput.Tests;

/// <summary>A broken vendor answer during a profile's download, and what the failed run must say.</summary>
/// <param name="Name">What is wrong with the answer.</param>
/// <param name="Vendor">pagerduty (REST) or roadmunk (GraphQL).</param>
/// <param name="Answer">The scripted answer to each request (given its number), or null to let the simulator answer.</param>
/// <param name="Expect">Fragments the run's error must contain besides the vendor and alias, separated by <c>|</c>.</param>
/// <param name="Gap">
/// Set when the product does not answer the case clearly yet and the fix lies in code this corpus may not change
/// (the REST/GraphQL step handlers, VendorHttp, paging, the runtime): what is missing. The test then checks the case
/// still fails, so fixing the product makes it fail until the gap is removed here.
/// </param>
/// <param name="Slow">A known gap too slow to run in the suite; listed and counted as not answered clearly.</param>
public sealed record VendorCase(string Name, string Vendor, Func<ScriptedRequest, ScriptedAnswer?> Answer, string Expect, string? Gap = null, bool Slow = false)
{
    public override string ToString() => Name;
}

/// <summary>The corpus of broken GraphQL answers from Roadmunk and REST answers from PagerDuty.</summary>
internal static class VendorAnswerCases
{
    private static readonly Lazy<string> HugeGraphQL = new(() => "{\"data\":{\"account\":{\"id\":\"a\",\"users\":{\"edges\":[],\"pageInfo\":{\"hasNextPage\":false,\"endCursor\":null}}}},\"padding\":\"" + new string('x', 6 * 1024 * 1024) + "\"}");
    private static readonly Lazy<string> HugeRest = new(() => "{\"users\":[],\"more\":false,\"padding\":\"" + new string('x', 6 * 1024 * 1024) + "\"}");

    private static ScriptedAnswer Page(string edges, string pageInfo) =>
        new("{\"data\":{\"account\":{\"id\":\"acct\",\"users\":{\"edges\":" + edges + ",\"pageInfo\":" + pageInfo + "}}}}");

    private const string Node = "{\"node\":{\"id\":\"u1\",\"email\":\"ana@acme.example.com\",\"firstName\":\"Ana\",\"lastName\":\"Lopez\",\"role\":\"EDITOR\",\"isActive\":true,\"lastLoginAt\":null,\"createdAt\":\"2025-01-01T00:00:00Z\"}}";

    public static IReadOnlyList<VendorCase> GraphQL { get; } =
    [
        new("not JSON (an HTML error page)", "roadmunk", _ => new ScriptedAnswer("<html><body>502 Bad Gateway</body></html>", "text/html"), "JSON"),
        new("not JSON though it says so", "roadmunk", _ => new ScriptedAnswer("{\"data\": {\"account\": ", "application/json"), "JSON"),
        new("errors[] without data", "roadmunk", _ => new ScriptedAnswer("{\"errors\":[{\"message\":\"Cannot query field 'users' on type 'Account'.\"}]}"), "Cannot query field 'users'"),
        new("errors[] with data", "roadmunk", _ => new ScriptedAnswer("{\"data\":{\"account\":{\"id\":\"a\",\"users\":null}},\"errors\":[{\"message\":\"users resolver timed out\",\"path\":[\"account\",\"users\"]}]}"), "users resolver timed out"),
        new("no data and no errors", "roadmunk", _ => new ScriptedAnswer("{}"), "data"),
        new("data null", "roadmunk", _ => new ScriptedAnswer("{\"data\":null}"), "data"),
        new("edges null where a list is expected", "roadmunk", _ => Page("null", "{\"hasNextPage\":false,\"endCursor\":null}"), "edges"),
        new("edges an object", "roadmunk", _ => Page("{\"node\":{}}", "{\"hasNextPage\":false,\"endCursor\":null}"), "without a list at 'data.account.users.edges'"),
        new("pageInfo missing", "roadmunk", _ => new ScriptedAnswer("{\"data\":{\"account\":{\"id\":\"a\",\"users\":{\"edges\":[" + Node + "]}}}}"), "hasNextPage"),
        new("hasNextPage without a cursor", "roadmunk", _ => Page("[" + Node + "]", "{\"hasNextPage\":true,\"endCursor\":null}"), "cursor"),
        new("wrong types in nodes", "roadmunk", _ => Page("[{\"node\":{\"id\":7,\"email\":{\"address\":\"x\"},\"firstName\":1,\"lastName\":[],\"role\":5,\"isActive\":\"maybe\",\"lastLoginAt\":\"yesterday\",\"createdAt\":42}}]", "{\"hasNextPage\":false,\"endCursor\":null}"), "email", Gap: "node fields of the wrong type (email an object, isActive 'maybe', dates as numbers) are stored as they come; the action's typed outputs do not refuse them"),
        new("a cursor that repeats", "roadmunk", _ => Page("[" + Node + "]", "{\"hasNextPage\":true,\"endCursor\":\"same\"}"), "the same page twice"),
        new("a cursor that never ends", "roadmunk", r => Page("[]", "{\"hasNextPage\":true,\"endCursor\":\"c" + r.Index + "\"}"), "empty page"),
        new("an answer over the response limit", "roadmunk", _ => new ScriptedAnswer(HugeGraphQL.Value), "larger than the 5 MB limit"),
        new("HTTP 500 with an HTML body", "roadmunk", _ => new ScriptedAnswer("<html>Internal Server Error</html>", "text/html", 500), "500"),
    ];

    public static IReadOnlyList<VendorCase> Rest { get; } =
    [
        new("users not a list", "pagerduty", _ => new ScriptedAnswer("{\"users\":\"none\",\"more\":false}"), "without a list at 'users'"),
        new("users missing", "pagerduty", _ => new ScriptedAnswer("{\"more\":false,\"limit\":100,\"offset\":0}"), "users"),
        new("not JSON though it says so", "pagerduty", _ => new ScriptedAnswer("{\"users\":[{\"id\":", "application/json"), "JSON"),
        new("an answer over the response limit", "pagerduty", _ => new ScriptedAnswer(HugeRest.Value), "larger than the 5 MB limit"),
        new("more always true", "pagerduty", _ => new ScriptedAnswer("{\"users\":[],\"more\":true,\"limit\":100,\"offset\":0}"), "empty page"),
        new("a user without an email", "pagerduty", _ => new ScriptedAnswer("{\"users\":[{\"id\":\"P1\",\"name\":\"No Mail\",\"role\":\"user\"}],\"more\":false}"), "email", Gap: "a user without an email is not refused: the download succeeds and the stored subscriptions change; the download subflow (flows/license/pagerduty) should refuse or skip such a user with a message"),
    ];

    /// <summary>Every vendor case.</summary>
    public static IReadOnlyList<VendorCase> All => [.. GraphQL, .. Rest];

}
