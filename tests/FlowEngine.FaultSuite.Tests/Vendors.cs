using FlowEngine.Simulators;

namespace FlowEngine.FaultSuite.Tests;

/// <summary>One vendor's simulator, seen the same way for both vendors: its faults, its users, its alias.</summary>
internal abstract class VendorUnderTest : IAsyncDisposable
{
    /// <summary>The vendor's name as messages give it (the alias's display name).</summary>
    public abstract string Vendor { get; }

    public abstract string Alias { get; }

    /// <summary>The spoke id a profile is created for.</summary>
    public abstract string Spoke { get; }

    public abstract string BaseUrl { get; }

    public abstract string ApiToken { get; }

    /// <summary>What a correct download stores: external user id, user principal name and display name of every user.</summary>
    public abstract IReadOnlyList<(string Id, string Upn, string Name)> ExpectedSubscriptions();

    /// <summary>Requests the simulator received so far.</summary>
    public abstract int Requests { get; }

    public abstract void StartAfter(int requests);

    public abstract void RateLimitNext(int count);

    public abstract void FailNext(int count, int status);

    public abstract void DelayNext(int count, TimeSpan delay);

    public abstract void DropConnectionNext(int count);

    public abstract void MalformedJsonNext(int count);

    public abstract void RepeatPageAfter(int pages);

    public abstract void RevokeApiTokenAfter(int requests);

    /// <summary>Disarms every fault and lets the API token work again.</summary>
    public abstract void Reset();

    public abstract ValueTask DisposeAsync();
}

internal sealed class PagerDutyUnderTest(PagerDutySimulator sim) : VendorUnderTest
{
    public static async Task<VendorUnderTest> StartAsync(int users) =>
        new PagerDutyUnderTest(await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = users }));

    public override string Vendor => "PagerDuty";

    public override string Alias => FaultHarness.PagerDutyAlias;

    public override string Spoke => "pagerduty";

    public override string BaseUrl => sim.BaseUrl;

    public override string ApiToken => sim.ApiToken;

    public override int Requests => sim.RequestCount("/");

    public override IReadOnlyList<(string Id, string Upn, string Name)> ExpectedSubscriptions() =>
        sim.Users.Select(u => (u.Id, u.Email.ToLowerInvariant(), u.Name)).OrderBy(u => u.Id, StringComparer.Ordinal).ToList();

    public override void StartAfter(int requests) => sim.Faults.StartAfter(requests);

    // ratelimit-reset: 0, so honouring it does not slow the suite; the storm outlasts the retries by its length.
    public override void RateLimitNext(int count) => sim.Faults.RateLimitNext(count, 0);

    public override void FailNext(int count, int status) => sim.Faults.FailNext(count, status);

    public override void DelayNext(int count, TimeSpan delay) => sim.Faults.DelayNext(count, delay);

    public override void DropConnectionNext(int count) => sim.Faults.DropConnectionNext(count);

    public override void MalformedJsonNext(int count) => sim.Faults.MalformedJsonNext(count);

    public override void RepeatPageAfter(int pages) => sim.Faults.RepeatPageAfter(pages);

    public override void RevokeApiTokenAfter(int requests) => sim.Faults.RevokeApiTokenAfter(requests);

    public override void Reset()
    {
        sim.Faults.Clear();
        sim.Faults.RestoreApiToken();
    }

    public override ValueTask DisposeAsync() => sim.DisposeAsync();
}

internal sealed class RoadmunkUnderTest(RoadmunkSimulator sim) : VendorUnderTest
{
    public static async Task<VendorUnderTest> StartAsync(int users) =>
        new RoadmunkUnderTest(await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = users }));

    public override string Vendor => "Roadmunk";

    public override string Alias => FaultHarness.RoadmunkAlias;

    public override string Spoke => "roadmunk";

    public override string BaseUrl => sim.BaseUrl;

    public override string ApiToken => sim.ApiToken;

    public override int Requests => sim.RequestCount();

    // Without a user CSV attached, the download keeps every user, active or not.
    public override IReadOnlyList<(string Id, string Upn, string Name)> ExpectedSubscriptions() =>
        sim.Users.Select(u => (u.Id, u.Email.ToLowerInvariant(), $"{u.FirstName} {u.LastName}")).OrderBy(u => u.Id, StringComparer.Ordinal).ToList();

    public override void StartAfter(int requests) => sim.Faults.StartAfter(requests);

    public override void RateLimitNext(int count) => sim.Faults.RateLimitNext(count, 0);

    public override void FailNext(int count, int status) => sim.Faults.FailNext(count, status);

    public override void DelayNext(int count, TimeSpan delay) => sim.Faults.DelayNext(count, delay);

    public override void DropConnectionNext(int count) => sim.Faults.DropConnectionNext(count);

    public override void MalformedJsonNext(int count) => sim.Faults.MalformedJsonNext(count);

    public override void RepeatPageAfter(int pages) => sim.Faults.RepeatPageAfter(pages);

    public override void RevokeApiTokenAfter(int requests) => sim.Faults.RevokeApiTokenAfter(requests);

    public override void Reset()
    {
        sim.Faults.Clear();
        sim.Faults.RestoreApiToken();
    }

    public override ValueTask DisposeAsync() => sim.DisposeAsync();
}
