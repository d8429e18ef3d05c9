using System.Globalization;
using FlowEngine.LicenseManagement;
using FlowEngine.Persistence.LicenseManagement;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace FlowEngine.FaultSuite.Tests;

/// <summary>
/// The vendor fault suite. For each vendor, the profile's download (and activity update) runs under each fault the
/// simulators inject. Every run must either complete correctly (the stored subscriptions are exactly the vendor's
/// users; activity and candidates are what a clean run gives) or fail with a message naming the vendor, the alias and
/// the cause, with the stored subscriptions and candidates exactly as they were before the run.
/// </summary>
public sealed class VendorFaultTests(ITestOutputHelper output)
{
    // 250 users, 100 a page: three pages, so a fault can strike in the middle of a run (StartAfter(1): the second request).
    private const int Users = 250;

    private enum Expect
    {
        Complete,
        Fail,
        Either,
    }

    private enum Run
    {
        Download,
        Activity,
    }

    // Cause: what the error must say (besides the vendor and the alias); null: the vendor's own words for it.
    private sealed record Fault(string Name, Expect Expect, string? Cause, Action<VendorUnderTest> Arm);

    private static readonly TimeSpan Slow = FaultHarness.RequestTimeout * 3;

    // Transient faults are shorter than the retry policy (5 retries) and must be ridden out; long ones outlast it and
    // must fail cleanly. Each strikes the run's second request, i.e. after a page was read.
    private static readonly Fault[] Faults =
    [
        new("429 storm (3)", Expect.Complete, "", v => { v.StartAfter(1); v.RateLimitNext(3); }),
        new("429 storm (outlasts retries)", Expect.Fail, "answered 429", v => { v.StartAfter(1); v.RateLimitNext(1000); }),
        new("500s (2)", Expect.Complete, "", v => { v.StartAfter(1); v.FailNext(2, 500); }),
        new("500s (outlast retries)", Expect.Fail, "answered 500", v => { v.StartAfter(1); v.FailNext(1000, 500); }),
        new("timeout (1)", Expect.Complete, "", v => { v.StartAfter(1); v.DelayNext(1, Slow); }),
        new("timeouts (outlast retries)", Expect.Fail, "did not answer in time", v => { v.StartAfter(1); v.DelayNext(1000, Slow); }),
        new("dropped connection (1)", Expect.Complete, "", v => { v.StartAfter(1); v.DropConnectionNext(1); }),
        new("dropped connections (outlast retries)", Expect.Fail, "could not be reached", v => { v.StartAfter(1); v.DropConnectionNext(1000); }),
        new("malformed JSON", Expect.Either, "malformed JSON", v => { v.StartAfter(1); v.MalformedJsonNext(1); }),
        new("a page that repeats", Expect.Either, "twice", v => v.RepeatPageAfter(1)),
        new("token revoked mid-run", Expect.Fail, null, v => v.RevokeCredentialAfter(1)),
    ];

    // PagerDuty with an API key and with OAuth (authorization code: a revoked app loses its refresh token too), Roadmunk.
    public static TheoryData<string> Vendors => new() { "pagerduty", "pagerduty-oauth", "roadmunk" };

    [Theory]
    [MemberData(nameof(Vendors))]
    public async Task EveryRunUnderAFault_CompletesCorrectly_OrFailsCleanly_NamingVendorAliasAndCause(string vendor)
    {
        await using var sim = vendor switch
        {
            "pagerduty" => await PagerDutyUnderTest.StartAsync(Users),
            "pagerduty-oauth" => await PagerDutyUnderTest.StartAsync(Users, oauth: true),
            _ => await RoadmunkUnderTest.StartAsync(Users),
        };
        var harness = await FaultHarness.CreateAsync();
        await sim.ConnectAsync(harness);
        var profile = await harness.Profiles.CreateAsync(sim.Spoke, $"{sim.Label} under faults");
        var validation = await harness.Profiles.ValidateAsync(profile.Id);
        Assert.True(validation.Succeeded, validation.Execution.Error);
        var (download, activity) = await harness.Profiles.PublishAsync(profile.Id);
        Assert.True(download.Succeeded, download.Execution.Error);
        Assert.True(activity!.Succeeded, activity.Execution.Error);

        // Each run kind must make at least two requests, or a fault armed for the second one would never strike.
        var cleanRequests = new Dictionary<Run, int>();
        foreach (var run in new[] { Run.Download, Run.Activity })
        {
            var before = sim.Requests;
            var clean = await RunAsync(harness, profile.Id, run);
            Assert.True(clean.Succeeded, clean.Execution.Error);
            cleanRequests[run] = sim.Requests - before;
            Assert.True(cleanRequests[run] >= 2, $"{run} made {cleanRequests[run]} request(s); the suite needs a run of several pages");
        }

        var problems = new List<string>();
        int runs = 0, completed = 0, failedCleanly = 0, changedByFailure = 0;
        foreach (var fault in Faults)
        {
            foreach (var run in new[] { Run.Download, Run.Activity })
            {
                await PrepareAsync(harness, profile.Id, run);
                var snapshot = await SnapshotAsync(harness, profile.Id);
                var started = DateTimeOffset.UtcNow;
                var requestsBefore = sim.Requests;
                fault.Arm(sim);
                var outcome = await RunAsync(harness, profile.Id, run);
                var requests = sim.Requests - requestsBefore;
                var accessToken = (await harness.Connections.GetAsync(sim.Alias, default))?.AccessToken;
                await sim.ResetAsync(harness);
                runs++;
                var label = $"{sim.Label} {run.ToString().ToLowerInvariant()} under {fault.Name}";
                var cause = fault.Cause ?? sim.RevokedCause;

                if (outcome.Succeeded)
                {
                    var wrong = run == Run.Download
                        ? await DownloadIsWrongAsync(harness, profile.Id, sim)
                        : await ActivityIsWrongAsync(harness, profile.Id, started);
                    if (wrong is null)
                    {
                        completed++;
                        output.WriteLine($"{label}: completed correctly");
                    }
                    else
                    {
                        problems.Add($"{label}: completed but {wrong}");
                    }

                    if (fault.Expect == Expect.Fail)
                    {
                        problems.Add($"{label}: completed, but the fault outlasts every retry; was it injected?");
                    }

                    // A fault ridden out costs retries: more requests than a clean run. As many means it never struck.
                    if (requests <= cleanRequests[run])
                    {
                        problems.Add($"{label}: completed with {requests} requests, as many as a clean run; the fault was not injected");
                    }

                    continue;
                }

                var error = outcome.Execution.Error ?? "";
                var after = await SnapshotAsync(harness, profile.Id);
                var unchanged = snapshot.SequenceEqual(after);
                var named = error.Contains(sim.Vendor, StringComparison.Ordinal) && error.Contains(sim.Alias, StringComparison.Ordinal)
                    && error.Contains(cause, StringComparison.Ordinal);
                var stored = await harness.EverythingStoredAsync(outcome.Execution);
                var leaked = sim.Secrets.Append(accessToken).Any(secret => secret is { Length: > 0 } && stored.Contains(secret, StringComparison.Ordinal));
                if (!unchanged)
                {
                    changedByFailure++;
                    problems.Add($"{label}: failed and changed the stored data: {Difference(snapshot, after)}");
                }

                if (!named)
                {
                    problems.Add($"{label}: the error does not name vendor '{sim.Vendor}', alias '{sim.Alias}' and cause '{cause}': {error}");
                }

                if (leaked)
                {
                    problems.Add($"{label}: the execution record holds a secret (API token, client secret or OAuth token)");
                }

                if (fault.Expect == Expect.Complete)
                {
                    problems.Add($"{label}: failed, but the retry policy should ride out this fault: {error}");
                }

                if (unchanged && named && !leaked)
                {
                    failedCleanly++;
                }

                output.WriteLine($"{label}: failed{(unchanged ? ", data unchanged" : ", DATA CHANGED")}: {error}");
            }
        }

        output.WriteLine("");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Reliability, {sim.Label}: {runs} runs under {Faults.Length} faults; {completed} completed correctly, {failedCleanly} failed cleanly (vendor, alias and cause named, data unchanged), {changedByFailure} changed data by a failed run, {problems.Count} problem(s)"));
        foreach (var problem in problems)
        {
            output.WriteLine("PROBLEM " + problem);
        }

        Assert.Empty(problems);
        Assert.Equal(runs, completed + failedCleanly);
    }

    private static Task<RunOutcome> RunAsync(FaultHarness harness, Guid profileId, Run run) => run == Run.Download
        ? harness.Profiles.RefreshSubscriptionsAsync(profileId)
        : harness.Profiles.RefreshActivityAsync(profileId);

    // Puts the stored data where a correct run must change it, so that a failed run that wrote anything shows:
    // before a download, a subscription of a user the vendor no longer has, and a renamed one; before an activity
    // update, no last activity at all.
    private static async Task PrepareAsync(FaultHarness harness, Guid profileId, Run run)
    {
        await using var db = harness.Store.CreateContext();
        var subscriptions = await db.Subscriptions.Where(s => s.ProfileId == profileId).OrderBy(s => s.ExternalUserId).ToListAsync();
        if (run == Run.Download)
        {
            var first = subscriptions[0];
            first.DisplayName = "Renamed since the last download";
            if (!subscriptions.Any(s => s.ExternalUserId == "GONE0001"))
            {
                db.Subscriptions.Add(new SubscriptionEntity
                {
                    Id = Guid.NewGuid(),
                    ProfileId = profileId,
                    ExternalUserId = "GONE0001",
                    UserPrincipalName = "gone.user@acme.example.com",
                    DisplayName = "Gone User",
                    Identifier = first.Identifier,
                    SoftwareModelId = first.SoftwareModelId,
                    CreatedAt = first.CreatedAt,
                    UpdatedAt = first.UpdatedAt,
                });
            }
        }
        else
        {
            subscriptions.ForEach(s => s.LastActivity = null);
        }

        await db.SaveChangesAsync();
    }

    // Every stored field of the profile's subscriptions and candidates, one line each.
    private static async Task<List<string>> SnapshotAsync(FaultHarness harness, Guid profileId)
    {
        await using var db = harness.Store.CreateContext();
        var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => s.ProfileId == profileId).ToListAsync();
        var candidates = await db.Candidates.AsNoTracking().Where(c => c.ProfileId == profileId).ToListAsync();
        return subscriptions
            .Select(s => $"subscription {s.Id} {s.ExternalUserId} {s.UserPrincipalName} {s.DisplayName} {s.LastActivity:O} {s.ExternalCreated:O} {s.Identifier} {s.SoftwareModelId} {s.CreatedAt:O} {s.UpdatedAt:O}")
            .Concat(candidates.Select(c => $"candidate {c.Id} {c.Number} {c.ExternalUserId} {c.UserPrincipalName} {c.State} {c.SubscriptionId} {c.LastActivity:O} {c.ErrorMessage} {c.UpdatedAt:O}"))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    private static string Difference(List<string> before, List<string> after)
    {
        var gone = before.Except(after).Take(3).Select(l => "- " + l);
        var added = after.Except(before).Take(3).Select(l => "+ " + l);
        return string.Join("; ", gone.Concat(added));
    }

    private static async Task<string?> DownloadIsWrongAsync(FaultHarness harness, Guid profileId, VendorUnderTest sim)
    {
        await using var db = harness.Store.CreateContext();
        var stored = (await db.Subscriptions.AsNoTracking().Where(s => s.ProfileId == profileId).ToListAsync())
            .Select(s => (s.ExternalUserId, s.UserPrincipalName, s.DisplayName ?? ""))
            .OrderBy(s => s.ExternalUserId, StringComparer.Ordinal)
            .ToList();
        var expected = sim.ExpectedSubscriptions();
        if (stored.SequenceEqual(expected))
        {
            return null;
        }

        var missing = expected.Except(stored).Take(3);
        var extra = stored.Except(expected).Take(3);
        return $"the stored subscriptions ({stored.Count}) are not the vendor's users ({expected.Count}): missing {string.Join(", ", missing)}; extra {string.Join(", ", extra)}";
    }

    // A correct activity update leaves what a clean one leaves: run a clean one after it and compare. Users on call
    // now get "now" again, so last activity at or after the faulted run's start counts as equal.
    private static async Task<string?> ActivityIsWrongAsync(FaultHarness harness, Guid profileId, DateTimeOffset started)
    {
        var afterFault = await ActivityStateAsync(harness, profileId);
        var candidatesAfterFault = await CandidateStatesAsync(harness, profileId);
        var clean = await harness.Profiles.RefreshActivityAsync(profileId);
        if (!clean.Succeeded)
        {
            return "the clean activity update after it failed: " + clean.Execution.Error;
        }

        var afterClean = await ActivityStateAsync(harness, profileId);
        var differences = afterFault.Zip(afterClean)
            .Where(p => p.First.Key != p.Second.Key || p.First.Value != p.Second.Value && !(p.First.Value >= started && p.Second.Value >= started))
            .Select(p => $"{p.First.Key}: {p.First.Value:O} then {p.Second.Value:O}")
            .ToList();
        if (afterFault.Count != afterClean.Count || differences.Count > 0)
        {
            return $"a clean update then changed last activity: {string.Join("; ", differences.Take(3))}";
        }

        var candidatesAfterClean = await CandidateStatesAsync(harness, profileId);
        if (!candidatesAfterFault.SequenceEqual(candidatesAfterClean))
        {
            return $"a clean update then changed the candidates: {string.Join("; ", candidatesAfterFault.Except(candidatesAfterClean).Concat(candidatesAfterClean.Except(candidatesAfterFault)).Take(3))}";
        }

        return null;
    }

    private static async Task<List<KeyValuePair<string, DateTimeOffset?>>> ActivityStateAsync(FaultHarness harness, Guid profileId)
    {
        await using var db = harness.Store.CreateContext();
        return (await db.Subscriptions.AsNoTracking().Where(s => s.ProfileId == profileId).ToListAsync())
            .Select(s => new KeyValuePair<string, DateTimeOffset?>(s.ExternalUserId, s.LastActivity))
            .OrderBy(p => p.Key, StringComparer.Ordinal)
            .ToList();
    }

    private static async Task<List<string>> CandidateStatesAsync(FaultHarness harness, Guid profileId)
    {
        await using var db = harness.Store.CreateContext();
        return (await db.Candidates.AsNoTracking().Where(c => c.ProfileId == profileId).ToListAsync())
            .Select(c => $"{c.Number} {c.ExternalUserId} {c.State}")
            .Order(StringComparer.Ordinal)
            .ToList();
    }
}
