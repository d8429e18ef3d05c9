using FlowEngine.Persistence;
using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;

namespace FlowEngine.LicenseManagement.Tests;

/// <summary>
/// The download's staged pages on the embedded SQLite store: a page read again after a resume replaces what the earlier
/// attempt staged, a user received twice by one attempt is refused with nothing changed, and a commit leaves no staged
/// page behind.
/// </summary>
public sealed class StagingTests
{
    private static DownloadedUser User(int i, string? name = null) => new($"U{i:D4}", $"u{i}@acme.example.com", name ?? $"User {i}", null, null, null);

    [Fact]
    public async Task APageStagedAgainByAResumedAttempt_IsTheOneKept_AndNothingIsLeftStaged()
    {
        var harness = await SamHarness.CreateAsync();
        var profile = await harness.Profiles.CreateAsync("pagerduty", "Staging", null, true, true);
        var staging = new SubscriptionStaging(harness.Sam);
        var execution = Guid.CreateVersion7();

        // Attempt 1 staged three pages (one of them empty) before the node died; attempt 2 reads the second page again (one user renamed).
        await staging.StageAsync(execution, 1, profile.Id, [User(1), User(2)], default);
        await staging.StageAsync(execution, 1, profile.Id, [], default);
        await staging.StageAsync(execution, 1, profile.Id, [User(3), User(4, "Before")], default);
        await staging.StageAsync(execution, 2, profile.Id, [User(3), User(4, "After"), User(5)], default);
        var summary = await staging.CommitAsync(execution, profile.Id, default);

        Assert.Equal((5, 0, 0, 5), (summary.Added, summary.Updated, summary.Removed, summary.Total));
        var stored = (await harness.SubscriptionsAsync(profile.Id)).ToDictionary(s => s.ExternalUserId);
        Assert.Equal(["U0001", "U0002", "U0003", "U0004", "U0005"], stored.Keys.Order());
        Assert.Equal("After", stored["U0004"].DisplayName);
        Assert.Equal(5, stored.Values.Select(s => s.Id).Distinct().Count());
        Assert.Equal(0, await harness.QueryAsync(db => db.StagedPages.CountAsync()));
    }

    [Theory]
    [InlineData("across two pages")]
    [InlineData("twice in one page")]
    public async Task AUserReceivedTwiceByOneAttempt_IsRefused_AndTheSubscriptionsAreUnchanged(string how)
    {
        var harness = await SamHarness.CreateAsync();
        var profile = await harness.Profiles.CreateAsync("pagerduty", "Staging", null, true, true);
        var staging = new SubscriptionStaging(harness.Sam);
        var first = Guid.CreateVersion7();
        await staging.StageAsync(first, 1, profile.Id, [User(1), User(2), User(3)], default);
        await staging.CommitAsync(first, profile.Id, default);

        var second = Guid.CreateVersion7();
        if (how == "across two pages")
        {
            await staging.StageAsync(second, 1, profile.Id, [User(1), User(2, "Renamed")], default);
            await staging.StageAsync(second, 1, profile.Id, [User(2, "Renamed"), User(4)], default);
        }
        else
        {
            await staging.StageAsync(second, 1, profile.Id, [User(1), User(2, "Renamed"), User(2, "Renamed"), User(4)], default);
        }

        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => staging.CommitAsync(second, profile.Id, default));

        Assert.Equal("the download returned the same user more than once (U0002): the vendor's pages overlap, so users may also be missing; nothing was stored", refused.Message);
        var stored = await harness.SubscriptionsAsync(profile.Id);
        Assert.Equal(["U0001", "U0002", "U0003"], stored.Select(s => s.ExternalUserId).Order());
        Assert.Equal("User 2", stored.Single(s => s.ExternalUserId == "U0002").DisplayName);
    }

    [Fact]
    public async Task UsersStagedBeforeTheUpgrade_AreKeptByTheMigration_AndAUserReceivedTwiceIsStillRefused()
    {
        // A store as the release before staged pages left it, with two downloads interrupted mid-way.
        var database = Path.Combine(TestPaths.TempFolder(), "flowengine.db");
        var (clean, repeating) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await using (var old = new FlowEngineDbContext(new DbContextOptionsBuilder<FlowEngineDbContext>().UseSqlite($"Data Source={database}").Options))
        {
            await old.GetService<IMigrator>().MigrateAsync("20261125155231_Durability");
            foreach (var (execution, user, repeated) in new[] { (clean, "U0001", 0), (clean, "U0002", 0), (repeating, "U0003", 1) })
            {
                await old.Database.ExecuteSqlRawAsync(
                    """
                    INSERT INTO sam_staged_subscriptions ("ExecutionId", "ExternalUserId", "ProfileId", "NewId", "UserPrincipalName", "DisplayName", "LastActivity", "ExternalCreated", "Identifier", "Attempt", "Repeated")
                    VALUES ({0}, {1}, {2}, {3}, {4}, NULL, {5}, NULL, NULL, 1, {6})
                    """,
                    execution.ToString().ToUpperInvariant(), user, Guid.CreateVersion7().ToString().ToUpperInvariant(), Guid.CreateVersion7().ToString().ToUpperInvariant(),
                    $"{user.ToLowerInvariant()}@acme.example.com", new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero).UtcTicks, repeated);
            }
        }

        var harness = await SamHarness.CreateAsync(database: database);
        var profile = await harness.Profiles.CreateAsync("pagerduty", "Upgraded", null, true, true);
        var staging = new SubscriptionStaging(harness.Sam);

        var summary = await staging.CommitAsync(clean, profile.Id, default);
        Assert.Equal((2, 0, 0, 2), (summary.Added, summary.Updated, summary.Removed, summary.Total));
        var stored = await harness.SubscriptionsAsync(profile.Id);
        Assert.Equal(["u0001@acme.example.com", "u0002@acme.example.com"], stored.Select(s => s.UserPrincipalName).Order());
        Assert.All(stored, s => Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), s.LastActivity));
        var refused = await Assert.ThrowsAsync<InvalidOperationException>(() => staging.CommitAsync(repeating, profile.Id, default));
        Assert.Contains("(U0003)", refused.Message, StringComparison.Ordinal);
    }
}
