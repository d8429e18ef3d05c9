namespace FlowEngine.BadInput.Tests;

/// <summary>Bad arguments to the real <c>flowengine</c> program and what it must answer.</summary>
/// <param name="Name">What is wrong.</param>
/// <param name="Args">The arguments.</param>
/// <param name="Exit">The exit code it must end with.</param>
/// <param name="Expect">Fragments stderr must contain, separated by <c>|</c>.</param>
/// <param name="Gap">What is still missing when the answer is clear but not as documented (the fix lies outside Commands/).</param>
public sealed record CliCase(string Name, string[] Args, int Exit, string Expect, string? Gap = null)
{
    public override string ToString() => Name;
}

/// <summary>The corpus of bad command lines. Files: bad.json (not JSON), bad.csv (an unterminated quote).</summary>
internal static class CliCases
{
    public static IReadOnlyList<CliCase> All { get; } =
    [
        new("unknown command", ["bogus"], 2, "Unrecognized command or argument 'bogus'"),
        new("unknown option", ["run", "demo.hello_http", "--bogus"], 2, "Unrecognized command or argument '--bogus'"),
        new("timeout not a number", ["run", "demo.hello_http", "--timeout", "soon"], 2, "--timeout 'soon' is not a number of seconds"),
        new("negative timeout", ["run", "demo.hello_http", "--timeout", "-5"], 2, "--timeout '-5' is not a number of seconds above 0"),
        new("take not a number", ["executions", "list", "--take", "lots"], 2, "--take 'lots' is not a whole number"),
        new("rights not a number", ["entitlements", "add", "pagerduty", "--rights", "ten"], 2, "--rights 'ten' is not a whole number"),
        new("missing required option", ["entitlements", "add", "pagerduty"], 2, "--rights"),
        new("input without =", ["run", "demo.hello_http", "--input", "x"], 2, "--input 'x' must be name=value"),
        new("input of the wrong type", ["run", "demo.hello_http", "--input", "times=many"], 2, "input 'times'|must be integer"),
        new("unknown input", ["run", "demo.hello_http", "--input", "colour=blue"], 2, "colour"),
        new("missing input file", ["run", "demo.hello_http", "--input-file", "nope.json"], 2, "--input-file 'nope.json' does not exist"),
        new("input file not JSON", ["run", "demo.hello_http", "--input-file", "bad.json"], 2, "bad.json line 2, column 1|not valid JSON"),
        new("unknown definition", ["run", "demo.hello_htp"], 2, "no definition 'demo.hello_htp'|did you mean"),
        new("unknown version", ["run", "demo.hello_http@9"], 2, "has no version 9"),
        new("unknown execution", ["executions", "show", "nothex"], 2, "no execution 'nothex'"),
        new("unknown stored definition", ["definitions", "versions", "demo.nothing"], 2, "no stored definition 'demo.nothing'"),
        new("unknown profile", ["profiles", "show", "Nobody"], 2, "no integration profile 'Nobody'"),
        new("unknown vendor", ["profiles", "create", "pagerduti", "--name", "X"], 2, "no spoke 'pagerduti'|did you mean 'pagerduty'"),
        new("date that is not a date", ["profiles", "create", "pagerduty", "--name", "X", "--analyze-from", "notadate"], 2, "--analyze-from 'notadate' is not a date"),
        new("unknown alias for a profile", ["profiles", "create", "pagerduty", "--name", "X", "--alias", "sn_nope.Nope"], 2, "sn_nope.Nope"),
        new("cap share above 1", ["profiles", "update", "PD Cli", "--cap-share", "5"], 2, "share from 0 to 1"),
        new("refresh a Draft profile", ["profiles", "refresh", "PD Cli"], 2, "is Draft; validate and publish it first"),
        new("attach a missing file", ["profiles", "attach", "RM Cli", "missing.csv"], 2, "no file 'missing.csv'"),
        new("attach a broken CSV", ["profiles", "attach", "RM Cli", "bad.csv"], 2, "bad.csv line 2, column 1|never closed|nothing was attached"),
        new("delete an unknown profile", ["profiles", "delete", "Nobody", "--yes"], 2, "no integration profile 'Nobody'"),
        new("unknown candidate state", ["candidates", "list", "--state", "Exploded"], 2, "unknown state 'Exploded'"),
        new("reclaim an unknown profile", ["reclaim", "run", "Nobody"], 2, "no integration profile 'Nobody'"),
        new("unknown software model", ["entitlements", "add", "zoom", "--rights", "3"], 2, "no software model 'zoom'"),
        new("unknown profile type", ["exclusions", "add", "identifier", "x", "--profile-type", "Zoom"], 2, "unknown profile type 'Zoom'"),
        new("unknown alias", ["aliases", "set", "sn_nope.Nope", "--url", "http://127.0.0.1:1"], 2, "unknown alias 'sn_nope.Nope'|--parent"),
        new("unknown credential type", ["aliases", "set", "sn_pagerduty_spoke.PagerDuty", "--credential", "magic"], 2, "unknown credential type 'magic'"),
        new("secret without a name", ["aliases", "set", "sn_pagerduty_spoke.PagerDuty", "--secret", "cli-planted-secret-9d2"], 2, "must be name=value"),
        new("secret from an unset variable", ["aliases", "set", "sn_pagerduty_spoke.PagerDuty", "--secret-env", "token=FLOWENGINE_TEST_NOT_SET"], 2, "FLOWENGINE_TEST_NOT_SET is not set"),
        new("test an unknown alias", ["aliases", "test", "sn_nope.Nope"], 2, "unknown alias 'sn_nope.Nope'"),
        new("validate a missing file", ["validate", "nothere.yaml"], 1, "nothere.yaml|no such file or folder"),
    ];
}
