using System.Text.Json;
using FlowEngine.Simulators;

namespace FlowEngine.Cli.Tests;

public sealed class AliasesCliTests
{
    private const string Alias = "sn_pagerduty_spoke.PagerDuty";

    [Fact]
    public async Task Aliases_SetListTestRunAndExport_NeverShowTheSecret()
    {
        await using var first = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 15, Subdomain = "first" });
        await using var second = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 9, Subdomain = "second", RandomSeed = 7 });
        var cli = new CliRunner();
        var outputs = new List<CliRunner.Result>();

        async Task<CliRunner.Result> Run(params string[] args)
        {
            var result = await cli.RunAsync(args);
            outputs.Add(result);
            return result;
        }

        var set = await Run("aliases", "set", Alias, "--url", first.BaseUrl, "--credential", "api_token", "--secret", $"token={first.ApiToken}");
        Assert.True(set.ExitCode == 0, set.All);

        var child = await Run("aliases", "set", Alias + "_second", "--parent", Alias, "--url", second.BaseUrl, "--credential", "api_token", "--secret", $"token={second.ApiToken}");
        Assert.True(child.ExitCode == 0, child.All);

        var list = await Run("aliases", "list");
        Assert.Contains("sn_roadmunk_spoke.Roadmunk", list.Out, StringComparison.Ordinal);
        Assert.Contains("token=********", list.Out, StringComparison.Ordinal);
        Assert.Contains($"{Alias}_second", list.Out, StringComparison.Ordinal);

        var test = await Run("aliases", "test", Alias);
        Assert.True(test.ExitCode == 0, test.All);
        Assert.Contains("connection works", test.Error, StringComparison.Ordinal);

        var run = await Run("run", "pagerduty.list_users", "-q");
        Assert.True(run.ExitCode == 0, run.All);
        Assert.Equal(15, JsonDocument.Parse(run.Out).RootElement.GetProperty("count").GetInt32());

        var childTest = await Run("aliases", "test", Alias + "_second");
        Assert.True(childTest.ExitCode == 0, childTest.All);
        Assert.Equal(1, second.RequestCount("GET", "/abilities"));

        var export = await Run("aliases", "export");
        using var exported = JsonDocument.Parse(export.Out);
        Assert.Equal(["token"], exported.RootElement[0].GetProperty("secrets_to_enter").EnumerateArray().Select(e => e.GetString()));

        await Run("aliases", "set", Alias, "--secret", "token=wrong-token-123");
        var rejected = await Run("aliases", "test", Alias);
        Assert.Equal(1, rejected.ExitCode);
        Assert.Contains($"credential for alias {Alias} was rejected (401) by PagerDuty", rejected.Error, StringComparison.Ordinal);

        var show = await Run("executions", "list");
        Assert.Contains("pagerduty.look_up_account@1", show.Out, StringComparison.Ordinal);

        foreach (var output in outputs)
        {
            Assert.DoesNotContain(first.ApiToken, output.All, StringComparison.Ordinal);
            Assert.DoesNotContain(second.ApiToken, output.All, StringComparison.Ordinal);
            Assert.DoesNotContain("wrong-token-123", output.All, StringComparison.Ordinal);
        }

        var database = File.ReadAllBytes(cli.Database);
        Assert.DoesNotContain(first.ApiToken, System.Text.Encoding.UTF8.GetString(database), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Aliases_Consent_CompletesTheOAuthRoundTripThroughTheLocalRedirectEndpoint()
    {
        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 4 });
        var cli = new CliRunner();
        var port = 20000 + Random.Shared.Next(20000);
        var set = await cli.RunAsync("aliases", "set", Alias, "--url", sim.BaseUrl, "--credential", "oauth2_authorization_code",
            "--setting", $"client_id={sim.OAuthClientId}", "--setting", $"authorize_url={sim.AuthorizeUrl}", "--setting", $"token_url={sim.TokenUrl}",
            "--secret", $"client_secret={sim.OAuthClientSecret}");
        Assert.True(set.ExitCode == 0, set.All);

        var consent = await cli.RunAsync("aliases", "consent", Alias, "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--follow");
        Assert.True(consent.ExitCode == 0, consent.All);
        Assert.Contains("tokens stored", consent.Error, StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", consent.Error, StringComparison.Ordinal);
        Assert.Equal(1, sim.TokenRequestCount("authorization_code"));

        var test = await cli.RunAsync("aliases", "test", Alias);
        Assert.True(test.ExitCode == 0, test.All);
        Assert.DoesNotContain(sim.OAuthClientSecret, consent.All + test.All, StringComparison.Ordinal);
    }
}
