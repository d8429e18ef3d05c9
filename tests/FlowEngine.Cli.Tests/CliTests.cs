using System.Text.Json;

namespace FlowEngine.Cli.Tests;

public sealed class CliTests
{
    private const string Secret = "pd-oauth-0123456789abcdef";

    [Fact]
    public async Task Validate_ShippedFlows_ExitsZero()
    {
        var cli = new CliRunner();
        var result = await cli.RunAsync("validate", "flows");
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("0 error(s)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JitProfile_KeptPerCommandWhereTheVariableSays_AndADamagedOneOnlyCostsTheSpeedUp()
    {
        var cli = new CliRunner();
        var profiles = Path.Combine(cli.Folder, "jit");
        cli.Environment[Hosting.JitProfile.DirectoryVariable] = profiles;
        var first = await cli.RunAsync("validate", "flows");
        Assert.True(first.ExitCode == 0, first.All);
        var profile = Path.Combine(profiles, "flowengine-validate.jitprofile");
        Assert.True(new FileInfo(profile).Length > 1000, $"no profile at {profile}");

        // Garbage where the profile was: the runtime refuses it and the command runs as without one, writing a new one.
        await File.WriteAllBytesAsync(profile, [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251))]);
        var damaged = await cli.RunAsync("validate", "flows");
        Assert.True(damaged.ExitCode == 0, damaged.All);
        Assert.Contains("0 error(s)", damaged.Error, StringComparison.Ordinal);

        var off = new CliRunner();
        var unused = Path.Combine(off.Folder, "jit-off");
        off.Environment[Hosting.JitProfile.DirectoryVariable] = "off";
        off.Environment["XDG_CACHE_HOME"] = unused;
        off.Environment["HOME"] = unused;
        var result = await off.RunAsync("validate", "flows");
        Assert.True(result.ExitCode == 0, result.All);
        Assert.False(Directory.Exists(unused), "profiles are off, yet a folder was made");
    }

    [Theory]
    [InlineData(null, "/var/cache/someone", "/var/cache/someone/flowengine/jit")]
    [InlineData("OFF", "/var/cache/someone", null)]
    [InlineData("/srv/flowengine/jit", "/var/cache/someone", "/srv/flowengine/jit")]
    [InlineData("  ", "/var/cache/someone", "/var/cache/someone/flowengine/jit")]
    public void JitProfile_Folder_IsTheUsersCacheUnlessTheVariableSaysOtherwise(string? configured, string cache, string? expected)
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Windows keeps them under LocalApplicationData; XDG_CACHE_HOME means nothing there.
        }

        var variables = new Dictionary<string, string?> { [Hosting.JitProfile.DirectoryVariable] = configured, ["XDG_CACHE_HOME"] = cache };
        Assert.Equal(expected, Hosting.JitProfile.Folder(name => variables.GetValueOrDefault(name)));
    }

    [Fact]
    public async Task Validate_BrokenFiles_ListsEveryErrorWithPositionAndExitsOne()
    {
        var cli = new CliRunner();
        cli.Write("broken/a.yaml", "kind: subflow\nid: demo.a\nversion: 1\nsteps:\n  - id: x\n    lgo: hi\n  - id: y\n    log: \"{{ steps.z }}\"\n");
        cli.Write("broken/b.json", "{ \"kind\": \"subflow\", }");
        var result = await cli.RunAsync("validate", "broken");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("broken/a.yaml:6:5: error FE1005 [step 'x']: no known step type among 'lgo'; did you mean 'log'?", result.Error, StringComparison.Ordinal);
        Assert.Contains("broken/a.yaml:8:14: error FE2002 [step 'y']: no step 'z'\n", result.Error, StringComparison.Ordinal);
        Assert.Contains("broken/b.json:1:22: error FE0001: JSON syntax: The JSON object contains a trailing comma at the end which is not supported.", result.Error, StringComparison.Ordinal);
        Assert.Contains("3 error(s)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_ExampleFlow_PrintsOutputsShowsStepsAndRecordsTheExecution()
    {
        var cli = new CliRunner();
        var run = await cli.RunAsync("run", "demo.idle_report", "--input", $"api_token={Secret}", "--input", "threshold_days=30");
        Assert.True(run.ExitCode == 0, run.All);

        using var outputs = JsonDocument.Parse(run.Out);
        Assert.Equal(["ana@example.com", "cy@example.com"], outputs.RootElement.GetProperty("active_emails").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["bo@example.com", "cy@example.com"], outputs.RootElement.GetProperty("idle").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("✓ classify for_each", run.Error, StringComparison.Ordinal);
        Assert.Contains("token in use: ********", run.Error, StringComparison.Ordinal);
        Assert.Contains("completed in", run.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(cli.Database));

        var list = await cli.RunAsync("executions", "list");
        Assert.Contains("demo.idle_report@1", list.Out, StringComparison.Ordinal);
        Assert.Contains("completed", list.Out, StringComparison.Ordinal);

        var id = run.Error.Split("execution ")[1][..36];
        var show = await cli.RunAsync("executions", "show", id[..8]);
        Assert.True(show.ExitCode == 0, show.All);
        Assert.Contains("require_email", show.Out, StringComparison.Ordinal);
        Assert.Matches(@"✓ active call[^\n]*\n│ +├── ✓ set_\d+ set", show.Out);
        Assert.Contains("✓ pick for_each", show.Out, StringComparison.Ordinal);
        var values = await cli.RunAsync("executions", "show", id, "--values");
        Assert.Contains("\"api_token\":\"********\"", values.Out, StringComparison.Ordinal);
        Assert.Contains("\"message\":\"token in use: ********\"", values.Out, StringComparison.Ordinal);

        foreach (var text in new[] { run.All, list.All, show.All, values.All })
        {
            Assert.DoesNotContain(Secret, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Run_FailingFlow_ExitsOneAndNamesTheStep()
    {
        var cli = new CliRunner();
        cli.Write("flows/t/fails.yaml", "kind: flow\nid: demo.fails\nversion: 1\ninputs:\n  user: { type: object }\nsteps:\n  - id: read\n    log: \"{{ inputs.user.address.city }}\"\n");
        var result = await cli.RunAsync("run", "demo.fails", "-i", "user={\"name\":\"ana\"}");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("step 'read': in '{{ inputs.user.address.city }}': cannot read 'city' of null", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FileOutsideFlows_RunsIt()
    {
        var cli = new CliRunner();
        cli.Write("scratch/sum.yaml", "kind: subflow\nid: scratch.sum\nversion: 1\ninputs:\n  a: integer\n  b: integer\noutputs:\n  sum: integer\nsteps:\n  - outputs: { sum: \"{{ inputs.a + inputs.b }}\" }\n");
        var result = await cli.RunAsync("run", "scratch/sum.yaml", "-i", "a=2", "-i", "b=40", "-q");
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Equal(42, JsonDocument.Parse(result.Out).RootElement.GetProperty("sum").GetInt32());
    }

    [Fact]
    public async Task Definitions_EditWithoutBump_IsRefused_AndBumpAddsAVersion()
    {
        var cli = new CliRunner();
        Assert.Equal(0, (await cli.RunAsync("definitions", "load")).ExitCode);
        var path = Path.Combine(cli.Folder, "flows", "examples", "active_emails.yaml");
        var edited = File.ReadAllText(path).Replace("Picks the lower-cased", "Picks the", StringComparison.Ordinal);
        File.WriteAllText(path, edited);

        var refused = await cli.RunAsync("definitions", "load");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("flows/examples/active_emails.yaml:6:10: error FE4001", refused.Error, StringComparison.Ordinal);
        Assert.Contains("set 'version: 2'", refused.Error, StringComparison.Ordinal);

        File.WriteAllText(path, edited.Replace("version: 1", "version: 2", StringComparison.Ordinal));
        var loaded = await cli.RunAsync("definitions", "load");
        Assert.True(loaded.ExitCode == 0, loaded.All);
        Assert.Contains("added     demo.active_emails@2", loaded.Error, StringComparison.Ordinal);
        Assert.Contains("unchanged demo.idle_report@1", loaded.Error, StringComparison.Ordinal);

        var versions = await cli.RunAsync("definitions", "versions", "demo.active_emails");
        Assert.Matches(@"│ 1\s+│ published │ [0-9a-f]{12}", versions.Out);
        Assert.Matches(@"│ 2\s+│ published │ [0-9a-f]{12}", versions.Out);
        var list = await cli.RunAsync("definitions", "list");
        Assert.Contains("demo.idle_report", list.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownDefinition_SuggestsAndExitsTwo()
    {
        var cli = new CliRunner();
        var result = await cli.RunAsync("run", "demo.idle_reprot");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("did you mean 'demo.idle_report'?", result.Error, StringComparison.Ordinal);
    }
}
