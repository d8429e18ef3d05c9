using FlowEngine.Definitions;
using FlowEngine.Definitions.Reading;
using FlowEngine.Definitions.Validation;
using FlowEngine.Persistence;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using FlowEngine.Runtime.Steps;
using FlowEngine.Tests.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Persistence.Tests;

public sealed class StoreTests
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
          - outputs: { greeting: "Hello {{ inputs.name }}" }
        """;

    private const string Caller = """
        kind: flow
        id: demo.caller
        version: 1
        outputs:
          greeting: { type: string }
        steps:
          - id: greet
            call: demo.greeter
            with: { name: Ana }
          - outputs: { greeting: "{{ steps.greet.outputs.greeting }}" }
        """;

    private static readonly StepHandlerRegistry Handlers = StepHandlerRegistry.CreateDefault();

    private static async Task<(FlowStore Store, EfDefinitionStore Definitions, string Path)> OpenAsync(string? path = null)
    {
        path ??= System.IO.Path.Combine(TestPaths.TempFolder(), "nested", "flowengine.db");
        var store = await FlowStore.OpenAsync(StoreOptions.Sqlite(path));
        return (store, new EfDefinitionStore(store, TimeProvider.System), path);
    }

    private static LoadResult Load(params (string File, string Text)[] files) => new FlowLoader(Handlers.Catalog).LoadTexts(files);

    [Fact]
    public async Task Open_SqliteConnections_UseWalWithSynchronousNormal_AndCheckpointEvery10000Pages_AlsoWhenPooledConnectionsComeBack()
    {
        var store = await FlowStore.OpenAsync(StoreOptions.Sqlite(Path.Combine(TestPaths.TempFolder(), "wal.db")));
        for (var round = 0; round < 3; round++)
        {
            // Each context takes a connection from the pool again; its settings must still be there.
            await using var db = store.CreateContext();
            await db.Database.OpenConnectionAsync();
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "PRAGMA journal_mode;";
            Assert.Equal("wal", await command.ExecuteScalarAsync());
            command.CommandText = "PRAGMA synchronous;";
            Assert.Equal(1L, await command.ExecuteScalarAsync()); // 1 = NORMAL (2 = FULL, the default)
            command.CommandText = "PRAGMA wal_autocheckpoint;";
            Assert.Equal(10000L, await command.ExecuteScalarAsync()); // SQLite's default is 1000
        }
    }

    [Fact]
    public async Task Open_NewPath_CreatesTheFileAndAppliesMigrations()
    {
        var (store, _, path) = await OpenAsync();
        Assert.True(File.Exists(path));
        Assert.Contains(await store.AppliedMigrationsAsync(), m => m.EndsWith("_Initial", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Register_SameContentTwice_IsUnchanged_AndEditedContentUnderSameVersion_IsAConflictThatKeepsTheStoredVersion()
    {
        var (_, definitions, _) = await OpenAsync();
        var first = await definitions.RegisterAsync(Load(("flows/greeter.yaml", Greeter)).Definitions);
        Assert.Equal(RegistrationOutcome.Added, first.Single().Outcome);

        var again = await definitions.RegisterAsync(Load(("flows/greeter.yaml", Greeter)).Definitions);
        Assert.Equal(RegistrationOutcome.Unchanged, again.Single().Outcome);

        var edited = Greeter.Replace("Hello", "Hi", StringComparison.Ordinal);
        var conflict = (await definitions.RegisterAsync(Load(("flows/greeter.yaml", edited)).Definitions)).Single();
        Assert.Equal(RegistrationOutcome.Conflict, conflict.Outcome);
        var d = conflict.Diagnostic!;
        Assert.Equal((Codes.VersionConflict, "flows/greeter.yaml", 3, 10), (d.Code, d.File, d.Line, d.Column));
        Assert.Contains("set 'version: 2'", d.Message, StringComparison.Ordinal);

        var stored = await definitions.ListAsync("demo.greeter");
        Assert.Equal(Greeter, stored.Single().SourceText);

        var bumped = edited.Replace("version: 1", "version: 2", StringComparison.Ordinal);
        Assert.Equal(RegistrationOutcome.Added, (await definitions.RegisterAsync(Load(("flows/greeter.yaml", bumped)).Definitions)).Single().Outcome);
        var versions = await definitions.ListAsync("demo.greeter");
        Assert.Equal([1, 2], versions.Select(v => v.Version));
        Assert.All(versions, v => Assert.Equal(VersionStatus.Published, v.Status));
        Assert.NotEqual(versions[0].Hash, versions[1].Hash);
    }

    [Fact]
    public async Task Run_CallWithoutVersion_TakesLatestPublished_AndExecutionKeepsItsPinnedVersion()
    {
        var (store, definitions, _) = await OpenAsync();
        await definitions.RegisterAsync(Load(("greeter.yaml", Greeter), ("caller.yaml", Caller)).Definitions);
        var executions = new EfExecutionStore(store);
        var reader = new DefinitionReader(Handlers.Catalog);

        var lookup = await definitions.LoadAsync(reader);
        var runner = new FlowRunner(Handlers, lookup, executions, TimeProvider.System);
        var before = await runner.RunAsync(lookup.Find("demo.caller", null)!, new Dictionary<string, object?>());
        Assert.Equal("Hello Ana", before.Outputs["greeting"]);

        var v2 = Greeter.Replace("version: 1", "version: 2", StringComparison.Ordinal).Replace("Hello", "Hi", StringComparison.Ordinal);
        await definitions.RegisterAsync(Load(("greeter.yaml", v2)).Definitions);
        var v3Draft = Greeter.Replace("version: 1", "version: 3", StringComparison.Ordinal).Replace("Hello", "Draft", StringComparison.Ordinal);
        await definitions.RegisterAsync(Load(("greeter.yaml", v3Draft)).Definitions);
        await definitions.SetStatusAsync("demo.greeter", 3, VersionStatus.Draft);

        lookup = await definitions.LoadAsync(reader);
        runner = new FlowRunner(Handlers, lookup, executions, TimeProvider.System);
        var after = await runner.RunAsync(lookup.Find("demo.caller", null)!, new Dictionary<string, object?>());
        Assert.Equal("Hi Ana", after.Outputs["greeting"]);

        var stored = (await executions.GetAsync(after.Record.Id, default))!;
        Assert.Contains("\"$definition\":\"demo.greeter@2\"", stored.Steps.Single(s => s.StepId == "greet").InputsJson, StringComparison.Ordinal);
        var old = (await executions.GetAsync(before.Record.Id, default))!;
        Assert.Contains("\"$definition\":\"demo.greeter@1\"", old.Steps.Single(s => s.StepId == "greet").InputsJson, StringComparison.Ordinal);
        Assert.Equal(ExecutionStatus.Completed, old.Status);
    }

    [Fact]
    public async Task Run_RecordsEveryStepInSqlite_AndTheSecretIsNowhereInTheFile()
    {
        var (store, definitions, path) = await OpenAsync();
        await definitions.RegisterAsync(Load(("greeter.yaml", Greeter)).Definitions);
        var executions = new EfExecutionStore(store);
        var lookup = await definitions.LoadAsync(new DefinitionReader(Handlers.Catalog));
        var runner = new FlowRunner(Handlers, lookup, executions, TimeProvider.System);

        var result = await runner.RunAsync(lookup.Find("demo.greeter", 1)!, new Dictionary<string, object?> { ["name"] = "Bo", ["api_key"] = "KEY-9f8e7d6c5b4a" });

        var stored = (await executions.GetAsync(result.Record.Id, default))!;
        Assert.Equal(ExecutionStatus.Completed, stored.Status);
        Assert.Equal(2, stored.Steps.Count);
        Assert.All(stored.Steps, s => Assert.True(s.EndedAt >= s.StartedAt));
        Assert.Equal("""{"greeting":"Hello Bo"}""", stored.OutputsJson);
        Assert.Equal("""{"header":"ApiKey ********"}""", stored.Steps[0].InputsJson);
        Assert.NotNull(await executions.GetCheckpointAsync(result.Record.Id, default));

        SqliteConnection.ClearAllPools();
        var bytes = string.Concat(new[] { path, path + "-wal" }.Where(File.Exists).Select(f => System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(f))));
        Assert.Contains("Hello Bo", bytes, StringComparison.Ordinal);
        Assert.DoesNotContain("KEY-9f8e7d6c5b4a", bytes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Open_ExistingFile_KeepsItsData()
    {
        var (store, definitions, path) = await OpenAsync();
        await definitions.RegisterAsync(Load(("greeter.yaml", Greeter)).Definitions);
        await using (var db = store.CreateContext())
        {
            Assert.Equal(1, await db.DefinitionVersions.CountAsync());
        }

        SqliteConnection.ClearAllPools();
        var (reopened, again, _) = await OpenAsync(path);
        Assert.Single(await again.ListAsync());
        Assert.Equal(await store.AppliedMigrationsAsync(), await reopened.AppliedMigrationsAsync());
    }

    [Fact]
    public async Task Open_UnknownProvider_SaysWhatIsAvailable()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => FlowStore.OpenAsync(new StoreOptions { Provider = "oracle", ConnectionString = "x" }));
        Assert.Contains("use 'sqlite' (the default) or 'postgresql'", ex.Message, StringComparison.Ordinal);
    }
}
