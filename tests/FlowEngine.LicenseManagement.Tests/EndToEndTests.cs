using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Simulators;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.LicenseManagement.Tests;

public sealed class EndToEndTests
{
    [Fact]
    public async Task PagerDuty_CreateValidatePublish_DownloadActivityCandidatesReclaim_AndRerunChangesNothing()
    {
        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 60, OpenIncidentsEvery = 0, InvitationSentEvery = 12 });
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);
        var started = DateTimeOffset.UtcNow;

        var profile = await harness.PublishAsync("pagerduty", "PagerDuty Integration");

        Assert.Equal(ProfileStatus.Published, profile.Status);
        Assert.Equal(
            [ProfileService.ActivityJob("PagerDuty Integration"), ProfileService.SubscriptionsJob("PagerDuty Integration")],
            harness.Listed.Jobs.Keys.Order());
        var subscriptions = await harness.SubscriptionsAsync(profile.Id);
        Assert.Equal(sim.Users.Select(u => u.Id).Order(), subscriptions.Select(s => s.ExternalUserId));
        Assert.All(subscriptions, s => Assert.Equal(sim.Users.Single(u => u.Id == s.ExternalUserId).Email.ToLowerInvariant(), s.UserPrincipalName));

        // Last activity = the latest time each user was on call since the look-back, capped at now.
        var since = profile.AnalyzeActivityFrom;
        foreach (var subscription in subscriptions)
        {
            var entries = sim.OnCalls.Where(o => o.UserId == subscription.ExternalUserId && o.Overlaps(since, started)).ToList();
            if (entries.Count == 0)
            {
                Assert.Null(subscription.LastActivity);
            }
            else if (entries.All(e => e.End is { } end && end < started))
            {
                Assert.Equal(entries.Max(e => e.End!.Value), subscription.LastActivity);
            }
            else
            {
                Assert.True(subscription.LastActivity >= started.AddSeconds(-1), $"{subscription.ExternalUserId} is on call now");
            }
        }

        // Idle past 60 days, not invited recently: candidates, Ready.
        var cutoff = DateTimeOffset.UtcNow.AddDays(-60);
        var invited = sim.Users.Where(u => u.InvitationSent).Select(u => u.Id).ToHashSet();
        var expectedIdle = subscriptions.Where(s => (s.LastActivity is null || s.LastActivity < cutoff) && !invited.Contains(s.ExternalUserId)).Select(s => s.ExternalUserId).Order().ToList();
        var candidates = await harness.CandidatesAsync(profile.Id);
        Assert.NotEmpty(expectedIdle);
        Assert.Equal(expectedIdle, candidates.Select(c => c.ExternalUserId).Order());
        Assert.All(candidates, c => Assert.Equal(CandidateState.Ready, c.State));

        // One idle user has open incidents: PagerDuty refuses, the candidate needs attention with PagerDuty's message.
        var busy = candidates.First(c => sim.Users.Single(u => u.Id == c.ExternalUserId).Role != "owner").ExternalUserId;
        sim.SetOpenIncidents(busy, 2);
        var owner = sim.Users.Single(u => u.Role == "owner").Id;
        await harness.Profiles.ChangeAsync(profile.Id, reclaimCapCount: 1000, reclaimCapShare: 1.0);

        var report = await harness.Reclaim.RunAsync(profile.Id);

        Assert.Null(report.StoppedBecause);
        var failedIds = new[] { busy }.Concat(expectedIdle.Contains(owner) ? [owner] : []).ToHashSet();
        Assert.Equal(expectedIdle.Count - failedIds.Count, report.Reclaimed);
        candidates = await harness.CandidatesAsync(profile.Id);
        var attention = candidates.Single(c => c.ExternalUserId == busy);
        Assert.Equal(CandidateState.AttentionRequired, attention.State);
        Assert.Contains("2 open incidents", attention.ErrorMessage, StringComparison.Ordinal);
        foreach (var done in candidates.Where(c => !failedIds.Contains(c.ExternalUserId)))
        {
            Assert.Equal(CandidateState.ClosedComplete, done.State);
            Assert.DoesNotContain(sim.Users, u => u.Id == done.ExternalUserId);
            Assert.Equal(1, sim.DeleteCount(done.ExternalUserId));
        }

        var remaining = await harness.SubscriptionsAsync(profile.Id);
        Assert.Equal(sim.Users.Select(u => u.Id).Order(), remaining.Select(s => s.ExternalUserId));

        // Running everything again changes nothing: same subscriptions, no new candidates, no second DELETE.
        var deletesBefore = sim.DeleteCounts.Values.Sum();
        Assert.True((await harness.Profiles.RefreshSubscriptionsAsync(profile.Id)).Succeeded);
        Assert.True((await harness.Profiles.RefreshActivityAsync(profile.Id)).Succeeded);
        var again = await harness.Reclaim.RunAsync(profile.Id);
        Assert.Equal(0, again.Reclaimed);
        Assert.Equal(deletesBefore, sim.DeleteCounts.Values.Sum());
        Assert.Equal(candidates.Select(c => (c.Number, c.State)), (await harness.CandidatesAsync(profile.Id)).Select(c => (c.Number, c.State)));
        var after = await harness.SubscriptionsAsync(profile.Id);
        Assert.Equal(remaining.Select(s => s.ExternalUserId), after.Select(s => s.ExternalUserId));
        // Last activity only moves forward: users on call right now get the new "now", everyone else keeps theirs.
        Assert.All(remaining.Zip(after), pair => Assert.True(pair.Second.LastActivity >= pair.First.LastActivity || pair.First.LastActivity is null && pair.Second.LastActivity is null));
    }

    [Fact]
    public async Task Roadmunk_CsvFilter_LastLoginActivity_NewAccountGuard_AndReclaimByInactivating()
    {
        await using var sim = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = 50 });
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);
        var profile = await harness.Profiles.CreateAsync("roadmunk", "Roadmunk Integration");
        await harness.Profiles.AttachAsync(profile.Id, "users.csv", sim.ExportUsersCsv());
        Assert.True((await harness.Profiles.ValidateAsync(profile.Id)).Succeeded);
        await harness.Profiles.PublishAsync(profile.Id);

        var subscriptions = await harness.SubscriptionsAsync(profile.Id);
        Assert.Equal(sim.Users.Where(u => u.IsActive).Select(u => u.Id).Order(), subscriptions.Select(s => s.ExternalUserId));
        Assert.All(subscriptions, s => Assert.Equal(sim.Users.Single(u => u.Id == s.ExternalUserId).CreatedAt, s.ExternalCreated));

        var cutoff = DateTimeOffset.UtcNow.AddDays(-60);
        var expected = subscriptions.Where(s => (s.LastActivity is null || s.LastActivity < cutoff) && s.ExternalCreated <= cutoff).Select(s => s.ExternalUserId).Order().ToList();
        var candidates = await harness.CandidatesAsync(profile.Id);
        Assert.Equal(expected, candidates.Select(c => c.ExternalUserId).Order());
        Assert.Contains(subscriptions, s => s.ExternalCreated > cutoff && s.LastActivity is null);

        await harness.Profiles.ChangeAsync(profile.Id, reclaimCapCount: 1000, reclaimCapShare: 1.0);
        var report = await harness.Reclaim.RunAsync(profile.Id);
        var admin = sim.Users.Single(u => u.IsDefaultAdmin).Id;
        Assert.Equal(expected.Count(id => id != admin), report.Reclaimed);
        foreach (var id in expected.Where(id => id != admin))
        {
            Assert.False(sim.Users.Single(u => u.Id == id).IsActive);
            Assert.Equal(1, sim.InactivateCount(id));
        }

        // Without the CSV (a new download with no attachment would keep everyone); the newest attachment wins.
        await harness.Profiles.AttachAsync(profile.Id, "users-now.csv", sim.ExportUsersCsv());
        Assert.True((await harness.Profiles.RefreshSubscriptionsAsync(profile.Id)).Succeeded);
        Assert.Equal(sim.Users.Where(u => u.IsActive).Select(u => u.Id).Order(), (await harness.SubscriptionsAsync(profile.Id)).Select(s => s.ExternalUserId));
    }
}
