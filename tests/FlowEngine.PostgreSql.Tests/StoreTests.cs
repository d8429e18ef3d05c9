using FlowEngine.Definitions.Reading;
using FlowEngine.Definitions.Validation;
using FlowEngine.LicenseManagement;
using FlowEngine.Persistence;
using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using FlowEngine.Runtime.Steps;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace FlowEngine.PostgreSql.Tests;

/// <summary>FlowEngine's store on PostgreSQL: migrations, and the same round trips the SQLite store is tested with.</summary>
public sealed class StoreTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    private const string Greeter = """
        kind: subflow
        id: demo.greeter
        version: 1
        inputs:
          name: { type: string }
          api_key: { type: secret, required: false }
        outputs:
          greeting: { type: string }
        steps:
          - id: auth
            set: { header: "ApiKey {{ inputs.api_key }}" }
          - id: each
            for_each: "{{ [1, 2, 3] }}"
            as: n
            do:
              - append: { to: vars.seen, value: "{{ n }}" }
          - outputs: { greeting: "Hello {{ inputs.name }}" }
        """;

    private static readonly StepHandlerRegistry Handlers = StepHandlerRegistry.CreateDefault();

    private Task<FlowStore> OpenAsync() => FlowStore.OpenAsync(StoreOptions.PostgreSql(database.ConnectionString));

    [Fact]
    public async Task Open_EmptyDatabase_AppliesEveryPostgreSqlMigration_AndTheModelHasNoPendingChanges()
    {
        var store = await OpenAsync();
        await using var db = store.CreateContext();

        Assert.True(db.Database.IsNpgsql());
        var applied = await store.AppliedMigrationsAsync();
        Assert.NotEmpty(applied);
        Assert.Equal(db.Database.GetMigrations(), applied);
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());

        // Fails when the model changed and no PostgreSQL migration was added for it: run scripts/add-migration.sh <Name>.
        Assert.False(
            db.Database.HasPendingModelChanges(),
            "the PostgreSQL migrations are behind the model; run 'scripts/add-migration.sh <Name>' (it adds the migration for SQLite and PostgreSQL)");

        // Opening again (another node starting) applies nothing and keeps the history.
        var again = await OpenAsync();
        Assert.Equal(applied, await again.AppliedMigrationsAsync());
    }

    [Fact]
    public async Task Open_ThreeNodesAtOnceOnAnEmptyDatabase_AllStart_AndTheMigrationsApplyOnce()
    {
        var fresh = new PostgresDatabase();
        await fresh.InitializeAsync();
        try
        {
            var stores = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => FlowStore.OpenAsync(StoreOptions.PostgreSql(fresh.ConnectionString)))));

            await using var db = stores[0].CreateContext();
            Assert.Equal(db.Database.GetMigrations(), await stores[2].AppliedMigrationsAsync());
        }
        finally
        {
            await fresh.DisposeAsync();
        }
    }

    [Fact]
    public async Task Definitions_RoundTrip_VersionsHashesAndConflicts()
    {
        var store = await OpenAsync();
        var definitions = new EfDefinitionStore(store, TimeProvider.System);
        var id = $"demo.greeter_{Guid.NewGuid():N}"[..24];
        var text = Greeter.Replace("demo.greeter", id, StringComparison.Ordinal);

        Assert.Equal(RegistrationOutcome.Added, (await definitions.RegisterAsync(Load(("greeter.yaml", text)).Definitions)).Single().Outcome);
        Assert.Equal(RegistrationOutcome.Unchanged, (await definitions.RegisterAsync(Load(("greeter.yaml", text)).Definitions)).Single().Outcome);
        var edited = text.Replace("Hello", "Hi", StringComparison.Ordinal);
        Assert.Equal(RegistrationOutcome.Conflict, (await definitions.RegisterAsync(Load(("greeter.yaml", edited)).Definitions)).Single().Outcome);
        var v2 = edited.Replace("version: 1", "version: 2", StringComparison.Ordinal);
        Assert.Equal(RegistrationOutcome.Added, (await definitions.RegisterAsync(Load(("greeter.yaml", v2)).Definitions)).Single().Outcome);

        var versions = await definitions.ListAsync(id);
        Assert.Equal([1, 2], versions.Select(v => v.Version));
        Assert.Equal(text, versions[0].SourceText);
        Assert.Equal(v2, versions[1].SourceText);
        Assert.NotEqual(versions[0].Hash, versions[1].Hash);
    }

    [Fact]
    public async Task Executions_RoundTrip_StepRecordsCheckpointsAndMaskedSecrets()
    {
        var store = await OpenAsync();
        var definitions = new EfDefinitionStore(store, TimeProvider.System);
        await definitions.RegisterAsync(Load(("greeter.yaml", Greeter)).Definitions);
        var executions = new EfExecutionStore(store);
        var lookup = await definitions.LoadAsync(new DefinitionReader(Handlers.Catalog));
        var runner = new FlowRunner(Handlers, lookup, executions, TimeProvider.System);

        var result = await runner.RunAsync(lookup.Find("demo.greeter", 1)!, new Dictionary<string, object?> { ["name"] = "Bo", ["api_key"] = "KEY-9f8e7d6c5b4a" });

        var stored = (await executions.GetAsync(result.Record.Id, default))!;
        Assert.Equal(ExecutionStatus.Completed, stored.Status);
        Assert.Equal(result.Record.StartedAt, stored.StartedAt);
        Assert.Equal("""{"greeting":"Hello Bo"}""", stored.OutputsJson);
        Assert.Equal("""{"header":"ApiKey ********"}""", stored.Steps[0].InputsJson);
        Assert.True(stored.Steps.Count >= 6, $"expected the set, the loop with three appends and the outputs; got {stored.Steps.Count}");
        Assert.Equal(stored.Steps.OrderBy(s => s.Sequence).Select(s => s.Sequence), stored.Steps.Select(s => s.Sequence));
        Assert.All(stored.Steps, s => Assert.True(s.EndedAt >= s.StartedAt));
        Assert.NotNull(await executions.GetCheckpointAsync(result.Record.Id, default));
        Assert.Contains(result.Record.Id, (await executions.ListAsync("demo.greeter", 10, default)).Select(e => e.Id));
        Assert.Equal([result.Record.Id], await executions.FindByPrefixAsync(result.Record.Id.ToString()[..13], default));

        // The secret is in no column of any table.
        await using var connection = new NpgsqlConnection(database.ConnectionString);
        await connection.OpenAsync();
        foreach (var table in new[] { "executions", "step_records", "execution_checkpoints" })
        {
            await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table} t WHERE t::text LIKE '%KEY-9f8e7d6c5b4a%'", connection);
            Assert.Equal(0L, (long)(await command.ExecuteScalarAsync())!);
        }
    }

    [Fact]
    public async Task LicenseData_RoundTrips_ProfilesSubscriptionsActivityAndCandidates()
    {
        var store = await OpenAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var sam = new SamStore(store, clock);
        var profileId = Guid.CreateVersion7();
        await using (var db = store.CreateContext())
        {
            db.Profiles.Add(new IntegrationProfileEntity
            {
                Id = profileId,
                DisplayName = $"PagerDuty Integration {profileId:N}",
                Vendor = "pagerduty",
                ProfileType = "PagerDuty Subscription",
                AliasId = "sn_pagerduty_spoke.PagerDuty",
                Status = ProfileStatus.Published,
                AnalyzeActivityFrom = clock.GetUtcNow().AddDays(-60),
                CreatedAt = clock.GetUtcNow(),
                UpdatedAt = clock.GetUtcNow(),
            });
            db.Rules.Add(new ReclamationRuleEntity { Id = Guid.CreateVersion7(), Name = "idle after 60 days", ProfileId = profileId, LastActivityThresholdDays = 60, CreatedAt = clock.GetUtcNow() });
            await db.SaveChangesAsync();
        }

        var longAgo = clock.GetUtcNow().AddDays(-400);
        // 150 users, so that candidates are written in more than one statement of at most 64 rows.
        var users = Enumerable.Range(1, 150)
            .Select(i => new DownloadedUser($"P{i:D4}", $"user{i}@acme.example.com", $"User {i}", longAgo, null, null))
            .ToList();
        var summary = await sam.ReplaceSubscriptionsAsync(profileId, users, default);
        Assert.Equal((150, 0, 0), (summary.Added, summary.Updated, summary.Removed));

        // Half the users were active ten days ago; the others never.
        var recent = clock.GetUtcNow().AddDays(-10);
        Assert.Equal(75, await sam.UpdateActivityAsync(profileId, users.Take(75).Select(u => ((string?)u.ExternalUserId, (string?)null, recent)), default));
        Assert.Equal(0, await sam.UpdateActivityAsync(profileId, users.Take(75).Select(u => ((string?)u.ExternalUserId, (string?)null, recent.AddDays(-1))), default));

        var (created, canceled) = await sam.EvaluateCandidatesAsync(profileId, default);
        Assert.Equal((75, 0), (created, canceled));

        await using (var db = store.CreateContext())
        {
            var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => s.ProfileId == profileId).OrderBy(s => s.ExternalUserId).ToListAsync();
            Assert.Equal(150, subscriptions.Count);
            Assert.Equal(recent, subscriptions[0].LastActivity);
            Assert.Equal(longAgo, subscriptions[0].ExternalCreated);
            Assert.Null(subscriptions[149].LastActivity);

            // DateTimeOffset columns are UTC ticks on both providers, so they order and compare in SQL.
            Assert.Equal(75, await db.Subscriptions.CountAsync(s => s.ProfileId == profileId && s.LastActivity > clock.GetUtcNow().AddDays(-30)));

            var candidates = await db.Candidates.AsNoTracking().Where(c => c.ProfileId == profileId).OrderBy(c => c.Number).ToListAsync();
            Assert.Equal(75, candidates.Count);
            Assert.All(candidates, c => Assert.Equal(CandidateState.Ready, c.State));
            Assert.Equal(Enumerable.Range(76, 75).Select(i => $"P{i:D4}"), candidates.Select(c => c.ExternalUserId).Order(StringComparer.Ordinal));
            Assert.Matches("^RCC[0-9]{7}$", candidates[0].Number);
            Assert.Equal(75, await db.CandidateHistory.CountAsync(h => candidates.Select(c => c.Id).Contains(h.CandidateId)));
        }

        // A user active again cancels their candidate.
        Assert.Equal(1, await sam.UpdateActivityAsync(profileId, [("P0076", null, clock.GetUtcNow().AddDays(-1))], default));
        Assert.Equal((0, 1), await sam.EvaluateCandidatesAsync(profileId, default));
    }

    [Fact]
    public async Task StagedDownload_SetBasedSql_RunsOnPostgreSql_AddsUpdatesAndRemoves()
    {
        var store = await OpenAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var sam = new SamStore(store, clock);
        var staging = new SubscriptionStaging(sam);
        var profileId = await AddProfileAsync(store, clock, softwareModel: true);

        var created = clock.GetUtcNow().AddDays(-100);
        var users = Enumerable.Range(1, 12).Select(i => new DownloadedUser($"S{i:D4}", $"s{i}@acme.example.com", i % 2 == 0 ? null : $"S {i}", created, null, null)).ToList();
        var first = Guid.CreateVersion7();
        await CreateExecutionAsync(store, first, clock);
        Assert.Equal(6, await staging.StageAsync(first, 1, profileId, users[..6], default));
        Assert.Equal(6, await staging.StageAsync(first, 1, profileId, users[6..], default));
        var summary = await staging.CommitAsync(first, profileId, default);
        Assert.Equal((12, 0, 0, 12), (summary.Added, summary.Updated, summary.Removed, summary.Total));

        // Next download: one user gone, one renamed, one active, one with a later creation date (kept earliest), one new.
        var next = users.Skip(1).Select(u => u.ExternalUserId switch
        {
            "S0002" => u with { DisplayName = "Renamed" },
            "S0003" => u with { LastActivity = clock.GetUtcNow().AddDays(-2) },
            "S0004" => u with { ExternalCreated = clock.GetUtcNow() },
            _ => u,
        }).Append(new DownloadedUser("S0099", "new@acme.example.com", null, null, null, null)).ToList();
        var second = Guid.CreateVersion7();
        await CreateExecutionAsync(store, second, clock);
        await staging.StageAsync(second, 1, profileId, next, default);
        summary = await staging.CommitAsync(second, profileId, default);
        Assert.Equal((1, 2, 1, 12), (summary.Added, summary.Updated, summary.Removed, summary.Total));

        await using var db = store.CreateContext();
        var stored = await db.Subscriptions.AsNoTracking().Where(s => s.ProfileId == profileId).ToDictionaryAsync(s => s.ExternalUserId);
        Assert.Equal(12, stored.Count);
        Assert.DoesNotContain("S0001", stored.Keys);
        Assert.Equal("Renamed", stored["S0002"].DisplayName);
        Assert.Equal(clock.GetUtcNow().AddDays(-2), stored["S0003"].LastActivity);
        Assert.Equal(created, stored["S0004"].ExternalCreated);
        Assert.NotNull(stored["S0099"].SoftwareModelId);
        Assert.Empty(await db.StagedPages.Where(s => s.ProfileId == profileId).ToListAsync());

        // A vendor that repeats users across pages is refused, changing nothing.
        var third = Guid.CreateVersion7();
        await CreateExecutionAsync(store, third, clock);
        await staging.StageAsync(third, 1, profileId, next[..3], default);
        await staging.StageAsync(third, 1, profileId, next[2..5], default);
        await Assert.ThrowsAsync<InvalidOperationException>(() => staging.CommitAsync(third, profileId, default));

        // A page read again by a resumed attempt: the later attempt's copy is kept, and it is not a repeat.
        var fourth = Guid.CreateVersion7();
        await CreateExecutionAsync(store, fourth, clock);
        await staging.StageAsync(fourth, 1, profileId, next[..6], default);
        await staging.StageAsync(fourth, 2, profileId, next[5..].Select(u => u.ExternalUserId == "S0007" ? u with { DisplayName = "Again" } : u).ToList(), default);
        summary = await staging.CommitAsync(fourth, profileId, default);
        Assert.Equal((0, 1, 0, 12), (summary.Added, summary.Updated, summary.Removed, summary.Total));
        Assert.Equal("Again", (await db.Subscriptions.AsNoTracking().SingleAsync(s => s.ProfileId == profileId && s.ExternalUserId == "S0007")).DisplayName);
        Assert.Empty(await db.StagedPages.Where(s => s.ExecutionId == fourth).ToListAsync());
    }

    [Fact]
    public async Task StagedDownload_ProfileWithoutSoftwareModel_BindsANullId()
    {
        var store = await OpenAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var staging = new SubscriptionStaging(new SamStore(store, clock));
        var profileId = await AddProfileAsync(store, clock, softwareModel: false);
        var execution = Guid.CreateVersion7();
        await CreateExecutionAsync(store, execution, clock);

        await staging.StageAsync(execution, 1, profileId, [new DownloadedUser("N0001", "n1@acme.example.com", null, null, null, null)], default);
        var summary = await staging.CommitAsync(execution, profileId, default);

        Assert.Equal((1, 0, 0, 1), (summary.Added, summary.Updated, summary.Removed, summary.Total));
        await using var db = store.CreateContext();
        Assert.Null((await db.Subscriptions.AsNoTracking().SingleAsync(s => s.ProfileId == profileId)).SoftwareModelId);
    }

    private static async Task<Guid> AddProfileAsync(FlowStore store, TimeProvider clock, bool softwareModel)
    {
        var id = Guid.CreateVersion7();
        await using var db = store.CreateContext();
        Guid? modelId = null;
        if (softwareModel)
        {
            modelId = Guid.CreateVersion7();
            db.SoftwareModels.Add(new SoftwareModelEntity { Id = modelId.Value, Name = "PagerDuty", Publisher = "PagerDuty, Inc.", Product = "PagerDuty", Identifier = $"pagerduty-{id:N}", CreatedAt = clock.GetUtcNow() });
        }

        db.Profiles.Add(new IntegrationProfileEntity
        {
            Id = id,
            DisplayName = $"Profile {id:N}",
            Vendor = "pagerduty",
            ProfileType = "PagerDuty Subscription",
            AliasId = "sn_pagerduty_spoke.PagerDuty",
            Status = ProfileStatus.Published,
            SoftwareModelId = modelId,
            AnalyzeActivityFrom = clock.GetUtcNow().AddDays(-60),
            CreatedAt = clock.GetUtcNow(),
            UpdatedAt = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync();
        return id;
    }

    private static async Task CreateExecutionAsync(FlowStore store, Guid id, TimeProvider clock)
    {
        await new EfExecutionStore(store).CreateAsync(
            new ExecutionRecord { Id = id, DefinitionId = "pagerduty.download_subscriptions", DefinitionHash = "test", Version = 1, Status = ExecutionStatus.Running, StartedAt = clock.GetUtcNow(), InputsJson = "{}" },
            default);
    }

    [Fact]
    public async Task RunLocks_OneHolderAtATime_AndAnExpiredLockIsTakenOver()
    {
        var store = await OpenAsync();
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 12, 0, 0, TimeSpan.Zero));
        var locks = new RunLocks(store, clock);
        var name = $"reclaim:{Guid.NewGuid():N}";

        await using var first = await locks.TryAcquireAsync(name, "node-a", TimeSpan.FromSeconds(30), null, default);
        Assert.NotNull(first);
        Assert.Null(await locks.TryAcquireAsync(name, "node-b", TimeSpan.FromSeconds(30), null, default));

        // A failed insert must not poison anything on PostgreSQL: the next attempt works normally.
        clock.Advance(TimeSpan.FromMinutes(5));
        await using var second = await locks.TryAcquireAsync(name, "node-b", TimeSpan.FromSeconds(30), null, default);
        Assert.NotNull(second);
        Assert.StartsWith("node-b/", (await locks.FindAsync(name, default))!.Holder, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrencyKey_TwoRunningExecutions_TheSecondIsAConflictNamingTheFirst()
    {
        var store = await OpenAsync();
        var executions = new EfExecutionStore(store);
        var key = $"download:{Guid.NewGuid():N}";
        var first = new ExecutionRecord { Id = Guid.CreateVersion7(), DefinitionId = "pagerduty.download_subscriptions", DefinitionHash = "test", Version = 1, Status = ExecutionStatus.Running, StartedAt = DateTimeOffset.UtcNow, ConcurrencyKey = key };
        await executions.CreateAsync(first, default);

        var second = new ExecutionRecord { Id = Guid.CreateVersion7(), DefinitionId = "pagerduty.download_subscriptions", DefinitionHash = "test", Version = 1, Status = ExecutionStatus.Running, StartedAt = DateTimeOffset.UtcNow, ConcurrencyKey = key };
        var conflict = await Assert.ThrowsAsync<ExecutionConflictException>(() => executions.CreateAsync(second, default));
        Assert.Equal(first.Id, conflict.Running);
    }

    [Fact]
    public async Task Open_UnreachableServer_SaysWhereAndWhatToDo_WithoutThePassword()
    {
        var options = StoreOptions.PostgreSql("Host=127.0.0.1;Port=1;Database=flowengine;Username=flowengine;Password=s3cret-Pa55;Timeout=3");

        var ex = await Assert.ThrowsAsync<StoreUnavailableException>(() => FlowStore.OpenAsync(options));

        Assert.Contains("cannot reach PostgreSQL at 127.0.0.1:1", ex.Message, StringComparison.Ordinal);
        Assert.Contains("is it running", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Pa55", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Pa55", FlowStore.Describe(options), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Pa55", options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-Pa55", Scheduling.SchedulerOptions.PostgreSql(options.ConnectionString, "node-a").ToString(), StringComparison.Ordinal);
        Assert.Contains("password=********", FlowStore.Describe(options), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("postgresql")]
    [InlineData("postgres")]
    [InlineData("PostgreSQL")]
    public void Provider_PostgreSqlAndItsAlias_ChooseNpgsql(string provider)
    {
        var options = new StoreOptions { Provider = provider, ConnectionString = database.ConnectionString };
        Assert.True(options.IsPostgreSql);
        using var db = new FlowEngineDbContext(options.Build());
        Assert.True(db.Database.IsNpgsql());
    }

    private static LoadResult Load(params (string File, string Text)[] files) => new FlowLoader(Handlers.Catalog).LoadTexts(files);
}
