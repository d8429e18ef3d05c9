using FlowEngine.Definitions.Validation;
using FlowEngine.Persistence;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using FlowEngine.Runtime.Steps;
using FlowEngine.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;

namespace FlowEngine.Persistence.Tests;

public sealed class RetentionTests
{
    [Fact]
    public async Task Prune_DeletesExecutionsEndedBeforeTheCutoff_WithTheirSteps_AndKeepsNewerOnesAndOtherData()
    {
        var store = await FlowStore.OpenAsync(StoreOptions.Sqlite(Path.Combine(TestPaths.TempFolder(), "flowengine.db")));
        var executions = new EfExecutionStore(store);
        var handlers = StepHandlerRegistry.CreateDefault();
        var load = new FlowLoader(handlers.Catalog).LoadTexts([("x.yaml", "kind: flow\nid: demo.x\nversion: 1\nsteps:\n  - id: a\n    set: { n: 1 }\n  - id: b\n    log: hi\n")]);
        var definitions = new DefinitionSet();
        definitions.Add(load.Definitions.Single());
        await new EfDefinitionStore(store, TimeProvider.System).RegisterAsync(load.Definitions);
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 10, 1, 0, 0, 0, TimeSpan.Zero));
        var runner = new FlowRunner(handlers, definitions, executions, clock);

        var old = await runner.RunAsync(definitions.Find("demo.x", 1)!, new Dictionary<string, object?>());
        clock.Advance(TimeSpan.FromDays(20));
        var recent = await runner.RunAsync(definitions.Find("demo.x", 1)!, new Dictionary<string, object?>());

        var deleted = await executions.PruneAsync(clock.GetUtcNow().AddDays(-14), default);

        Assert.Equal(1, deleted);
        Assert.Null(await executions.GetAsync(old.Record.Id, default));
        Assert.Equal(2, (await executions.GetAsync(recent.Record.Id, default))!.Steps.Count);
        await using var db = store.CreateContext();
        Assert.Equal(0, await db.StepRecords.CountAsync(s => s.ExecutionId == old.Record.Id));
        Assert.Equal(1, await db.DefinitionVersions.CountAsync());
        Assert.Equal(ExecutionStatus.Completed, (await executions.GetAsync(recent.Record.Id, default))!.Status);
    }
}
