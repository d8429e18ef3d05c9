using FlowEngine.Hosting;
using FlowEngine.Integration.Connections;
using FlowEngine.LicenseManagement;
using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Simulators;
using FlowEngine.Tests.Shared;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Durability.Tests;

/// <summary>
/// Two runs of the same work at the same moment, as two requests or two nodes over one database would start them:
/// downloads of one profile never interleave, and a reclaim happens at most once.
/// </summary>
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task TwoDownloadsOfOneProfileAtOnce_TheSecondIsSkippedOrWaits_NeverInterleaved()
    {
        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 600 });
        var (engine, license) = await OpenAsync(sim);
        await using var _ = license;
        var profile = await license.Profiles.CreateAsync("pagerduty", "Concurrent");
        sim.Faults.DelayNext(100_000, TimeSpan.FromMilliseconds(20));

        var first = license.Profiles.RefreshSubscriptionsAsync(profile.Id, whenRunning: WhenRunning.Skip);
        await WaitForRunningAsync(engine, $"download:{profile.Id}");
        var skipped = await Assert.ThrowsAsync<LicenseException>(() => license.Profiles.RefreshSubscriptionsAsync(profile.Id, whenRunning: WhenRunning.Skip));
        Assert.Contains("skipped: the download subscriptions of 'Concurrent' is already running (execution", skipped.Message, StringComparison.Ordinal);
        var waited = license.Profiles.RefreshSubscriptionsAsync(profile.Id, whenRunning: WhenRunning.Wait);
        var (one, two) = (await first, await waited);

        Assert.True(one.Succeeded && two.Succeeded, one.Execution.Error + two.Execution.Error);
        Assert.True(two.Execution.StartedAt >= one.Execution.EndedAt, "the waiting download started before the first ended");
        await using var db = engine.Store.CreateContext();
        Assert.Equal(600, await db.Subscriptions.CountAsync(s => s.ProfileId == profile.Id));
        Assert.Equal(2, await db.Executions.CountAsync(e => e.ConcurrencyKey == $"download:{profile.Id}"));
    }

    [Fact]
    public async Task TwoReclaimRunsAtTheSameMoment_OneRunsTheOtherIsRefused_EachUserRemovedOnce()
    {
        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 80, OpenIncidentsEvery = 0, InvitationSentEvery = 0 });
        var (engine, license) = await OpenAsync(sim);
        await using var _ = license;
        var profile = await license.Profiles.CreateAsync("pagerduty", "Twice");
        Assert.True((await license.Profiles.ValidateAsync(profile.Id)).Succeeded);
        await license.Profiles.ChangeAsync(profile.Id, reclaimCapCount: 1000, reclaimCapShare: 1.0);
        Assert.True((await license.Profiles.PublishAsync(profile.Id)).Download.Succeeded);
        sim.Faults.DelayNext(100_000, TimeSpan.FromMilliseconds(10));

        // A second service over the same database stands for a second node.
        var otherNode = new ReclaimService(engine.Sam, license.Profiles);
        var runs = await Task.WhenAll(Outcome(license.Reclaim.RunAsync(profile.Id)), Outcome(otherNode.RunAsync(profile.Id)));

        Assert.Single(runs, r => r.Report is not null);
        Assert.Contains("is already running", Assert.Single(runs, r => r.Error is not null).Error, StringComparison.Ordinal);
        await using var db = engine.Store.CreateContext();
        var candidates = await db.Candidates.AsNoTracking().Where(c => c.ProfileId == profile.Id).ToListAsync();
        Assert.NotEmpty(candidates);
        Assert.All(candidates, c => Assert.Equal(CandidateState.ClosedComplete, c.State));
        Assert.All(candidates, c => Assert.Equal(1, sim.DeleteCount(c.ExternalUserId)));

        // Run again: nothing left to do, nothing sent.
        var again = await license.Reclaim.RunAsync(profile.Id);
        Assert.Equal(0, again.Reclaimed);
        Assert.All(candidates, c => Assert.Equal(1, sim.DeleteCount(c.ExternalUserId)));
    }

    private static async Task<(ReclaimReport? Report, string? Error)> Outcome(Task<ReclaimReport> run)
    {
        try
        {
            return (await run, null);
        }
        catch (LicenseException ex)
        {
            return (null, ex.Message);
        }
    }

    private static async Task WaitForRunningAsync(Engine engine, string key)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            await using var db = engine.Store.CreateContext();
            if (await db.Executions.AnyAsync(e => e.ConcurrencyKey == key && e.Status == Runtime.Records.ExecutionStatus.Running))
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException($"no running execution for {key}");
    }

    private static async Task<(Engine Engine, LicenseParts License)> OpenAsync(PagerDutySimulator sim)
    {
        var folder = TestPaths.TempFolder();
        var flows = Path.Combine(folder, "flows");
        TestPaths.CopyFolder(TestPaths.Flows, flows);
        var engine = await Engine.OpenAsync(Path.Combine(folder, "flowengine.db"), CancellationToken.None, flows);
        await engine.Connections.SaveAsync(new ConnectionRecord
        {
            AliasId = "sn_pagerduty_spoke.PagerDuty",
            Url = sim.BaseUrl,
            CredentialType = "api_token",
            Secrets = new Dictionary<string, string> { ["token"] = sim.ApiToken },
        }, CancellationToken.None);
        return (engine, await engine.LicenseAsync(flows, runJobs: false, CancellationToken.None));
    }
}
