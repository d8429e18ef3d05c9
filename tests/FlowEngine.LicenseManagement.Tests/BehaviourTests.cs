using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Web;
using FlowEngine.Integration.Connections;
using FlowEngine.Persistence;
using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Runtime.Records;
using FlowEngine.Simulators;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace FlowEngine.LicenseManagement.Tests;

/// <summary>
/// One test per behaviour of domain.md §5 ("Behaviours the runtime must reproduce"), each named after it and checked
/// the way a user would: database rows, simulator counters, jobs and execution records.
/// </summary>
public sealed class BehaviourTests
{
    // B01 -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task B01_LeastPrivilege_ReadScopesSufficeForDownloadAndActivity_WriteOnlyForReclaim()
    {
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(8));
        var harness = await SamHarness.CreateAsync();
        // Scoped OAuth app token with the spoke's default scopes: as_account-us.acme users.read oncalls.read (no write).
        await harness.Connections.SaveAsync(ClientCredentials(sim), default);

        var profile = await harness.PublishAsync("pagerduty", "PagerDuty Read Only");

        var granted = (await harness.Connections.GetAsync(SamHarness.PagerDutyAlias, default))!.GrantedScopes!.Split(' ');
        Assert.Contains("users.read", granted);
        Assert.Contains("oncalls.read", granted);
        Assert.DoesNotContain(granted, s => s == "write" || s.EndsWith(".write", StringComparison.Ordinal));
        Assert.Equal(sim.Users.Select(u => u.Id).Order(), (await harness.SubscriptionsAsync(profile.Id)).Select(s => s.ExternalUserId));
        var idle = sim.Users.Where(u => u.Number != 1).Select(u => u.Id).Order().ToList();
        Assert.Equal(idle, (await harness.CandidatesAsync(profile.Id)).Select(c => c.ExternalUserId).Order());

        // Reclaim is the only process that needs write: with read scopes PagerDuty answers 403 and nobody is removed.
        await RaiseCapsAsync(harness, profile.Id);
        var denied = await harness.Reclaim.RunAsync(profile.Id);
        Assert.Equal(0, denied.Reclaimed);
        Assert.Equal(idle.Count, denied.Failed.Count);
        Assert.All(denied.Failed, f => Assert.Contains("reclaim needs the write or users.write scope", f.Message, StringComparison.Ordinal));
        Assert.Equal(8, sim.Users.Count);
        Assert.All(await harness.CandidatesAsync(profile.Id), c =>
        {
            Assert.Equal(CandidateState.AttentionRequired, c.State);
            Assert.Contains("403", c.ErrorMessage, StringComparison.Ordinal);
        });
        Assert.Equal(8, (await harness.SubscriptionsAsync(profile.Id)).Count);

        // The admin grants users.write. Not implemented: an operation that puts a fixed candidate back to Ready
        // (domain §1.7 "becomes Ready again once fixed"); the operator does it on the row here.
        await harness.Connections.SaveAsync(ClientCredentials(sim, $"{sim.AsAccountScope} users.read oncalls.read users.write"), default);
        await ChangeRowsAsync(harness, async db =>
        {
            foreach (var candidate in await db.Candidates.Where(c => c.State == CandidateState.AttentionRequired).ToListAsync())
            {
                candidate.State = CandidateState.Ready;
            }
        });

        var reclaimed = await harness.Reclaim.RunAsync(profile.Id);

        Assert.Equal(idle.Count, reclaimed.Reclaimed);
        Assert.Empty(reclaimed.Failed);
        Assert.Equal([sim.Users.Single(u => u.Number == 1).Id], sim.Users.Select(u => u.Id));
        Assert.All(await harness.CandidatesAsync(profile.Id), c => Assert.Equal(CandidateState.ClosedComplete, c.State));
        Assert.Equal(2, sim.TokenRequestCount("client_credentials"));

        // Each removal's idempotency record: refused once, then a second attempt that succeeded; and each candidate's
        // history ends with the claim and the outcome, each from the state it was in.
        var records = await harness.QueryAsync(db => db.IdempotencyRecords.AsNoTracking().ToListAsync());
        Assert.Equal(idle.Count, records.Count);
        Assert.All(records, r => Assert.Equal((IdempotencyState.Succeeded, 2, true), (r.State, r.Attempts, r.EndedAt is not null)));
        var history = await harness.QueryAsync(db => db.CandidateHistory.AsNoTracking().OrderBy(h => h.Id).ToListAsync());
        Assert.All((await harness.CandidatesAsync(profile.Id)).Select(c => history.Where(h => h.CandidateId == c.Id).Select(h => (h.From, h.To)).TakeLast(2).ToList()), steps =>
            Assert.Equal([(CandidateState.Ready, CandidateState.AwaitingRevocation), (CandidateState.AwaitingRevocation, CandidateState.ClosedComplete)], steps));

        // Roadmunk: one Account Admin API token (no scopes) serves validation, download, activity and reclaim.
        await using var roadmunk = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = 12 });
        await harness.ConnectAsync(roadmunk);
        var rm = await harness.PublishAsync("roadmunk", "Roadmunk One Token");
        await RaiseCapsAsync(harness, rm.Id);
        var rmCandidates = await harness.CandidatesAsync(rm.Id);
        Assert.NotEmpty(rmCandidates);
        var rmReport = await harness.Reclaim.RunAsync(rm.Id);
        var admin = roadmunk.Users.Single(u => u.IsDefaultAdmin).Id;
        Assert.Equal(rmCandidates.Count(c => c.ExternalUserId != admin), rmReport.Reclaimed);
        Assert.All(rmReport.Failed, f => Assert.Equal(admin, rmCandidates.Single(c => c.Number == f.Number).ExternalUserId));
        var rmConnection = (await harness.Connections.GetAsync(SamHarness.RoadmunkAlias, default))!;
        Assert.Equal("api_token", rmConnection.CredentialType);
        Assert.Null(rmConnection.GrantedScopes);
    }

    // B02 -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task B02_ValidateConnection_CallsDownloadAndActivityApis_NeverReclaim()
    {
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(5));
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);
        var profile = await harness.Profiles.CreateAsync("pagerduty", "PD Validate");

        var notYet = await Assert.ThrowsAsync<LicenseException>(() => harness.Profiles.PublishAsync(profile.Id));
        Assert.Contains("validate the connection of 'PD Validate' first", notYet.Message, StringComparison.Ordinal);
        Assert.Equal(0, sim.RequestCount("/"));

        var outcome = await harness.Profiles.ValidateAsync(profile.Id);

        Assert.True(outcome.Succeeded, outcome.Execution.Error);
        Assert.Equal(1, sim.RequestCount("GET", "/users"));
        Assert.Equal(1, sim.RequestCount("GET", "/oncalls"));
        Assert.Equal(0, sim.RequestCount("DELETE", "/"));
        Assert.Equal(2, sim.RequestCount("/"));
        Assert.Empty(await harness.SubscriptionsAsync(profile.Id));
        Assert.Empty(await harness.CandidatesAsync(profile.Id));
        var validated = await harness.Profiles.FindAsync("PD Validate");
        Assert.True(validated.ValidationSucceeded);
        Assert.NotNull(validated.ValidatedAt);
        Assert.Equal(ProfileStatus.Draft, validated.Status);

        // The activity API is not allowed (users.read only): validation fails, and Publish is refused with the reason.
        await harness.Connections.SaveAsync(ClientCredentials(sim, $"{sim.AsAccountScope} users.read"), default);
        var failed = await harness.Profiles.ValidateAsync(profile.Id);
        Assert.False(failed.Succeeded);
        Assert.Contains("403", failed.Execution.Error, StringComparison.Ordinal);
        Assert.Contains("/oncalls", failed.Execution.Error, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<LicenseException>(() => harness.Profiles.PublishAsync(profile.Id));
        Assert.Contains("the last validation of 'PD Validate' failed", refused.Message, StringComparison.Ordinal);
        Assert.Contains("403", refused.Message, StringComparison.Ordinal);
        Assert.False((await harness.Profiles.FindAsync("PD Validate")).ValidationSucceeded);

        // Read on both APIs is enough to validate and publish; still no DELETE was ever sent.
        await harness.Connections.SaveAsync(ClientCredentials(sim), default);
        Assert.True((await harness.Profiles.ValidateAsync(profile.Id)).Succeeded);
        var (download, _) = await harness.Profiles.PublishAsync(profile.Id);
        Assert.True(download.Succeeded, download.Execution.Error);
        Assert.Equal(0, sim.RequestCount("DELETE", "/"));

        // Roadmunk: the account query and one user (download and activity API), never the inactivate mutation.
        await using var roadmunk = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = 5 });
        await harness.ConnectAsync(roadmunk);
        var rm = await harness.Profiles.CreateAsync("roadmunk", "RM Validate");
        Assert.True((await harness.Profiles.ValidateAsync(rm.Id)).Succeeded);
        Assert.Equal(2, roadmunk.RequestCount()); // query { account { id } }, then one page of one user
        Assert.Equal(1, roadmunk.OperationCount("users"));
        Assert.Equal(0, roadmunk.OperationCount("inactivateUser"));
        Assert.Empty(await harness.SubscriptionsAsync(rm.Id));
    }

    // B03 -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task B03_ProfileStateMachine_ClearingDownloadActivity_BackToDraft_ActivityJobDeleted_RevalidateToPublish()
    {
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(5));
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);
        const string Name = "PD States";
        var subscriptionsJob = ProfileService.SubscriptionsJob(Name);
        var activityJob = ProfileService.ActivityJob(Name);

        var profile = await harness.Profiles.CreateAsync("pagerduty", Name);
        Assert.Equal(ProfileStatus.Draft, profile.Status);
        Assert.True(profile.DownloadSubscriptions);
        Assert.Empty(harness.Listed.Jobs);

        Assert.True((await harness.Profiles.ValidateAsync(profile.Id)).Succeeded);
        await harness.Profiles.PublishAsync(profile.Id);
        Assert.Equal(ProfileStatus.Published, (await harness.Profiles.FindAsync(Name)).Status);
        Assert.Equal([activityJob, subscriptionsJob], harness.Listed.Jobs.Keys.Order());

        var changed = await harness.Profiles.ChangeAsync(profile.Id, downloadActivity: false);

        Assert.Equal(ProfileStatus.Draft, changed.Status);
        Assert.False(changed.DownloadActivity);
        Assert.Null(changed.ValidationSucceeded);
        Assert.Null(changed.ValidatedAt);
        Assert.Contains("validate and publish again", changed.ValidationMessage, StringComparison.Ordinal);
        Assert.Equal([subscriptionsJob], harness.Listed.Jobs.Keys);
        var off = await Assert.ThrowsAsync<LicenseException>(() => harness.Profiles.RefreshActivityAsync(profile.Id));
        Assert.Contains("Download Activity is off", off.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<LicenseException>(() => harness.Profiles.PublishAsync(profile.Id));

        Assert.True((await harness.Profiles.ValidateAsync(profile.Id)).Succeeded);
        var (download, activity) = await harness.Profiles.PublishAsync(profile.Id);

        Assert.True(download.Succeeded, download.Execution.Error);
        Assert.Null(activity);
        var republished = await harness.Profiles.FindAsync(Name);
        Assert.Equal(ProfileStatus.Published, republished.Status);
        Assert.True(republished.DownloadSubscriptions);
        Assert.Equal([subscriptionsJob], harness.Listed.Jobs.Keys);
        Assert.Single(await harness.Executions.ListAsync("pagerduty.sam.update_user_activity", 100, default));

        // Turning Download Activity on again on a published profile brings the activity job back.
        var again = await harness.Profiles.ChangeAsync(profile.Id, downloadActivity: true);
        Assert.Equal(ProfileStatus.Published, again.Status);
        Assert.Equal([activityJob, subscriptionsJob], harness.Listed.Jobs.Keys.Order());
        // Download subscriptions is always on: neither CreateAsync nor ChangeAsync can clear it.
        Assert.True(again.DownloadSubscriptions);
    }

    // B04 -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task B04_Publish_CreatesModelRuleAndJobs_RunsDownloadThenActivity()
    {
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(6));
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);
        const string Name = "PagerDuty Integration";

        var profile = await harness.PublishAsync("pagerduty", Name);

        var model = Assert.Single(await harness.QueryAsync(db => db.SoftwareModels.AsNoTracking().ToListAsync()));
        Assert.Equal(("PagerDuty, Inc. PagerDuty", "PagerDuty, Inc.", "PagerDuty", "pagerduty"), (model.Name, model.Publisher, model.Product, model.Identifier));
        Assert.Equal(model.Id, profile.SoftwareModelId);
        var rule = Assert.Single(await harness.QueryAsync(db => db.Rules.AsNoTracking().ToListAsync()));
        Assert.Equal((profile.Id, model.Id, 60, false), (rule.ProfileId!.Value, rule.SoftwareModelId!.Value, rule.LastActivityThresholdDays, rule.NotifyUser));
        Assert.Equal($"{Name} reclamation rule", rule.Name);

        var subscriptionsJob = harness.Listed.Jobs[ProfileService.SubscriptionsJob(Name)];
        Assert.Equal(ProfileService.SubscriptionsCron, subscriptionsJob.Cron);
        Assert.Equal(profile.Id.ToString(), subscriptionsJob.Data["profile_id"]);
        Assert.Equal("subscriptions", subscriptionsJob.Data["kind"]);
        var activityJob = harness.Listed.Jobs[ProfileService.ActivityJob(Name)];
        Assert.Equal(ProfileService.ActivityCron, activityJob.Cron);
        Assert.Equal("activity", activityJob.Data["kind"]);

        // The download ran straight away, then the activity subflow, after the download had finished.
        var download = Assert.Single(await harness.Executions.ListAsync("pagerduty.sam.download_subscriptions", 100, default));
        var activity = Assert.Single(await harness.Executions.ListAsync("pagerduty.sam.update_user_activity", 100, default));
        Assert.Equal((ExecutionStatus.Completed, ExecutionStatus.Completed), (download.Status, activity.Status));
        Assert.Equal($"profile:{Name}", download.TriggeredBy);
        Assert.True(activity.StartedAt >= download.EndedAt, $"activity started {activity.StartedAt:O}, download ended {download.EndedAt:O}");
        var subscriptions = await harness.SubscriptionsAsync(profile.Id);
        Assert.Equal(6, subscriptions.Count);
        Assert.All(subscriptions, s => Assert.Equal(model.Id, s.SoftwareModelId));
        Assert.Equal(5, (await harness.CandidatesAsync(profile.Id)).Count);

        // A second profile of the same vendor reuses the model, gets its own rule, and no activity job or run when
        // Download Activity is off.
        var second = await harness.PublishAsync("pagerduty", "PagerDuty Second", activity: false);
        Assert.Equal(model.Id, second.SoftwareModelId);
        Assert.Single(await harness.QueryAsync(db => db.SoftwareModels.AsNoTracking().ToListAsync()));
        Assert.Equal(2, await harness.QueryAsync(db => db.Rules.CountAsync(r => r.LastActivityThresholdDays == 60)));
        Assert.Equal(
            [ProfileService.ActivityJob(Name), ProfileService.SubscriptionsJob(Name), ProfileService.SubscriptionsJob("PagerDuty Second")],
            harness.Listed.Jobs.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(2, (await harness.Executions.ListAsync("pagerduty.sam.download_subscriptions", 100, default)).Count);
        Assert.Single(await harness.Executions.ListAsync("pagerduty.sam.update_user_activity", 100, default));
    }

    // B05 -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task B05_LookBack_WithinSixtyDays_PassedAsLookBackTime()
    {
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(5));
        var now = DateTimeOffset.UtcNow;
        var (inWindow, beforeWindow, overlapping) = (User(sim, 2), User(sim, 3), User(sim, 4));
        var inWindowEnd = Seconds(now.AddDays(-20));
        var beforeWindowEnd = Seconds(now.AddDays(-40));
        var overlappingEnd = Seconds(now.AddDays(-28));
        sim.AddOnCall(OnCall(inWindow, now.AddDays(-25), inWindowEnd));
        sim.AddOnCall(OnCall(beforeWindow, now.AddDays(-45), beforeWindowEnd));
        sim.AddOnCall(OnCall(overlapping, now.AddDays(-35), overlappingEnd));
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);

        var tooFar = await Assert.ThrowsAsync<LicenseException>(() => harness.Profiles.CreateAsync("pagerduty", "Too far", analyzeFrom: now.AddDays(-61)));
        Assert.Contains("within the last 60 days", tooFar.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<LicenseException>(() => harness.Profiles.CreateAsync("pagerduty", "Future", analyzeFrom: now.AddHours(1)));
        var byDefault = await harness.Profiles.CreateAsync("pagerduty", "Default look-back");
        Assert.InRange(byDefault.AnalyzeActivityFrom, now.AddDays(-60).AddMinutes(-1), DateTimeOffset.UtcNow.AddDays(-60));

        var lookBack = Seconds(now.AddDays(-30));
        var profile = await harness.Profiles.CreateAsync("pagerduty", "PD Look-back", analyzeFrom: lookBack);
        Assert.Equal(lookBack, profile.AnalyzeActivityFrom);
        Assert.True((await harness.Profiles.ValidateAsync(profile.Id)).Succeeded);
        var (_, activity) = await harness.Profiles.PublishAsync(profile.Id);

        // The activity subflow got it as look_back_time, and asked PagerDuty for on-calls since then.
        Assert.True(activity!.Succeeded, activity.Execution.Error);
        var record = (await harness.Executions.GetAsync(activity.Execution.Id, default))!;
        Assert.Equal(lookBack, DateTimeOffset.Parse(Json(record.InputsJson).GetProperty("look_back_time").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        var onCallsRequest = Assert.Single(record.Steps, s => s.Type == "rest");
        Assert.Contains($"since={lookBack.UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}", QueryOf(onCallsRequest));

        // Events are taken from the look-back time, not from the profile's creation (all three ended before it).
        var subscriptions = await harness.SubscriptionsAsync(profile.Id);
        Assert.Equal(inWindowEnd, Subscription(subscriptions, inWindow).LastActivity);
        Assert.Equal(overlappingEnd, Subscription(subscriptions, overlapping).LastActivity);
        Assert.Null(Subscription(subscriptions, beforeWindow).LastActivity);
        Assert.True(profile.CreatedAt > inWindowEnd);

        // Moving the look-back further back (still within 60 days) picks up the older shift; past 60 days is refused.
        await Assert.ThrowsAsync<LicenseException>(() => harness.Profiles.ChangeAsync(profile.Id, analyzeFrom: now.AddDays(-61)));
        await harness.Profiles.ChangeAsync(profile.Id, analyzeFrom: now.AddDays(-50));
        Assert.True((await harness.Profiles.RefreshActivityAsync(profile.Id)).Succeeded);
        Assert.Equal(beforeWindowEnd, Subscription(await harness.SubscriptionsAsync(profile.Id), beforeWindow).LastActivity);
    }

    // B06 -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task B06_ActivityUpdate_IsMonotonic()
    {
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(4));
        var now = DateTimeOffset.UtcNow;
        var user = User(sim, 2);
        var latest = Seconds(now.AddDays(-2));
        // Sorted by start, the long shift (ending 2 days ago) comes first and the older one after it.
        sim.AddOnCall(OnCall(user, now.AddDays(-40), latest));
        sim.AddOnCall(OnCall(user, now.AddDays(-30), now.AddDays(-25)));
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);

        var profile = await harness.PublishAsync("pagerduty", "PD Monotonic");

        Assert.Equal(latest, Subscription(await harness.SubscriptionsAsync(profile.Id), user).LastActivity);

        // A later value already stored (another activity source, an operator) is never moved back by the vendor's
        // older on-calls, neither by the activity run nor by a new download.
        var later = Seconds(DateTimeOffset.UtcNow.AddHours(-1));
        await ChangeRowsAsync(harness, async db => (await db.Subscriptions.SingleAsync(s => s.ProfileId == profile.Id && s.ExternalUserId == user)).LastActivity = later);
        var stamped = Subscription(await harness.SubscriptionsAsync(profile.Id), user).UpdatedAt;
        Assert.True((await harness.Profiles.RefreshActivityAsync(profile.Id)).Succeeded);
        Assert.True((await harness.Profiles.RefreshSubscriptionsAsync(profile.Id)).Succeeded);
        var kept = Subscription(await harness.SubscriptionsAsync(profile.Id), user);
        Assert.Equal(later, kept.LastActivity);
        Assert.Equal(stamped, kept.UpdatedAt);

        // A newer on-call moves it forward.
        sim.AddOnCall(OnCall(user, DateTimeOffset.UtcNow.AddMinutes(-30), DateTimeOffset.UtcNow.AddHours(2)));
        var moved = await harness.Profiles.RefreshActivityAsync(profile.Id);
        Assert.True(moved.Succeeded, moved.Execution.Error);
        Assert.True(Subscription(await harness.SubscriptionsAsync(profile.Id), user).LastActivity > later);
        Assert.Equal(2L, moved.Outputs["updated"]); // this user and the owner, who is on call permanently
    }

    // B07 -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task B07_CandidatesCreated_EvenWhenReclaimOff_NoVendorCall()
    {
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(6));
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);

        var profile = await harness.PublishAsync("pagerduty", "PD No Reclaim", reclaim: false);

        Assert.False(profile.ReclaimSubscriptions);
        var candidates = await harness.CandidatesAsync(profile.Id);
        Assert.Equal(sim.Users.Where(u => u.Number != 1).Select(u => u.Id).Order(), candidates.Select(c => c.ExternalUserId).Order());
        Assert.All(candidates, c => Assert.Equal(CandidateState.Ready, c.State));

        await RaiseCapsAsync(harness, profile.Id);
        var requests = sim.RequestCount("/");
        var plan = await harness.Reclaim.PlanAsync(profile.Id);
        var report = await harness.Reclaim.RunAsync(profile.Id);

        Assert.False(plan.ReclaimEnabled);
        Assert.Equal(5, plan.Planned.Count);
        Assert.Contains("Reclaim subscriptions is off for 'PD No Reclaim'", report.StoppedBecause, StringComparison.Ordinal);
        Assert.Equal(0, report.Reclaimed);
        Assert.Equal(requests, sim.RequestCount("/"));
        Assert.Equal(0, sim.RequestCount("DELETE", "/"));
        Assert.Empty(await harness.Executions.ListAsync("pagerduty.sam.reclaim_subscription", 100, default));
        Assert.Equal(candidates.Select(c => (c.Number, c.State, c.UpdatedAt)), (await harness.CandidatesAsync(profile.Id)).Select(c => (c.Number, c.State, c.UpdatedAt)));
        Assert.Equal(6, (await harness.SubscriptionsAsync(profile.Id)).Count);
    }

    // B08 -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task B08_ReclaimContract_SuccessDeletesAndClosesComplete_FailureAttentionRequired()
    {
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(7));
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);
        var profile = await harness.PublishAsync("pagerduty", "PD Reclaim");
        var (busy, goneAlready) = (User(sim, 3), User(sim, 4));
        var ids = sim.Users.Where(u => u.Number != 1).Select(u => u.Id).ToList();
        sim.SetOpenIncidents(busy, 2);
        await DeleteInVendorAsync(sim, goneAlready); // removed in PagerDuty by hand: the reclaim gets 404 and counts it done
        await RaiseCapsAsync(harness, profile.Id);

        var report = await harness.Reclaim.RunAsync(profile.Id);

        Assert.Equal(5, report.Reclaimed);
        var failure = Assert.Single(report.Failed);
        var candidates = await harness.CandidatesAsync(profile.Id);
        var attention = candidates.Single(c => c.ExternalUserId == busy);
        Assert.Equal(attention.Number, failure.Number);
        Assert.Equal(CandidateState.AttentionRequired, attention.State);
        Assert.Equal($"PagerDuty refused to remove user {busy}: User cannot be deleted as they have 2 open incidents", attention.ErrorMessage);
        Assert.Equal(attention.ErrorMessage, failure.Message);
        Assert.NotNull(attention.SubscriptionId);
        foreach (var done in candidates.Where(c => c.ExternalUserId != busy))
        {
            Assert.Equal(CandidateState.ClosedComplete, done.State);
            Assert.Null(done.SubscriptionId);
            var history = await HistoryAsync(harness, done.Id);
            var (sent, last) = (history[^2], history[^1]);
            Assert.Equal((CandidateState.Ready, CandidateState.AwaitingRevocation, "reclaim run"), (sent.From!.Value, sent.To, sent.By));
            Assert.Equal((CandidateState.AwaitingRevocation, CandidateState.ClosedComplete, "reclaim run"), (last.From!.Value, last.To, last.By));
            Assert.Contains("reclaimed by pagerduty", last.Why, StringComparison.Ordinal);
        }

        Assert.Equal(new[] { User(sim, 1), busy }.Order(), (await harness.SubscriptionsAsync(profile.Id)).Select(s => s.ExternalUserId).Order());
        Assert.All(ids.Where(id => id != goneAlready), id => Assert.Equal(1, sim.DeleteCount(id)));
        Assert.Equal(2, sim.DeleteCount(goneAlready));

        // The subflow contract itself: {status, error_message} per run.
        var runs = await harness.Executions.ListAsync("pagerduty.sam.reclaim_subscription", 100, default);
        Assert.Equal(6, runs.Count);
        var outputs = runs.Select(r => Json(r.OutputsJson)).ToList();
        Assert.Equal(5, outputs.Count(o => o.GetProperty("status").GetString() == "success"));
        var failed = Assert.Single(outputs, o => o.GetProperty("status").GetString() == "failure");
        Assert.Equal(attention.ErrorMessage, failed.GetProperty("error_message").GetString());
        Assert.Single(outputs, o => o.GetProperty("error_message").GetString() == $"user {goneAlready} was already removed in PagerDuty");

        // Notify user with days before auto-reclamation. Implemented: candidates wait in Awaiting User (a reclaim run
        // leaves them alone) and move to Ready once the days have passed. Not implemented: the e-mail to the user,
        // the user's request to keep the license, the manager's approval (Awaiting Approval is never entered), and
        // Attention Required for a notify-user candidate with an empty User (subscriptions have no User field).
        await using var sim2 = await PagerDutySimulator.StartAsync(Quiet(4));
        var harness2 = await SamHarness.CreateAsync();
        await harness2.ConnectAsync(sim2);
        var notify = await harness2.PublishAsync("pagerduty", "PD Notify", activity: false);
        await SetRuleAsync(harness2, notify.Id, r => (r.NotifyUser, r.DaysBeforeAutoReclamation) = (true, 7));
        await harness2.Profiles.ChangeAsync(notify.Id, downloadActivity: true, reclaimCapCount: 1000, reclaimCapShare: 1.0);
        Assert.True((await harness2.Profiles.RefreshActivityAsync(notify.Id)).Succeeded);

        var waiting = await harness2.CandidatesAsync(notify.Id);
        Assert.Equal(3, waiting.Count);
        Assert.All(waiting, c => Assert.Equal(CandidateState.AwaitingUser, c.State));
        Assert.Empty((await harness2.Reclaim.PlanAsync(notify.Id)).Planned);
        Assert.Equal(0, (await harness2.Reclaim.RunAsync(notify.Id)).Reclaimed);
        Assert.True((await harness2.Profiles.RefreshActivityAsync(notify.Id)).Succeeded);
        Assert.All(await harness2.CandidatesAsync(notify.Id), c => Assert.Equal(CandidateState.AwaitingUser, c.State));
        Assert.Equal(0, sim2.RequestCount("DELETE", "/"));

        await SetRuleAsync(harness2, notify.Id, r => r.DaysBeforeAutoReclamation = 0);
        Assert.True((await harness2.Profiles.RefreshActivityAsync(notify.Id)).Succeeded);
        foreach (var ready in await harness2.CandidatesAsync(notify.Id))
        {
            Assert.Equal(CandidateState.Ready, ready.State);
            var moved = (await HistoryAsync(harness2, ready.Id))[^1];
            Assert.Equal((CandidateState.AwaitingUser, CandidateState.Ready), (moved.From!.Value, moved.To));
            Assert.Equal("no answer from the user in 0 days", moved.Why);
        }

        Assert.Equal(3, (await harness2.Reclaim.RunAsync(notify.Id)).Reclaimed);
        Assert.Single(sim2.Users);
    }

    // B09 -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task B09_NewAccountGuard()
    {
        // PagerDuty has no created-at: a user whose invitation is pending counts as a new account.
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(6) with { InvitationSentUsers = [3] });
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);
        var profile = await harness.PublishAsync("pagerduty", "PD New Accounts");

        var invited = Subscription(await harness.SubscriptionsAsync(profile.Id), User(sim, 3));
        Assert.Null(invited.LastActivity);
        Assert.InRange(invited.ExternalCreated!.Value, DateTimeOffset.UtcNow.AddMinutes(-2), DateTimeOffset.UtcNow);
        Assert.Equal(new[] { 2, 4, 5, 6 }.Select(n => User(sim, n)).Order(), (await harness.CandidatesAsync(profile.Id)).Select(c => c.ExternalUserId).Order());

        // Roadmunk: createdAt is External created; accounts younger than the threshold are left alone, logins or not.
        await using var roadmunk = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = 30, NewUserShare = 0.4, NeverLoggedInShare = 0.2 });
        await harness.ConnectAsync(roadmunk);
        var rm = await harness.PublishAsync("roadmunk", "RM New Accounts");
        var cutoff = DateTimeOffset.UtcNow.AddDays(-60);
        var newNeverLoggedIn = roadmunk.Users.Where(u => u.CreatedAt > cutoff && u.LastLoginAt is null).Select(u => u.Id).ToList();
        var oldNeverLoggedIn = roadmunk.Users.Where(u => u.CreatedAt <= cutoff && u.LastLoginAt is null).Select(u => u.Id).ToList();
        Assert.NotEmpty(newNeverLoggedIn);
        Assert.NotEmpty(oldNeverLoggedIn);
        var expected = roadmunk.Users.Where(u => u.CreatedAt <= cutoff && (u.LastLoginAt is null || u.LastLoginAt < cutoff)).Select(u => u.Id).Order();
        var candidates = (await harness.CandidatesAsync(rm.Id)).Select(c => c.ExternalUserId).ToList();
        Assert.Equal(expected, candidates.Order());
        Assert.All(newNeverLoggedIn, id => Assert.DoesNotContain(id, candidates));
        Assert.All(oldNeverLoggedIn, id => Assert.Contains(id, candidates));
        var subscriptions = await harness.SubscriptionsAsync(rm.Id);
        Assert.All(newNeverLoggedIn, id => Assert.Equal(roadmunk.Users.Single(u => u.Id == id).CreatedAt, Subscription(subscriptions, id).ExternalCreated));
    }

    // B10 -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task B10_RoadmunkCsvFilter_NewestAttachmentWins_NoAttachmentKeepsAll()
    {
        await using var sim = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = 20, InactiveShare = 0.3 });
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);
        var all = sim.Users.Select(u => u.Id).Order().ToList();
        var active = sim.Users.Where(u => u.IsActive).Select(u => u.Id).Order().ToList();
        Assert.NotEqual(all.Count, active.Count);

        var profile = await harness.PublishAsync("roadmunk", "RM Csv");
        Assert.Equal(all, (await harness.SubscriptionsAsync(profile.Id)).Select(s => s.ExternalUserId));

        await harness.Profiles.AttachAsync(profile.Id, "Roadmunk User Report.csv", sim.ExportUsersCsv());
        var filtered = await harness.Profiles.RefreshSubscriptionsAsync(profile.Id);
        Assert.True(filtered.Succeeded, filtered.Execution.Error);
        Assert.Equal(active, (await harness.SubscriptionsAsync(profile.Id)).Select(s => s.ExternalUserId));
        Assert.Equal((long)(all.Count - active.Count), filtered.Outputs["removed"]);

        // A newer report (columns in another order and case, e-mails in capitals) where one more user is inactive.
        var target = sim.Users.First(u => u.IsActive && !u.IsDefaultAdmin);
        await Task.Delay(5);
        await harness.Profiles.AttachAsync(profile.Id, "newer.csv", Report(sim, inactive: target.Id));
        Assert.True((await harness.Profiles.RefreshSubscriptionsAsync(profile.Id)).Succeeded);
        Assert.Equal(active.Where(id => id != target.Id), (await harness.SubscriptionsAsync(profile.Id)).Select(s => s.ExternalUserId));

        // Replaced again: the newest one has the user active, so the user is back.
        await Task.Delay(5);
        await harness.Profiles.AttachAsync(profile.Id, "newest.csv", Report(sim, inactive: null));
        Assert.True((await harness.Profiles.RefreshSubscriptionsAsync(profile.Id)).Succeeded);
        Assert.Equal(active, (await harness.SubscriptionsAsync(profile.Id)).Select(s => s.ExternalUserId));
        Assert.Equal(3, await harness.QueryAsync(db => db.Attachments.CountAsync(a => a.ProfileId == profile.Id)));
    }

    // B11 -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task B11_Aliases_SeveralProfilesOneVendor_EachOnItsOwnChildAlias_ExecutionsRecordAliasUsed()
    {
        const string EuAlias = SamHarness.PagerDutyAlias + "_EU";
        const string ApacAlias = SamHarness.PagerDutyAlias + "_APAC";
        await using var us = await PagerDutySimulator.StartAsync(Quiet(4) with { RandomSeed = 1 });
        await using var eu = await PagerDutySimulator.StartAsync(Quiet(7) with { RandomSeed = 2 });
        await using var apac = await PagerDutySimulator.StartAsync(Quiet(5) with { RandomSeed = 3 });
        Assert.Equal(3, new[] { us.ApiToken, eu.ApiToken, apac.ApiToken }.Distinct().Count());
        var harness = await SamHarness.CreateAsync();
        // The parent holds the credential type and the page size; each child only its own URL and token.
        await harness.Connections.SaveAsync(new ConnectionRecord
        {
            AliasId = SamHarness.PagerDutyAlias,
            Url = us.BaseUrl,
            CredentialType = "api_token",
            Attributes = new Dictionary<string, string> { ["page_size"] = "2" },
            Secrets = new Dictionary<string, string> { ["token"] = us.ApiToken },
        }, default);
        foreach (var (alias, sim) in new[] { (EuAlias, eu), (ApacAlias, apac) })
        {
            await harness.Connections.SaveAsync(new ConnectionRecord
            {
                AliasId = alias,
                ParentAliasId = SamHarness.PagerDutyAlias,
                Url = sim.BaseUrl,
                Secrets = new Dictionary<string, string> { ["token"] = sim.ApiToken },
            }, default);
        }

        var usProfile = await harness.PublishAsync("pagerduty", "PagerDuty US");
        var euProfile = await harness.PublishAsync("pagerduty", "PagerDuty EU", alias: EuAlias);
        var apacProfile = await harness.PublishAsync("pagerduty", "PagerDuty APAC", alias: ApacAlias);

        Assert.Equal((SamHarness.PagerDutyAlias, EuAlias, ApacAlias), (usProfile.AliasId, euProfile.AliasId, apacProfile.AliasId));
        foreach (var (profile, alias, sim) in new[] { (usProfile, SamHarness.PagerDutyAlias, us), (euProfile, EuAlias, eu), (apacProfile, ApacAlias, apac) })
        {
            Assert.Equal(sim.Users.Select(u => u.Id).Order(), (await harness.SubscriptionsAsync(profile.Id)).Select(s => s.ExternalUserId));
            // One validation request, then pages of 2 (inherited from the parent): only this account was asked.
            Assert.Equal(1 + ((sim.Users.Count + 1) / 2), sim.RequestCount("GET", "/users"));
            Assert.Equal(2, sim.RequestCount("GET", "/oncalls"));
            foreach (var definition in new[] { "pagerduty.sam.validate_connection", "pagerduty.sam.download_subscriptions", "pagerduty.sam.update_user_activity" })
            {
                var execution = (await harness.Executions.ListAsync(definition, 100, default)).Single(e => e.TriggeredBy == $"profile:{profile.DisplayName}");
                var requests = execution.Steps.Where(s => s.Type == "rest").ToList();
                Assert.NotEmpty(requests);
                Assert.All(requests, step =>
                {
                    var inputs = Json(step.InputsJson);
                    Assert.Equal(SamHarness.PagerDutyAlias, inputs.GetProperty("alias").GetString());
                    Assert.Equal(alias, inputs.GetProperty("alias_used").GetString());
                });
            }
        }

        // Reclaiming the EU profile removes EU users only.
        await RaiseCapsAsync(harness, euProfile.Id);
        Assert.Equal(6, (await harness.Reclaim.RunAsync(euProfile.Id)).Reclaimed);
        Assert.Equal((6, 0, 0), (eu.RequestCount("DELETE", "/"), us.RequestCount("DELETE", "/"), apac.RequestCount("DELETE", "/")));
        Assert.Equal(4, (await harness.SubscriptionsAsync(usProfile.Id)).Count);
        Assert.Equal(5, (await harness.SubscriptionsAsync(apacProfile.Id)).Count);
    }

    // B12 -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task B12_Paging_AllPagesReadBeforeWriting_FailureMidwayChangesNothing()
    {
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(35));
        var trigger = new RequestTrigger();
        using var http = new HttpClient(trigger);
        var harness = await SamHarness.CreateAsync(http: http);
        await harness.Connections.SaveAsync(ApiToken(sim, pageSize: 10), default);
        var profile = await harness.PublishAsync("pagerduty", "PD Paging");

        // 35 users, 10 a page: offsets 0, 10, 20, 30, then more=false.
        Assert.Equal(35, (await harness.SubscriptionsAsync(profile.Id)).Count);
        Assert.Equal(1 + 4, sim.RequestCount("GET", "/users"));
        Assert.Equal(["0", "10", "20", "30"], trigger.Offsets("/users").Skip(1));

        // The vendor changes (a user is removed there), then the next download is rate limited on page 2 for longer
        // than the retry budget: the run fails and nothing stored changes, not even page 1's users.
        var removed = sim.Users.OrderBy(u => u.Name, StringComparer.Ordinal).ThenBy(u => u.Id, StringComparer.Ordinal).Last(u => u.Number != 1).Id;
        await DeleteInVendorAsync(sim, removed);
        var subscriptionsBefore = Snapshot(await harness.SubscriptionsAsync(profile.Id));
        var candidatesBefore = (await harness.CandidatesAsync(profile.Id)).Select(c => (c.Number, c.State, c.SubscriptionId, c.UpdatedAt)).ToList();
        trigger.Clear();
        trigger.BeforeRequest("/users", 2, () => sim.Faults.RateLimitNext(1000, resetSeconds: 0));

        var failed = await harness.Profiles.RefreshSubscriptionsAsync(profile.Id);

        sim.Faults.Clear();
        Assert.False(failed.Succeeded);
        Assert.Contains("429", failed.Execution.Error, StringComparison.Ordinal);
        Assert.Contains("GET /users", failed.Execution.Error, StringComparison.Ordinal);
        Assert.Equal(["0", "10"], trigger.Offsets("/users").Distinct());
        Assert.Equal(subscriptionsBefore, Snapshot(await harness.SubscriptionsAsync(profile.Id)));
        Assert.Contains(removed, subscriptionsBefore.Select(s => s.ExternalUserId));
        Assert.Equal(candidatesBefore, (await harness.CandidatesAsync(profile.Id)).Select(c => (c.Number, c.State, c.SubscriptionId, c.UpdatedAt)));

        // The next complete download applies the change; the removed user's candidate is closed skipped.
        var succeeded = await harness.Profiles.RefreshSubscriptionsAsync(profile.Id);
        Assert.True(succeeded.Succeeded, succeeded.Execution.Error);
        Assert.Equal(sim.Users.Select(u => u.Id).Order(), (await harness.SubscriptionsAsync(profile.Id)).Select(s => s.ExternalUserId));
        Assert.Equal((0L, 0L, 1L, 34L), ((long)succeeded.Outputs["added"]!, (long)succeeded.Outputs["updated"]!, (long)succeeded.Outputs["removed"]!, (long)succeeded.Outputs["total"]!));
        var closed = (await harness.CandidatesAsync(profile.Id)).Single(c => c.ExternalUserId == removed);
        Assert.Equal(CandidateState.ClosedSkipped, closed.State);
        Assert.Equal("the user is no longer in the vendor's account", (await HistoryAsync(harness, closed.Id))[^1].Why);

        // Roadmunk pages with a cursor: 23 users, 5 a page, five pages, all stored.
        await using var roadmunk = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = 23 });
        await harness.Connections.SaveAsync(new ConnectionRecord
        {
            AliasId = SamHarness.RoadmunkAlias,
            Url = roadmunk.BaseUrl,
            CredentialType = "api_token",
            Attributes = new Dictionary<string, string> { ["page_size"] = "5" },
            Secrets = new Dictionary<string, string> { ["token"] = roadmunk.ApiToken },
        }, default);
        var rm = await harness.PublishAsync("roadmunk", "RM Paging");
        var pagesBefore = roadmunk.OperationCount("users");
        Assert.True((await harness.Profiles.RefreshSubscriptionsAsync(rm.Id)).Succeeded);
        Assert.Equal(5, roadmunk.OperationCount("users") - pagesBefore);
        Assert.Equal(roadmunk.Users.Select(u => u.Id).Order(), (await harness.SubscriptionsAsync(rm.Id)).Select(s => s.ExternalUserId));
    }

    // B13 -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task B13_Retry_RateLimitsWaitedOut_DuringDownload()
    {
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(30));
        var harness = await SamHarness.CreateAsync();
        await harness.Connections.SaveAsync(ApiToken(sim, pageSize: 10), default);
        var profile = await harness.PublishAsync("pagerduty", "PD Retry");
        var before = Snapshot(await harness.SubscriptionsAsync(profile.Id));

        // Two 429s with ratelimit-reset: 1 on the first page: waited out (about a second each), then every page read.
        sim.Faults.RateLimitNext(2, resetSeconds: 1);
        var requests = sim.RequestCount("GET", "/users");
        var clock = Stopwatch.StartNew();
        var download = await harness.Profiles.RefreshSubscriptionsAsync(profile.Id);
        clock.Stop();

        Assert.True(download.Succeeded, download.Execution.Error);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1.9), $"waited only {clock.Elapsed}");
        Assert.Equal(2 + 3, sim.RequestCount("GET", "/users") - requests);
        Assert.Equal(before, Snapshot(await harness.SubscriptionsAsync(profile.Id)));
        var fetch = Assert.Single((await harness.Executions.GetAsync(download.Execution.Id, default))!.Steps, s => s.Type == "rest");
        Assert.Equal(2, fetch.RetryCount);

        // A 429 without headers or body falls back to the backoff; a transient 503 on a read is retried too.
        sim.Faults.RateLimitNext(1, resetSeconds: 0, withHeaders: false);
        var activity = await harness.Profiles.RefreshActivityAsync(profile.Id);
        Assert.True(activity.Succeeded, activity.Execution.Error);
        Assert.Equal(1, Assert.Single((await harness.Executions.GetAsync(activity.Execution.Id, default))!.Steps, s => s.Type == "rest").RetryCount);
        before = Snapshot(await harness.SubscriptionsAsync(profile.Id));
        sim.Faults.FailNext(1, 503);
        var again = await harness.Profiles.RefreshSubscriptionsAsync(profile.Id);
        Assert.True(again.Succeeded, again.Execution.Error);
        Assert.Equal(before, Snapshot(await harness.SubscriptionsAsync(profile.Id)));
        // Not covered here: "keep calls per token serial" (the subflows send one request at a time anyway).
    }

    // B14 -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task B14_Tokens_ExpiredAccessTokenRefreshed_RotatedRefreshTokenStored_ClientCredentialsRenewed()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(5) with { AccessTokenLifetimeSeconds = 3600 }, clock);

        // Authorization code (the "Create and Get OAuth Token" consent), classic "read" scope.
        var harness = await SamHarness.CreateAsync(time: clock);
        await harness.Connections.SaveAsync(AuthorizationCode(sim), default);
        await ConsentAsync(harness);
        var consented = (await harness.Connections.GetAsync(SamHarness.PagerDutyAlias, default))!;
        var profile = await harness.PublishAsync("pagerduty", "PD OAuth");
        Assert.Equal((1, 0), (sim.TokenRequestCount("authorization_code"), sim.TokenRequestCount("refresh_token")));

        clock.Advance(TimeSpan.FromHours(2));
        Assert.True((await harness.Profiles.RefreshSubscriptionsAsync(profile.Id)).Succeeded);

        Assert.Equal(1, sim.TokenRequestCount("refresh_token"));
        var refreshed = (await harness.Connections.GetAsync(SamHarness.PagerDutyAlias, default))!;
        Assert.NotEqual(consented.AccessToken, refreshed.AccessToken);
        Assert.NotEqual(consented.RefreshToken, refreshed.RefreshToken);
        Assert.Equal(sim.IssuedRefreshTokens[^1], refreshed.RefreshToken);

        // Refresh tokens work once: a second expiry only succeeds because the rotated one was stored.
        clock.Advance(TimeSpan.FromHours(2));
        Assert.True((await harness.Profiles.RefreshActivityAsync(profile.Id)).Succeeded);
        Assert.Equal(2, sim.TokenRequestCount("refresh_token"));
        Assert.Equal(sim.IssuedRefreshTokens[^1], (await harness.Connections.GetAsync(SamHarness.PagerDutyAlias, default))!.RefreshToken);

        // Scoped client credentials: no refresh token; a new token is requested when the old one expires.
        var appHarness = await SamHarness.CreateAsync(time: clock);
        await appHarness.Connections.SaveAsync(ClientCredentials(sim), default);
        var app = await appHarness.PublishAsync("pagerduty", "PD App Token");
        Assert.Equal(1, sim.TokenRequestCount("client_credentials"));
        Assert.Null((await appHarness.Connections.GetAsync(SamHarness.PagerDutyAlias, default))!.RefreshToken);
        Assert.True((await appHarness.Profiles.RefreshSubscriptionsAsync(app.Id)).Succeeded);
        Assert.Equal(1, sim.TokenRequestCount("client_credentials"));
        clock.Advance(TimeSpan.FromHours(2));
        Assert.True((await appHarness.Profiles.RefreshSubscriptionsAsync(app.Id)).Succeeded);
        Assert.Equal(2, sim.TokenRequestCount("client_credentials"));
        Assert.Equal(2, sim.TokenRequestCount("refresh_token"));

        // The app's tokens are revoked in PagerDuty: the access token gets 401 and the refresh is refused; the run
        // fails saying what to do and the stored subscriptions stay. (No connection "invalid" flag is kept: the
        // failure is reported on the execution; a 403 for a missing scope is covered by B01 and B02.)
        var before = Snapshot(await harness.SubscriptionsAsync(profile.Id));
        sim.Faults.RevokeAllTokens();
        var revoked = await harness.Profiles.RefreshSubscriptionsAsync(profile.Id);
        Assert.False(revoked.Succeeded);
        Assert.Contains($"the token endpoint of alias '{SamHarness.PagerDutyAlias}' refused the refresh_token grant", revoked.Execution.Error, StringComparison.Ordinal);
        Assert.Contains($"flowengine aliases consent {SamHarness.PagerDutyAlias}", revoked.Execution.Error, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(await harness.SubscriptionsAsync(profile.Id)));
        // The app token is simply requested anew.
        Assert.True((await appHarness.Profiles.RefreshSubscriptionsAsync(app.Id)).Succeeded);
        Assert.Equal(3, sim.TokenRequestCount("client_credentials"));

        // A wrong API token: 401 names the alias and what to do, validation fails and Publish is refused.
        var wrong = await SamHarness.CreateAsync(time: clock);
        await wrong.Connections.SaveAsync(new ConnectionRecord
        {
            AliasId = SamHarness.PagerDutyAlias,
            Url = sim.BaseUrl,
            CredentialType = "api_token",
            Secrets = new Dictionary<string, string> { ["token"] = "not-the-token" },
        }, default);
        var wrongProfile = await wrong.Profiles.CreateAsync("pagerduty", "PD Wrong Token");
        var validation = await wrong.Profiles.ValidateAsync(wrongProfile.Id);
        Assert.False(validation.Succeeded);
        Assert.Contains($"credential for alias {SamHarness.PagerDutyAlias} was rejected (401) by PagerDuty", validation.Execution.Error, StringComparison.Ordinal);
        Assert.Contains("rejected (401)", (await wrong.Profiles.FindAsync("PD Wrong Token")).ValidationMessage, StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<LicenseException>(() => wrong.Profiles.PublishAsync(wrongProfile.Id));
        Assert.Contains("rejected (401)", refused.Message, StringComparison.Ordinal);
        // Roadmunk's API token is static: nothing to refresh (not exercised here).
    }

    // B15 -----------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task B15_DeletingAProfile_RemovesSubscriptionsAndJobs_CandidatesClosedSkipped_RulesKept()
    {
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(6));
        await using var roadmunk = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = 10 });
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);
        await harness.ConnectAsync(roadmunk);
        var pd = await harness.PublishAsync("pagerduty", "PD Delete");
        var rm = await harness.PublishAsync("roadmunk", "RM Keep");
        await harness.Profiles.AttachAsync(pd.Id, "notes.csv", "Email,Status\r\n");
        await harness.Profiles.AttachAsync(rm.Id, "users.csv", roadmunk.ExportUsersCsv());
        var (busy, approving) = (User(sim, 3), User(sim, 6));
        sim.SetOpenIncidents(busy, 1);
        await ChangeRowsAsync(harness, async db => (await db.Candidates.SingleAsync(c => c.ExternalUserId == approving)).State = CandidateState.AwaitingApproval);
        await RaiseCapsAsync(harness, pd.Id);
        Assert.Equal(3, (await harness.Reclaim.RunAsync(pd.Id)).Reclaimed);
        var rmSubscriptions = Snapshot(await harness.SubscriptionsAsync(rm.Id));
        var rmCandidates = (await harness.CandidatesAsync(rm.Id)).Select(c => (c.Number, c.State)).ToList();
        var rules = await harness.QueryAsync(db => db.Rules.AsNoTracking().ToListAsync());

        await harness.Profiles.DeleteAsync(pd.Id);

        await Assert.ThrowsAsync<LicenseException>(() => harness.Profiles.FindAsync("PD Delete"));
        Assert.Equal(0, await harness.QueryAsync(db => db.Subscriptions.CountAsync(s => s.ProfileId == pd.Id)));
        Assert.Equal(0, await harness.QueryAsync(db => db.Attachments.CountAsync(a => a.ProfileId == pd.Id)));
        Assert.Equal([ProfileService.ActivityJob("RM Keep"), ProfileService.SubscriptionsJob("RM Keep")], harness.Listed.Jobs.Keys.Order());
        var candidates = await harness.CandidatesAsync(pd.Id);
        Assert.Equal(5, candidates.Count);
        foreach (var candidate in candidates)
        {
            Assert.Null(candidate.SubscriptionId);
            if (candidate.ExternalUserId == busy || candidate.ExternalUserId == approving)
            {
                Assert.Equal(CandidateState.ClosedSkipped, candidate.State);
                var last = (await HistoryAsync(harness, candidate.Id))[^1];
                Assert.Equal(("profile delete", "profile 'PD Delete' was deleted"), (last.By, last.Why));
                Assert.Equal(candidate.ExternalUserId == busy ? CandidateState.AttentionRequired : CandidateState.AwaitingApproval, last.From);
            }
            else
            {
                Assert.Equal(CandidateState.ClosedComplete, candidate.State);
            }
        }

        // Rules stay (detached from the deleted profile); the other profile is untouched.
        var kept = await harness.QueryAsync(db => db.Rules.AsNoTracking().ToListAsync());
        Assert.Equal(rules.Select(r => r.Id).Order(), kept.Select(r => r.Id).Order());
        Assert.Null(kept.Single(r => r.Id == rules.Single(x => x.ProfileId == pd.Id).Id).ProfileId);
        Assert.Equal(rm.Id, kept.Single(r => r.Id == rules.Single(x => x.ProfileId == rm.Id).Id).ProfileId);
        Assert.Equal(rmSubscriptions, Snapshot(await harness.SubscriptionsAsync(rm.Id)));
        Assert.Equal(rmCandidates, (await harness.CandidatesAsync(rm.Id)).Select(c => (c.Number, c.State)));
        Assert.Equal(1, await harness.QueryAsync(db => db.Attachments.CountAsync(a => a.ProfileId == rm.Id)));
        Assert.Equal(ProfileStatus.Published, (await harness.Profiles.FindAsync("RM Keep")).Status);
        // Not modelled: consumption summaries (there is no such table), so there are none to delete.
    }

    // Beyond §5 -------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task ReclaimSafetyCap_RunAboveTheCap_StopsBeforeAnyVendorCall_AndSaysWhy()
    {
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(12));
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);
        var profile = await harness.PublishAsync("pagerduty", "PD Cap");
        Assert.Equal(11, (await harness.CandidatesAsync(profile.Id)).Count);
        var requests = sim.RequestCount("/");

        // Default cap: 100 candidates and 25 % of the 12 subscriptions, so 3.
        var stopped = await harness.Reclaim.RunAsync(profile.Id);

        Assert.Equal("11 candidates exceed the safety cap of 3 (100 at most, and at most 25% of 12 subscriptions); nothing was reclaimed. Review the candidates and the rule, or raise the cap", stopped.StoppedBecause);
        Assert.Equal(0, stopped.Reclaimed);
        Assert.Equal(11, stopped.Planned.Count);
        Assert.Equal(requests, sim.RequestCount("/"));
        Assert.Equal(0, sim.RequestCount("DELETE", "/"));
        Assert.Empty(await harness.Executions.ListAsync("pagerduty.sam.reclaim_subscription", 100, default));
        Assert.All(await harness.CandidatesAsync(profile.Id), c => Assert.Equal(CandidateState.Ready, c.State));

        await harness.Profiles.ChangeAsync(profile.Id, reclaimCapCount: 10, reclaimCapShare: 1.0);
        var count = await harness.Reclaim.RunAsync(profile.Id);
        Assert.StartsWith("11 candidates exceed the safety cap of 10 ", count.StoppedBecause, StringComparison.Ordinal);
        Assert.Equal(0, sim.RequestCount("DELETE", "/"));

        await Assert.ThrowsAsync<LicenseException>(() => harness.Profiles.ChangeAsync(profile.Id, reclaimCapShare: 1.5));
        await Assert.ThrowsAsync<LicenseException>(() => harness.Profiles.ChangeAsync(profile.Id, reclaimCapCount: -1));

        await harness.Profiles.ChangeAsync(profile.Id, reclaimCapCount: 11);
        var run = await harness.Reclaim.RunAsync(profile.Id);
        Assert.Null(run.StoppedBecause);
        Assert.Equal(11, run.Reclaimed);
        Assert.Equal(11, sim.RequestCount("DELETE", "/"));
    }

    [Fact]
    public async Task PlanMode_ListsExactlyTheReadyCandidates_WithEvidenceAndSavings_CallsNoVendor()
    {
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(8));
        var now = DateTimeOffset.UtcNow;
        var lastOnCall = Seconds(now.AddDays(-45));
        sim.AddOnCall(OnCall(User(sim, 2), now.AddDays(-47), lastOnCall));
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);
        var profile = await harness.PublishAsync("pagerduty", "PD Plan");

        // Users 3..8 had no on-call at all (threshold 60). With the rule at 30 days, user 2 (45 days) joins them.
        await SetRuleAsync(harness, profile.Id, r => r.LastActivityThresholdDays = 30);
        Assert.True((await harness.Profiles.RefreshActivityAsync(profile.Id)).Succeeded);
        var (attention, skipped) = (User(sim, 7), User(sim, 8));
        await ChangeRowsAsync(harness, async db =>
        {
            (await db.Candidates.SingleAsync(c => c.ExternalUserId == attention)).State = CandidateState.AttentionRequired;
            (await db.Candidates.SingleAsync(c => c.ExternalUserId == skipped)).State = CandidateState.ClosedSkipped;
            db.Entitlements.Add(new EntitlementEntity { Id = Guid.NewGuid(), SoftwareModelId = profile.SoftwareModelId!.Value, Rights = 5, UnitCost = 120m, Description = "PagerDuty Business, yearly" });
        });
        await RaiseCapsAsync(harness, profile.Id);
        var candidates = await harness.CandidatesAsync(profile.Id);
        var requests = sim.RequestCount("/");

        var plan = await harness.Reclaim.PlanAsync(profile.Id);

        var ready = candidates.Where(c => c.State == CandidateState.Ready).ToList();
        Assert.Equal(new[] { 2, 3, 4, 5, 6 }.Select(n => User(sim, n)).Order(), ready.Select(c => c.ExternalUserId).Order());
        Assert.Equal(ready.Select(c => (c.Number, c.ExternalUserId, c.UserPrincipalName)), plan.Planned.Select(p => (p.Number, p.ExternalUserId, p.UserPrincipalName)));
        Assert.All(plan.Planned, p =>
        {
            Assert.Equal("PD Plan reclamation rule", p.Rule);
            Assert.Equal(120m, p.Saving);
            if (p.ExternalUserId == User(sim, 2))
            {
                Assert.Equal((lastOnCall, 45, 30), (p.LastActivity!.Value, p.DaysIdle!.Value, p.ThresholdDays));
            }
            else
            {
                Assert.Equal(((DateTimeOffset?)null, (int?)null, 60), (p.LastActivity, p.DaysIdle, p.ThresholdDays));
            }
        });
        Assert.Equal(5 * 120m, plan.Savings);
        Assert.Null(plan.StoppedBecause);
        Assert.Equal(requests, sim.RequestCount("/"));
        Assert.Empty(await harness.Executions.ListAsync("pagerduty.sam.reclaim_subscription", 100, default));
        Assert.Equal(candidates.Select(c => (c.Number, c.State, c.UpdatedAt)), (await harness.CandidatesAsync(profile.Id)).Select(c => (c.Number, c.State, c.UpdatedAt)));
        Assert.Equal(8, sim.Users.Count);
    }

    [Fact]
    public async Task Exclusions_ByUserPrincipalNameAndIdentifier_NeverCandidates_LeftOutOfReconciliation()
    {
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(8));
        await using var roadmunk = await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = 12 });
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);
        await harness.ConnectAsync(roadmunk);
        var (excluded, excludedLater) = (User(sim, 4), User(sim, 5));
        var excludedEmail = sim.Users.Single(u => u.Id == excluded).Email;
        await ChangeRowsAsync(harness, db =>
        {
            db.Exclusions.Add(new ExclusionEntity { Id = Guid.NewGuid(), Kind = "user_principal_name", Value = excludedEmail.ToUpperInvariant() });
            db.Exclusions.Add(new ExclusionEntity { Id = Guid.NewGuid(), Kind = "identifier", Value = "roadmunk", ProfileType = "Roadmunk Subscription" });
            // An identifier exclusion applies to its profile type only.
            db.Exclusions.Add(new ExclusionEntity { Id = Guid.NewGuid(), Kind = "identifier", Value = "pagerduty", ProfileType = "Roadmunk Subscription" });
            return Task.CompletedTask;
        });

        var pd = await harness.PublishAsync("pagerduty", "PD Exclusions");
        var rm = await harness.PublishAsync("roadmunk", "RM Exclusions");

        var pdCandidates = await harness.CandidatesAsync(pd.Id);
        Assert.Equal(sim.Users.Where(u => u.Number != 1 && u.Id != excluded).Select(u => u.Id).Order(), pdCandidates.Select(c => c.ExternalUserId).Order());
        Assert.Contains(excluded, (await harness.SubscriptionsAsync(pd.Id)).Select(s => s.ExternalUserId)); // excluded, not removed
        var cutoff = DateTimeOffset.UtcNow.AddDays(-60);
        Assert.Contains(roadmunk.Users, u => u.CreatedAt <= cutoff && (u.LastLoginAt is null || u.LastLoginAt < cutoff));
        Assert.Equal(roadmunk.Users.Count, (await harness.SubscriptionsAsync(rm.Id)).Count);
        Assert.Empty(await harness.CandidatesAsync(rm.Id));

        // Excluding a user who already is a candidate closes the candidate at the next evaluation.
        await ChangeRowsAsync(harness, db =>
        {
            db.Exclusions.Add(new ExclusionEntity { Id = Guid.NewGuid(), Kind = "user_principal_name", Value = sim.Users.Single(u => u.Id == excludedLater).Email });
            return Task.CompletedTask;
        });
        Assert.True((await harness.Profiles.RefreshActivityAsync(pd.Id)).Succeeded);
        var closed = (await harness.CandidatesAsync(pd.Id)).Single(c => c.ExternalUserId == excludedLater);
        Assert.Equal(CandidateState.ClosedSkipped, closed.State);
        Assert.Equal("the user is excluded", (await HistoryAsync(harness, closed.Id))[^1].Why);

        var lines = await harness.Reclaim.ReconcileAsync();

        var pdLine = lines.Single(l => l.SoftwareModel == "PagerDuty, Inc. PagerDuty");
        Assert.Equal((8 - 2, 8 - 2 - 1), (pdLine.Used, pdLine.Stale)); // the owner is on call, the rest idle
        var rmLine = lines.Single(l => l.SoftwareModel == "Tempo Software Roadmunk");
        Assert.Equal((0, 0), (rmLine.Used, rmLine.Stale));

        await RaiseCapsAsync(harness, pd.Id);
        Assert.Equal(5, (await harness.Reclaim.RunAsync(pd.Id)).Reclaimed);
        Assert.Equal((0, 0), (sim.DeleteCount(excluded), sim.DeleteCount(excludedLater)));
    }

    [Fact]
    public async Task UserActiveAgain_CancelsTheOpenCandidate_ClosedCanceledWithWhoWhenWhy()
    {
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(6));
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);
        var profile = await harness.PublishAsync("pagerduty", "PD Active Again");
        var back = User(sim, 3);
        var candidate = (await harness.CandidatesAsync(profile.Id)).Single(c => c.ExternalUserId == back);
        Assert.Equal(CandidateState.Ready, candidate.State);

        sim.AddOnCall(OnCall(back, DateTimeOffset.UtcNow.AddHours(-2), DateTimeOffset.UtcNow.AddHours(2)));
        var before = DateTimeOffset.UtcNow;
        var refresh = await harness.Profiles.RefreshActivityAsync(profile.Id);

        Assert.True(refresh.Succeeded, refresh.Execution.Error);
        Assert.Equal(1L, refresh.Outputs["candidates_canceled"]);
        var canceled = (await harness.CandidatesAsync(profile.Id)).Single(c => c.Id == candidate.Id);
        Assert.Equal(CandidateState.ClosedCanceled, canceled.State);
        var history = await HistoryAsync(harness, candidate.Id);
        Assert.Equal(2, history.Count);
        var last = history[^1];
        Assert.Equal((CandidateState.Ready, CandidateState.ClosedCanceled, "activity refresh"), (last.From!.Value, last.To, last.By));
        Assert.StartsWith("activity detected at ", last.Why, StringComparison.Ordinal);
        Assert.InRange(last.At, before, DateTimeOffset.UtcNow);
        Assert.All((await harness.CandidatesAsync(profile.Id)).Where(c => c.Id != candidate.Id), c => Assert.Equal(CandidateState.Ready, c.State));

        // No new candidate for the user while active, and the reclaim run leaves the user alone.
        Assert.True((await harness.Profiles.RefreshActivityAsync(profile.Id)).Succeeded);
        Assert.Single(await harness.CandidatesAsync(profile.Id), c => c.ExternalUserId == back);
        await RaiseCapsAsync(harness, profile.Id);
        Assert.Equal(4, (await harness.Reclaim.RunAsync(profile.Id)).Reclaimed);
        Assert.Equal(0, sim.DeleteCount(back));
        Assert.Contains(sim.Users, u => u.Id == back);
    }

    [Fact]
    public async Task Reconciliation_OwnedVsUsed_Stale_Compliance_PotentialAndRealisedSavings_StoredPerRun()
    {
        await using var sim = await PagerDutySimulator.StartAsync(Quiet(12));
        sim.AddOnCall(OnCall(User(sim, 2), DateTimeOffset.UtcNow.AddDays(-3), DateTimeOffset.UtcNow.AddDays(-1)));
        var harness = await SamHarness.CreateAsync();
        await harness.ConnectAsync(sim);
        var profile = await harness.PublishAsync("pagerduty", "PD Reconcile");
        var model = profile.SoftwareModelId!.Value;
        await ChangeRowsAsync(harness, db =>
        {
            db.Entitlements.Add(new EntitlementEntity { Id = Guid.NewGuid(), SoftwareModelId = model, Rights = 8, UnitCost = 50m });
            return Task.CompletedTask;
        });

        // 12 users, 8 rights: not compliant; users 3..12 idle, so 10 stale and 10 open candidates.
        var first = Assert.Single(await harness.Reclaim.ReconcileAsync());
        Assert.Equal(new ReconciliationLine("PagerDuty, Inc. PagerDuty", 8, 12, 10, false, 10 * 50m, 0m), first);

        sim.SetOpenIncidents(User(sim, 3), 1);
        await RaiseCapsAsync(harness, profile.Id);
        Assert.Equal(9, (await harness.Reclaim.RunAsync(profile.Id)).Reclaimed);

        // 3 left (owner, user 2, user 3 who could not be removed): compliant; user 3 still stale and still an open
        // (Attention Required) candidate; 9 reclaimed.
        var second = Assert.Single(await harness.Reclaim.ReconcileAsync());
        Assert.Equal(new ReconciliationLine("PagerDuty, Inc. PagerDuty", 8, 3, 1, true, 50m, 9 * 50m), second);

        var rows = await harness.QueryAsync(db => db.Reconciliations.AsNoTracking().Where(r => r.SoftwareModelId == model).OrderBy(r => r.RunAt).ToListAsync());
        Assert.Equal(
            [(8, 12, 10, false, 500m, 0m), (8, 3, 1, true, 50m, 450m)],
            rows.Select(r => (r.Owned, r.Used, r.Stale, r.Compliant, r.PotentialSavings, r.RealisedSavings)));
    }

    // Helpers ---------------------------------------------------------------------------------------------------------

    private const string Redirect = "http://127.0.0.1:8765/oauth_redirect";

    /// <summary>No incidents, no invitations, no generated on-calls: only the owner (user 1) is on call, permanently.</summary>
    private static PagerDutySeed Quiet(int users) => new()
    {
        UserCount = users,
        OpenIncidentsEvery = 0,
        InvitationSentEvery = 0,
        RecentOnCallShare = 0,
        StaleOnCallShare = 0,
    };

    private static string User(PagerDutySimulator sim, int number) => sim.Users.Single(u => u.Number == number).Id;

    private static PagerDutyOnCall OnCall(string userId, DateTimeOffset start, DateTimeOffset end) =>
        new(userId, null, new PagerDutyReference("PTESTEP", "Test policy"), 1, Seconds(start), Seconds(end));

    private static DateTimeOffset Seconds(DateTimeOffset value) => new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private static SubscriptionEntity Subscription(IEnumerable<SubscriptionEntity> subscriptions, string externalUserId) =>
        subscriptions.Single(s => s.ExternalUserId == externalUserId);

    private static List<(string ExternalUserId, Guid Id, string UserPrincipalName, string? DisplayName, DateTimeOffset? LastActivity, DateTimeOffset? ExternalCreated, DateTimeOffset UpdatedAt)> Snapshot(IEnumerable<SubscriptionEntity> subscriptions) =>
        subscriptions.Select(s => (s.ExternalUserId, s.Id, s.UserPrincipalName, s.DisplayName, s.LastActivity, s.ExternalCreated, s.UpdatedAt)).ToList();

    private static ConnectionRecord ApiToken(PagerDutySimulator sim, int pageSize) => new()
    {
        AliasId = SamHarness.PagerDutyAlias,
        Url = sim.BaseUrl,
        CredentialType = "api_token",
        Attributes = new Dictionary<string, string> { ["page_size"] = pageSize.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        Secrets = new Dictionary<string, string> { ["token"] = sim.ApiToken },
    };

    /// <summary>Scoped OAuth app token; <paramref name="scopes"/> null keeps the spoke's (read-only) default.</summary>
    private static ConnectionRecord ClientCredentials(PagerDutySimulator sim, string? scopes = null)
    {
        var settings = new Dictionary<string, string> { ["client_id"] = sim.OAuthClientId, ["token_url"] = sim.TokenUrl };
        if (scopes is not null)
        {
            settings["scopes"] = scopes;
        }

        return new ConnectionRecord
        {
            AliasId = SamHarness.PagerDutyAlias,
            Url = sim.BaseUrl,
            CredentialType = "oauth2_client_credentials",
            Attributes = new Dictionary<string, string> { ["subdomain"] = sim.Subdomain, ["region"] = "us" },
            Settings = settings,
            Secrets = new Dictionary<string, string> { ["client_secret"] = sim.OAuthClientSecret },
        };
    }

    private static ConnectionRecord AuthorizationCode(PagerDutySimulator sim) => new()
    {
        AliasId = SamHarness.PagerDutyAlias,
        Url = sim.BaseUrl,
        CredentialType = "oauth2_authorization_code",
        Settings = new Dictionary<string, string>
        {
            ["client_id"] = sim.OAuthClientId,
            ["authorize_url"] = sim.AuthorizeUrl,
            ["token_url"] = sim.TokenUrl,
            ["scopes"] = "read",
        },
        Secrets = new Dictionary<string, string> { ["client_secret"] = sim.OAuthClientSecret },
    };

    /// <summary>The consent round trip: the admin opens the authorize URL, PagerDuty redirects back with a code, the engine redeems it.</summary>
    private static async Task ConsentAsync(SamHarness harness)
    {
        var connection = await harness.Integration.Resolver.ResolveAsync(SamHarness.PagerDutyAlias, null, default);
        var (verifier, challenge) = TokenManager.Pkce();
        using var browser = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false });
        using var answer = await browser.GetAsync(TokenManager.AuthorizeUrl(connection, Redirect, "state-1", challenge));
        Assert.Equal(HttpStatusCode.Redirect, answer.StatusCode);
        var back = HttpUtility.ParseQueryString(answer.Headers.Location!.Query);
        await harness.Integration.Tokens.ExchangeCodeAsync(connection, back["code"]!, Redirect, verifier, default);
    }

    /// <summary>Removes a user in PagerDuty directly, as an admin would in the web UI.</summary>
    private static async Task DeleteInVendorAsync(PagerDutySimulator sim, string userId)
    {
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{sim.BaseUrl}/users/{userId}");
        request.Headers.TryAddWithoutValidation("Authorization", $"Token token={sim.ApiToken}");
        request.Headers.TryAddWithoutValidation("Accept", PagerDutySimulator.AcceptHeader);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    /// <summary>A user report with the columns in another order and case, e-mails in capitals, and one more user inactive.</summary>
    private static string Report(RoadmunkSimulator sim, string? inactive)
    {
        var csv = new StringBuilder("STATUS,email,Role,Something Else\r\n");
        foreach (var user in sim.Users)
        {
            var status = user.IsActive && user.Id != inactive ? "Active" : "Inactive";
            csv.Append(status).Append(',').Append(user.Email.ToUpperInvariant()).Append(",Collaborator,x\r\n");
        }

        return csv.ToString();
    }

    private static async Task ChangeRowsAsync(SamHarness harness, Func<FlowEngineDbContext, Task> change)
    {
        await harness.QueryAsync(async db =>
        {
            await change(db);
            return await db.SaveChangesAsync();
        });
    }

    private static Task SetRuleAsync(SamHarness harness, Guid profileId, Action<ReclamationRuleEntity> change) =>
        ChangeRowsAsync(harness, async db => change(await db.Rules.SingleAsync(r => r.ProfileId == profileId)));

    private static Task RaiseCapsAsync(SamHarness harness, Guid profileId) =>
        harness.Profiles.ChangeAsync(profileId, reclaimCapCount: 1000, reclaimCapShare: 1.0);

    private static Task<List<CandidateHistoryEntity>> HistoryAsync(SamHarness harness, Guid candidateId) =>
        harness.QueryAsync(db => db.CandidateHistory.AsNoTracking().Where(h => h.CandidateId == candidateId).OrderBy(h => h.Id).ToListAsync());

    private static JsonElement Json(string? text)
    {
        using var document = JsonDocument.Parse(text ?? "{}");
        return document.RootElement.Clone();
    }

    private static List<string> QueryOf(StepRecord step) =>
        Json(step.InputsJson).GetProperty("query").EnumerateArray().Select(q => q.GetString()!).ToList();

    /// <summary>Sees every request the engine sends; can run an action just before the Nth request to a path (to arm a fault mid-run).</summary>
    private sealed class RequestTrigger() : DelegatingHandler(new SocketsHttpHandler { AllowAutoRedirect = false })
    {
        private readonly Lock _lock = new();
        private readonly List<Uri> _seen = [];
        private (string Path, int Nth, Action Action)? _trigger;
        private int _matched;

        public void BeforeRequest(string path, int nth, Action action)
        {
            lock (_lock)
            {
                (_trigger, _matched) = ((path, nth, action), 0);
            }
        }

        public void Clear()
        {
            lock (_lock)
            {
                _seen.Clear();
                _trigger = null;
            }
        }

        /// <summary>The <c>offset</c> of each request to <paramref name="path"/>, in order ("" when absent).</summary>
        public List<string> Offsets(string path)
        {
            lock (_lock)
            {
                return _seen.Where(u => u.AbsolutePath == path).Select(u => HttpUtility.ParseQueryString(u.Query)["offset"] ?? "").ToList();
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Action? fire = null;
            lock (_lock)
            {
                _seen.Add(request.RequestUri!);
                if (_trigger is { } trigger && request.RequestUri!.AbsolutePath == trigger.Path && ++_matched == trigger.Nth)
                {
                    fire = trigger.Action;
                    _trigger = null;
                }
            }

            fire?.Invoke();
            return base.SendAsync(request, cancellationToken);
        }
    }
}
