using System.Globalization;
using FlowEngine.Simulators;
using static FlowEngine.Cli.Tests.LicenseCliSession;

namespace FlowEngine.Cli.Tests;

/// <summary>
/// License management through the real <c>flowengine</c> program against the vendor simulators: profiles, subscriptions,
/// candidates, reclaim plan and run, entitlements, reconciliation and jobs.
/// </summary>
public sealed class LicenseCliTests
{
    private const string PagerDutyProfile = "PagerDuty Integration";

    [Fact]
    public async Task PagerDuty_WalkThrough_PublishPlanReclaimReconcile_AndClearingActivityGoesBackToDraft()
    {
        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 40, OpenIncidentsEvery = 0 });
        var cli = new Session(new CliRunner());
        var owner = sim.Users.Single(u => u.Role == "owner");

        await cli.OkAsync("aliases", "set", "sn_pagerduty_spoke.PagerDuty", "--url", sim.BaseUrl, "--credential", "api_token", "--secret", $"token={sim.ApiToken}");
        // The account owner cannot be removed in PagerDuty: keep it out of reclamation.
        Assert.Contains("excluded user", (await cli.OkAsync("exclusions", "add", "user", owner.Email)).Out, StringComparison.Ordinal);

        var create = await cli.OkAsync("profiles", "create", "pagerduty", "--name", PagerDutyProfile);
        Assert.Contains("status Draft", create.Out, StringComparison.Ordinal);
        Assert.Contains("sn_pagerduty_spoke.PagerDuty", create.Out, StringComparison.Ordinal);

        var early = await cli.RunAsync(2, "profiles", "publish", PagerDutyProfile);
        Assert.Contains("validate the connection", early.Error, StringComparison.Ordinal);

        Assert.Contains("connection works", (await cli.OkAsync("profiles", "validate", PagerDutyProfile)).Out, StringComparison.Ordinal);
        var publish = await cli.OkAsync("profiles", "publish", PagerDutyProfile);
        Assert.Contains($"subscriptions {sim.Users.Count} added, 0 updated, 0 removed", publish.Out, StringComparison.Ordinal);
        Assert.Contains("software model    PagerDuty, Inc. PagerDuty (created)", publish.Out, StringComparison.Ordinal);
        Assert.Contains("removal candidates", publish.Out, StringComparison.Ordinal);

        var list = await cli.OkAsync("profiles", "list");
        Assert.Contains(Rows(list.Out), r => r[0] == PagerDutyProfile && r[3] == "sn_pagerduty_spoke.PagerDuty" && r[4] == "Published");

        var subscriptions = Rows((await cli.OkAsync("subscriptions", "list", "--profile", PagerDutyProfile)).Out);
        Assert.Equal(sim.Users.Select(u => (u.Id, u.Email.ToLowerInvariant())).Order(), subscriptions.Select(r => (r[0], r[1])).Order());

        var ready = Rows((await cli.OkAsync("candidates", "list", "--profile", PagerDutyProfile, "--state", "Ready")).Out);
        Assert.NotEmpty(ready);
        Assert.All(ready, r => Assert.Equal("Ready", r[2]));
        Assert.DoesNotContain(ready, r => r[1] == owner.Email.ToLowerInvariant());
        var idleIds = ready.Select(r => sim.Users.Single(u => u.Email.Equals(r[1], StringComparison.OrdinalIgnoreCase)).Id).ToList();

        // The plan lists exactly the Ready candidates with their evidence and calls nobody; 40 users, 25% cap.
        var plan = await cli.OkAsync("reclaim", "plan", PagerDutyProfile);
        Assert.Equal(ready.Select(r => r[0]), Rows(plan.Out).Select(r => r[0]));
        Assert.Contains("safety cap of 10", plan.Out, StringComparison.Ordinal);
        var capped = await cli.RunAsync(1, "reclaim", "run", PagerDutyProfile);
        Assert.Contains("stopped, nothing was reclaimed", capped.Error, StringComparison.Ordinal);
        Assert.Equal(0, sim.RequestCount("DELETE", "/users"));

        // One idle user has open incidents now: PagerDuty refuses that one, with its message.
        var busy = idleIds[0];
        sim.SetOpenIncidents(busy, 2);
        var update = await cli.OkAsync("profiles", "update", PagerDutyProfile, "--cap-share", "1");
        Assert.Contains("reclaim cap (share)        0.25 -> 1", update.Out, StringComparison.Ordinal);
        var run = await cli.RunAsync(1, "reclaim", "run", PagerDutyProfile);
        Assert.Contains($"reclaimed {idleIds.Count - 1} of {idleIds.Count} subscription(s)", run.Out, StringComparison.Ordinal);
        Assert.Contains("2 open incidents", run.Out, StringComparison.Ordinal);
        foreach (var id in idleIds.Skip(1))
        {
            Assert.Equal(1, sim.DeleteCount(id));
            Assert.DoesNotContain(sim.Users, u => u.Id == id);
        }

        var attention = await cli.OkAsync("candidates", "list", "--state", "attention required", "--history");
        Assert.Equal([ready[0][0]], Rows(attention.Out).Select(r => r[0]));
        Assert.Contains("Ready -> Awaiting Revocation  by reclaim run: removal being sent to pagerduty", attention.Out, StringComparison.Ordinal);
        Assert.Contains("Awaiting Revocation -> Attention Required  by reclaim run:", attention.Out, StringComparison.Ordinal);

        Assert.Contains("now has 50 right(s)", (await cli.OkAsync("entitlements", "add", "pagerduty", "--rights", "50", "--unit-cost", "120")).Out, StringComparison.Ordinal);
        var reconcile = Rows((await cli.OkAsync("reconcile")).Out).Single();
        var used = sim.Users.Count - 1; // the owner is excluded
        Assert.Equal(["PagerDuty, Inc. PagerDuty", "50", used.ToString(CultureInfo.InvariantCulture), "1", used <= 50 ? "yes" : $"no ({used - 50} over)", "120.00", Money((idleIds.Count - 1) * 120m)], reconcile);

        var jobs = Rows((await cli.OkAsync("jobs", "list")).Out).Select(r => (r[0], r[1], r[2])).ToList();
        Assert.Equal([("SAM - Refresh PagerDuty Integration Activity", "sam", "0 0 3 * * ?"), ("SAM - Refresh PagerDuty Integration Subscriptions", "sam", "0 0 2 * * ?")], jobs);

        var off = await cli.OkAsync("profiles", "update", PagerDutyProfile, "--activity", "false");
        Assert.Contains("status                     Published -> Draft", off.Out, StringComparison.Ordinal);
        Assert.Contains("is back to Draft", off.Out, StringComparison.Ordinal);
        Assert.Contains("job deleted: SAM - Refresh PagerDuty Integration Activity", off.Out, StringComparison.Ordinal);
        Assert.Equal(["SAM - Refresh PagerDuty Integration Subscriptions"], Rows((await cli.OkAsync("jobs", "list")).Out).Select(r => r[0]));

        var show = await cli.OkAsync("profiles", "show", PagerDutyProfile);
        Assert.Contains("status                     Draft", show.Out, StringComparison.Ordinal);
        Assert.Contains($"subscriptions              {sim.Users.Count} ", show.Out, StringComparison.Ordinal);
        Assert.Contains("Attention Required 1", show.Out, StringComparison.Ordinal);
        Assert.Contains("not validated", show.Out, StringComparison.Ordinal);

        cli.AssertNeverShown(sim.ApiToken);
    }
}

/// <summary>The Roadmunk walk-through (its own class, so it runs beside the PagerDuty one).</summary>
public sealed class RoadmunkLicenseCliTests
{
    private const string RoadmunkProfile = "Roadmunk Integration";

    [Fact]
    public async Task Roadmunk_AttachTheUserCsv_PublishReclaim_AndDeleteNeedsYes()
    {
        await using var sim = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = 40 });
        var cli = new Session(new CliRunner());
        var admin = sim.Users.Single(u => u.IsDefaultAdmin);

        await cli.OkAsync("aliases", "set", "sn_roadmunk_spoke.Roadmunk", "--url", sim.BaseUrl, "--credential", "api_token", "--secret", $"token={sim.ApiToken}");
        await cli.OkAsync("exclusions", "add", "user", admin.Email);
        await cli.OkAsync("profiles", "create", "roadmunk", "--name", RoadmunkProfile);

        cli.Runner.Write("users.csv", sim.ExportUsersCsv());
        var attach = await cli.OkAsync("profiles", "attach", RoadmunkProfile, "users.csv");
        Assert.Contains($"attached users.csv ({sim.Users.Count} rows)", attach.Out, StringComparison.Ordinal);
        Assert.Contains("latest attachment          users.csv", (await cli.OkAsync("profiles", "show", RoadmunkProfile)).Out, StringComparison.Ordinal);

        await cli.OkAsync("profiles", "validate", RoadmunkProfile);
        var active = sim.Users.Where(u => u.IsActive).ToList();
        Assert.Contains($"subscriptions {active.Count} added", (await cli.OkAsync("profiles", "publish", RoadmunkProfile)).Out, StringComparison.Ordinal);

        // Only the users active in the attached report.
        var subscriptions = Rows((await cli.OkAsync("subscriptions", "list", "--profile", RoadmunkProfile)).Out);
        Assert.Equal(active.Select(u => u.Id).Order(), subscriptions.Select(r => r[0]).Order());

        var ready = Rows((await cli.OkAsync("candidates", "list", "--profile", RoadmunkProfile, "--state", "Ready")).Out);
        Assert.NotEmpty(ready);
        var idle = ready.Select(r => sim.Users.Single(u => u.Email.Equals(r[1], StringComparison.OrdinalIgnoreCase))).ToList();
        Assert.DoesNotContain(admin, idle);

        await cli.OkAsync("profiles", "update", RoadmunkProfile, "--cap-share", "1");
        var run = await cli.OkAsync("reclaim", "run", RoadmunkProfile);
        Assert.Contains($"reclaimed {idle.Count} of {idle.Count} subscription(s)", run.Out, StringComparison.Ordinal);
        foreach (var user in idle)
        {
            Assert.False(sim.Users.Single(u => u.Id == user.Id).IsActive);
            Assert.Equal(1, sim.InactivateCount(user.Id));
        }

        var refused = await cli.RunAsync(2, "profiles", "delete", RoadmunkProfile);
        Assert.Contains("give --yes", refused.Error, StringComparison.Ordinal);
        Assert.Contains(Rows((await cli.OkAsync("profiles", "list")).Out), r => r[0] == RoadmunkProfile);

        var delete = await cli.OkAsync("profiles", "delete", RoadmunkProfile, "--yes");
        Assert.Contains($"removed  {active.Count - idle.Count} subscription(s), 1 attachment(s) and 2 job(s)", delete.Out, StringComparison.Ordinal);
        Assert.Empty(Rows((await cli.OkAsync("jobs", "list")).Out));
        cli.AssertNeverShown(sim.ApiToken);
    }
}

/// <summary>Reading the CLI's tables, and a runner that checks exit codes.</summary>
internal static class LicenseCliSession
{
    public static string Money(decimal value) => value.ToString("#,0.00", CultureInfo.InvariantCulture);

    /// <summary>The body rows of the tables in the output, as trimmed cells.</summary>
    public static List<string[]> Rows(string output) => output.Split('\n')
        .Where(line => line.StartsWith('│'))
        .Select(line => line.Trim().Trim('│').Split('│').Select(c => c.Trim()).ToArray())
        .Where(cells => !IsHeader(cells))
        .ToList();

    private static bool IsHeader(string[] cells) => cells[0] is "name" or "number" or "external user id" or "software model" or "profile";

    /// <summary>A CLI runner that checks exit codes and keeps every output.</summary>
    internal sealed class Session(CliRunner runner)
    {
        private readonly List<CliRunner.Result> _outputs = [];

        public CliRunner Runner => runner;

        public Task<CliRunner.Result> OkAsync(params string[] args) => RunAsync(0, args);

        public async Task<CliRunner.Result> RunAsync(int expected, params string[] args)
        {
            var result = await runner.RunAsync(args);
            _outputs.Add(result);
            Assert.True(result.ExitCode == expected, $"flowengine {string.Join(' ', args)} exited {result.ExitCode}, expected {expected}:\n{result.All}");
            return result;
        }

        public void AssertNeverShown(string secret)
        {
            foreach (var output in _outputs)
            {
                Assert.DoesNotContain(secret, output.All, StringComparison.Ordinal);
            }
        }
    }
}
