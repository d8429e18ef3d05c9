using FlowEngine.Server.Auth;

namespace FlowEngine.BadInput.Tests;

/// <summary>One bad request to the server and what its answer must say.</summary>
/// <param name="Name">What is wrong, in a few words.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path and query (profiles as <c>{pd}</c> and <c>{rm}</c>).</param>
/// <param name="Body">The body, sent as it is; null for none.</param>
/// <param name="Status">The 4xx status the answer must have.</param>
/// <param name="Expect">Fragments the answer's detail must contain (case-insensitive), separated by <c>|</c>.</param>
/// <param name="ContentType">The body's Content-Type.</param>
/// <param name="Role">The caller's role.</param>
public sealed record ApiCase(string Name, string Method, string Path, string? Body, int Status, string Expect, string ContentType = "application/json", string Role = Roles.Admin)
{
    public override string ToString() => Name;
}

/// <summary>The corpus of bad requests: bodies, ids, query values, definitions, designer saves, HTTP triggers, OAuth redirects.</summary>
internal static class ApiCases
{
    /// <summary>A secret value sent in the wrong place; no answer may echo it.</summary>
    public const string PlantedSecret = "pd-planted-secret-7f3a9c";

    private const string Json = "application/json";
    private const string Yaml = "application/yaml";

    private static readonly Lazy<string> HugeJson = new(() => "{\"definitionId\":\"demo.hello_http\",\"inputs\":{\"name\":\"" + new string('a', 40 * 1024 * 1024) + "\"}}");
    private static readonly Lazy<string> HugeYaml = new(() => "kind: flow\nid: test.huge\nversion: 1\ndescription: " + new string('x', 3 * 1024 * 1024) + "\nsteps: []\n");
    private static readonly Lazy<string> HugeTrigger = new(() => "{\"name\":\"" + new string('b', 5 * 1024 * 1024) + "\"}");

    private const string ValidFlow = """
        kind: flow
        id: test.bad_input
        version: 1
        steps:
          - log: hello
        """;

    public static IReadOnlyList<ApiCase> All { get; } =
    [
        // Definitions: the source in the body goes through the same loader as flowengine validate.
        new("definition: empty body", "POST", "/api/definitions/validate", "", 400, "send the definition's YAML or JSON", Yaml),
        new("definition: YAML syntax error", "POST", "/api/definitions", "kind: flow\nid: test.x\nversion: 1\nsteps: [ { log: a }\n", 400, "FE0001|line", Yaml),
        new("definition: truncated JSON", "POST", "/api/definitions", "{ \"kind\": \"flow\", \"id\": \"test.x\",", 400, "FE0001", Json),
        new("definition: unknown key", "POST", "/api/definitions", ValidFlow + "\ncolour: blue\n", 400, "FE1001|colour", Yaml),
        new("definition: unknown step type", "POST", "/api/definitions", ValidFlow.Replace("log: hello", "lgo: hello", StringComparison.Ordinal), 400, "FE1005|lgo", Yaml),
        new("definition: call to an unknown definition", "POST", "/api/definitions", ValidFlow.Replace("log: hello", "call: demo.nothing_here", StringComparison.Ordinal), 400, "FE3001|demo.nothing_here", Yaml),
        new("definition: unknown variable in a pill", "POST", "/api/definitions", ValidFlow.Replace("log: hello", "log: \"{{ vars.nope }}\"", StringComparison.Ordinal), 400, "FE2002|nope", Yaml),
        new("definition: id with capitals", "POST", "/api/definitions", ValidFlow.Replace("test.bad_input", "Test.Bad", StringComparison.Ordinal), 400, "FE1006|id", Yaml),
        new("definition: version zero", "POST", "/api/definitions", ValidFlow.Replace("version: 1", "version: 0", StringComparison.Ordinal), 400, "version", Yaml),
        new("definition: bad cron", "POST", "/api/definitions", ValidFlow.Replace("version: 1", "version: 1\ntriggers:\n  - schedule: { cron: \"every tuesday\" }", StringComparison.Ordinal), 400, "cron", Yaml),
        new("definition: stored version with other content", "POST", "/api/definitions",
            File.ReadAllText(Path.Combine(FlowEngine.Tests.Shared.TestPaths.Flows, "examples", "hello_http.yaml")).Replace("Hello over HTTP", "Hello again", StringComparison.Ordinal), 409, "FE4001|version: 2", Yaml),
        new("definition: path outside flows/", "POST", "/api/definitions?path=../../outside.yaml", ValidFlow, 400, "inside the flows folder", Yaml),
        new("definition: path with a wrong extension", "POST", "/api/definitions?path=examples/x.txt", ValidFlow, 400, ".yaml, .yml or .json", Yaml),
        new("definition: larger than 2 MB", "POST", "/api/definitions", HugeYaml.Value, 413, "at most", Yaml),
        new("definition: unknown id", "GET", "/api/definitions/demo.nothing_here", null, 404, "no stored definition 'demo.nothing_here'"),
        new("definition: unknown version", "GET", "/api/definitions/demo.hello_http/versions/99", null, 404, "no stored version 99"),
        new("definition: source in an unknown format", "GET", "/api/definitions/demo.hello_http/versions/1/source?format=xml", null, 400, "format 'xml' is not yaml or json"),
        new("definition: publish an unknown version", "POST", "/api/definitions/demo.hello_http/versions/42/publish", null, 404, "no stored version 42"),
        new("definition: export an unknown version", "POST", "/api/definitions/demo.hello_http/versions/42/export", null, 404, "no stored version 42"),

        // Executions.
        new("execution: truncated JSON", "POST", "/api/executions", "{\"definitionId\": ", 400, "not valid JSON|line 1"),
        new("execution: definitionId a number", "POST", "/api/executions", "{\"definitionId\": 5}", 400, "field 'definitionId'|must be a string"),
        new("execution: no definitionId", "POST", "/api/executions", "{}", 400, "give 'definitionId'"),
        new("execution: unknown definition", "POST", "/api/executions", "{\"definitionId\": \"demo.hello_htp\"}", 404, "no definition 'demo.hello_htp'|did you mean"),
        new("execution: unknown version", "POST", "/api/executions", "{\"definitionId\": \"demo.hello_http\", \"version\": 7}", 404, "has no version 7"),
        new("execution: version as text", "POST", "/api/executions", "{\"definitionId\": \"demo.hello_http\", \"version\": \"two\"}", 400, "field 'version'|whole number"),
        new("execution: input of the wrong type", "POST", "/api/executions", "{\"definitionId\": \"demo.hello_http\", \"inputs\": {\"times\": \"many\"}}", 400, "times"),
        new("execution: inputs not an object", "POST", "/api/executions", "{\"definitionId\": \"demo.hello_http\", \"inputs\": [1, 2]}", 400, "'inputs' must be a JSON object"),
        new("execution: unknown field", "POST", "/api/executions", "{\"definitionId\": \"demo.hello_http\", \"input\": {}}", 400, "unknown field 'input'|inputs"),
        new("execution: timeout as text", "POST", "/api/executions", "{\"definitionId\": \"demo.hello_http\", \"timeoutSeconds\": \"soon\"}", 400, "field 'timeoutSeconds'|a number"),
        new("execution: body as text/plain", "POST", "/api/executions", "definitionId=demo.hello_http", 415, "Content-Type: application/json", "text/plain"),
        new("execution: no body", "POST", "/api/executions", null, 400, "needs a JSON body"),
        new("execution: 40 MB body", "POST", "/api/executions", HugeJson.Value, 413, "too large"),
        new("execution: id not a GUID", "GET", "/api/executions/not-a-guid", null, 400, "'not-a-guid' is not an execution id"),
        new("execution: unknown id", "GET", "/api/executions/0195f2a4-6c1e-7b4a-9d3e-2f1a0b9c8d7e", null, 404, "no execution 0195f2a4-6c1e-7b4a-9d3e-2f1a0b9c8d7e"),
        new("execution: unknown status filter", "GET", "/api/executions?status=exploded", null, 400, "unknown status 'exploded'"),
        new("execution: take not a number", "GET", "/api/executions?take=lots", null, 400, "'lots' is not a valid value for 'take'|whole number"),
        new("execution: cancel an unknown id", "POST", "/api/executions/0195f2a4-6c1e-7b4a-9d3e-2f1a0b9c8d7e/cancel", null, 404, "no execution"),

        // Profiles.
        new("profile: empty object", "POST", "/api/profiles", "{}", 400, "give 'vendor'"),
        new("profile: unknown vendor", "POST", "/api/profiles", "{\"vendor\": \"pagerduti\", \"displayName\": \"X\"}", 400, "pagerduti"),
        new("profile: unknown alias", "POST", "/api/profiles", "{\"vendor\": \"pagerduty\", \"displayName\": \"X\", \"alias\": \"sn_pagerduty_spoke.Nope\"}", 400, "unknown alias 'sn_pagerduty_spoke.Nope'"),
        new("profile: alias of another vendor", "POST", "/api/profiles", "{\"vendor\": \"pagerduty\", \"displayName\": \"X\", \"alias\": \"sn_roadmunk_spoke.Roadmunk\"}", 400, "belongs to the roadmunk spoke"),
        new("profile: downloadActivity as text", "POST", "/api/profiles", "{\"vendor\": \"pagerduty\", \"displayName\": \"X\", \"downloadActivity\": \"yes\"}", 400, "field 'downloadActivity'|true or false"),
        new("profile: analyzeActivityFrom not a date", "POST", "/api/profiles", "{\"vendor\": \"pagerduty\", \"displayName\": \"X\", \"analyzeActivityFrom\": \"last tuesday\"}", 400, "field 'analyzeActivityFrom'|ISO date"),
        new("profile: analyzeActivityFrom too far back", "POST", "/api/profiles", "{\"vendor\": \"pagerduty\", \"displayName\": \"X\", \"analyzeActivityFrom\": \"2020-01-01T00:00:00Z\"}", 400, "within the last 60 days"),
        new("profile: display name taken", "POST", "/api/profiles", "{\"vendor\": \"pagerduty\", \"displayName\": \"PD Bad Input\"}", 400, "exists already"),
        new("profile: not an object", "POST", "/api/profiles", "[\"pagerduty\"]", 400, "the body|must be an object"),
        new("profile: change an unknown profile", "PATCH", "/api/profiles/Nobody%20Here", "{\"reclaimSubscriptions\": false}", 404, "no integration profile 'Nobody Here'"),
        new("profile: change with a misspelt field", "PATCH", "/api/profiles/{pd}", "{\"reclaim\": false}", 400, "unknown field 'reclaim'|reclaimSubscriptions"),
        new("profile: reclaim cap share above 1", "PATCH", "/api/profiles/{pd}", "{\"reclaimCapShare\": 5}", 400, "share from 0 to 1"),
        new("profile: reclaim cap count negative", "PATCH", "/api/profiles/{pd}", "{\"reclaimCapCount\": -1}", 400, "count from 0"),
        new("profile: change to an alias of another vendor", "PATCH", "/api/profiles/{pd}", "{\"alias\": \"sn_roadmunk_spoke.Roadmunk\"}", 400, "belongs to the roadmunk spoke"),
        new("profile: refresh an unknown profile", "POST", "/api/profiles/Nobody/refresh", null, 404, "no integration profile 'Nobody'"),
        new("profile: refresh with activity=maybe", "POST", "/api/profiles/{pd}/refresh?activity=maybe", null, 400, "'maybe' is not a valid value for 'activity'|true or false"),
        new("profile: delete an unknown profile", "DELETE", "/api/profiles/Nobody", null, 404, "no integration profile 'Nobody'"),
        new("profile: attach a form without a file", "POST", "/api/profiles/{rm}/attachments", "note=hello", 400, "the form has no file", "application/x-www-form-urlencoded"),
        new("profile: attach to an unknown profile", "POST", "/api/profiles/Nobody/attachments?fileName=users.csv", "Email,Status\na@b.c,Active\n", 404, "no integration profile 'Nobody'", "text/csv"),
        new("subscriptions: unknown profile", "GET", "/api/subscriptions?profile=Nobody", null, 404, "no integration profile 'Nobody'"),
        new("subscriptions: idle=maybe", "GET", "/api/subscriptions?idle=maybe", null, 400, "'maybe' is not a valid value for 'idle'"),
        new("candidates: unknown state", "GET", "/api/candidates?state=Exploded", null, 400, "unknown state 'Exploded'"),
        new("reclaim: plan for an unknown profile", "GET", "/api/reclaim/Nobody/plan", null, 404, "no integration profile 'Nobody'"),
        new("reclaim: run for an unknown profile", "POST", "/api/reclaim/Nobody/run", null, 404, "no integration profile 'Nobody'"),

        // Aliases and connections: secrets are write-only and never echoed.
        new("alias: unknown alias without parent", "PUT", "/api/aliases/sn_nope.Nope", "{\"url\": \"http://127.0.0.1:1\"}", 404, "unknown alias 'sn_nope.Nope'|give 'parent'"),
        new("alias: unknown parent", "PUT", "/api/aliases/sn_pagerduty_spoke.Child", "{\"parent\": \"sn_pagerduty_spoke.PagerDuti\"}", 400, "unknown parent alias 'sn_pagerduty_spoke.PagerDuti'"),
        new("alias: unknown credential type", "PUT", "/api/aliases/sn_pagerduty_spoke.PagerDuty", "{\"credentialType\": \"magic\"}", 400, "unknown credential type 'magic'|api_token"),
        new("alias: secret in settings", "PUT", "/api/aliases/sn_pagerduty_spoke.PagerDuty", "{\"settings\": {\"token\": \"" + PlantedSecret + "\"}}", 400, "must go in 'secrets'"),
        new("alias: secrets not an object", "PUT", "/api/aliases/sn_pagerduty_spoke.PagerDuty", "{\"secrets\": \"" + PlantedSecret + "\"}", 400, "field 'secrets'|object of names"),
        new("alias: misspelt field", "PUT", "/api/aliases/sn_pagerduty_spoke.PagerDuty", "{\"secret\": {\"token\": \"" + PlantedSecret + "\"}}", 400, "unknown field 'secret'|secrets"),
        new("alias: unknown alias for get", "GET", "/api/aliases/sn_nope.Nope", null, 404, "no alias 'sn_nope.Nope'"),
        new("alias: test an unknown alias", "POST", "/api/aliases/sn_nope.Nope/test", null, 404, "unknown alias 'sn_nope.Nope'"),
        new("alias: consent on an API-token alias", "POST", "/api/aliases/sn_pagerduty_spoke.PagerDuty/consent", null, 400, "consent is for oauth2_authorization_code"),

        // Entitlements, exclusions, keys.
        new("entitlement: zero rights", "POST", "/api/entitlements", "{\"softwareModel\": \"pagerduty\", \"rights\": 0}", 400, "'rights' of at least 1"),
        new("entitlement: rights as text", "POST", "/api/entitlements", "{\"softwareModel\": \"pagerduty\", \"rights\": \"ten\"}", 400, "field 'rights'|whole number"),
        new("entitlement: unknown software model", "POST", "/api/entitlements", "{\"softwareModel\": \"zoom\", \"rights\": 3}", 404, "no software model 'zoom'"),
        new("exclusion: unknown kind", "POST", "/api/exclusions", "{\"kind\": \"group\", \"value\": \"x\"}", 400, "'kind' is user"),
        new("exclusion: no value", "POST", "/api/exclusions", "{\"kind\": \"user\"}", 400, "needs a 'value'"),
        new("exclusion: unknown profile type", "POST", "/api/exclusions", "{\"kind\": \"identifier\", \"value\": \"pagerduty\", \"profileType\": \"Zoom Subscription\"}", 400, "unknown profile type 'Zoom Subscription'"),
        new("key: unknown role", "POST", "/api/keys", "{\"name\": \"x\", \"role\": \"root\"}", 400, "give a 'name' and a 'role'"),
        new("key: delete with an id that is not a GUID", "DELETE", "/api/keys/abc", null, 400, "'abc' is not an API key id"),
        new("key: delete an unknown key", "DELETE", "/api/keys/0195f2a4-6c1e-7b4a-9d3e-2f1a0b9c8d7e", null, 404, "no API key"),

        // HTTP triggers.
        new("trigger: unknown path", "POST", "/flows/http/helo", "{}", 404, "no published flow has an HTTP trigger with path 'helo'|did you mean"),
        new("trigger: wrong method", "GET", "/flows/http/hello", null, 405, "answers POST, not GET"),
        new("trigger: truncated JSON", "POST", "/flows/http/hello", "{\"name\": ", 400, "not valid JSON"),
        new("trigger: input of the wrong type", "POST", "/flows/http/hello", "{\"times\": \"many\"}", 400, "times"),
        new("trigger: query value of the wrong type", "POST", "/flows/http/hello?times=abc", null, 400, "times|must be integer"),
        new("trigger: body a list", "POST", "/flows/http/hello", "[1, 2]", 400, "must be a JSON object of demo.hello_http's inputs|name, times"),
        new("alias: consent for an unknown alias", "POST", "/api/aliases/sn_nope.Nope/consent", null, 400, "sn_nope.Nope"),
        new("trigger: 5 MB body", "POST", "/flows/http/hello", HugeTrigger.Value, 413, "larger than"),

        // Paths, methods and keys.
        new("path: unknown API path", "GET", "/api/profile", null, 404, "nothing is at GET /api/profile|openapi"),
        new("path: method a path does not answer", "DELETE", "/api/definitions", null, 405, "does not answer DELETE"),
        new("key: none sent", "GET", "/api/profiles", null, 401, "send an API key", Json, ""),
        new("key: a viewer writes", "POST", "/api/profiles", "{\"vendor\": \"pagerduty\", \"displayName\": \"X\"}", 403, "role may not", Json, Roles.Viewer),

        // The OAuth redirect (anonymous; an HTML page).
        new("oauth: no state", "GET", "/oauth_redirect?code=abc", null, 400, "consent is unknown", Json, ""),
        new("oauth: unknown state", "GET", "/oauth_redirect?code=abc&state=forged", null, 400, "consent is unknown", Json, ""),
        new("oauth: vendor error with a forged state", "GET", "/oauth_redirect?error=access_denied&state=forged", null, 400, "consent is unknown", Json, ""),

        // The Elsa-compatible API the designer saves through.
        new("designer: truncated JSON", "POST", "/elsa/api/workflow-definitions", "{\"model\": {", 400, "not valid JSON|line 1"),
        new("designer: no model", "POST", "/elsa/api/workflow-definitions", "{\"publish\": true}", 400, "needs a 'model'"),
        new("designer: bad definition id", "POST", "/elsa/api/workflow-definitions", "{\"model\": {\"definitionId\": \"Bad Id!\", \"name\": \"x\"}}", 400, "'Bad Id!' is not a definition id"),
        new("designer: publish an unknown definition", "POST", "/elsa/api/workflow-definitions/demo.nothing_here/publish", null, 404, "no definition 'demo.nothing_here'"),
        new("designer: delete a version id without a number", "DELETE", "/elsa/api/workflow-definition-versions/demo.hello_http", null, 404, "no definition version 'demo.hello_http'"),
        new("designer: model is a list", "POST", "/elsa/api/workflow-definitions", "{\"model\": []}", 400, "needs a 'model'"),
        new("designer: root is not a flowchart", "POST", "/elsa/api/workflow-definitions", "{\"model\": {\"name\": \"Seq\", \"root\": {\"type\": \"Elsa.Sequence\", \"id\": \"root\"}}}", 400, "Flowchart"),
        new("designer: activity without a type", "POST", "/elsa/api/workflow-definitions",
            "{\"model\": {\"name\": \"No type\", \"root\": {\"type\": \"Elsa.Flowchart\", \"id\": \"root\", \"activities\": [{\"id\": \"a1\"}], \"connections\": []}}}", 400, "a1"),
        new("designer: connection to an unknown activity", "POST", "/elsa/api/workflow-definitions",
            "{\"model\": {\"name\": \"Dangling\", \"root\": {\"type\": \"Elsa.Flowchart\", \"id\": \"root\", \"activities\": [], \"connections\": [{\"source\": {\"activity\": \"a1\", \"port\": \"Done\"}, \"target\": {\"activity\": \"ghost\", \"port\": \"In\"}}]}}}", 400, "names no activity|a1"),
        new("designer: execute an unknown definition", "POST", "/elsa/api/workflow-definitions/demo.nothing_here/execute", "{}", 404, "demo.nothing_here"),
        new("designer: unknown activity type", "POST", "/elsa/api/workflow-definitions",
            "{\"model\": {\"name\": \"Bad activity\", \"root\": {\"type\": \"Elsa.Flowchart\", \"id\": \"root\", \"activities\": [{\"type\": \"Acme.Teleport\", \"id\": \"a1\"}], \"connections\": []}}}", 400, "Acme.Teleport"),
    ];
}
