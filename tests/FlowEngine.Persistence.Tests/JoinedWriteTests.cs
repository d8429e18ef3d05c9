using System.Data.Common;
using FlowEngine.Persistence;
using FlowEngine.Runtime.Records;
using FlowEngine.Tests.Shared;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Persistence.Tests;

/// <summary>A step's joined write commits with its execution's next store write, or not at all.</summary>
public sealed class JoinedWriteTests
{
    private static async Task<(FlowStore Store, EfExecutionStore Executions, Guid Execution)> OpenAsync()
    {
        var store = await FlowStore.OpenAsync(StoreOptions.Sqlite(Path.Combine(TestPaths.TempFolder(), "joined.db")));
        await using (var db = store.CreateContext())
        {
            await db.Database.ExecuteSqlRawAsync("CREATE TABLE probe (n INTEGER NOT NULL)");
        }

        var executions = new EfExecutionStore(store);
        var execution = new ExecutionRecord { Id = Guid.NewGuid(), DefinitionId = "demo.x", Version = 1, DefinitionHash = "h", InputsJson = "{}", StartedAt = DateTimeOffset.UtcNow, Status = ExecutionStatus.Running };
        await executions.CreateAsync(execution, default);
        return (store, executions, execution.Id);
    }

    private static Func<DbConnection, DbTransaction, CancellationToken, Task> Insert(int n) => async (connection, transaction, ct) =>
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"INSERT INTO probe (n) VALUES ({n})";
        await command.ExecuteNonQueryAsync(ct);
    };

    private static async Task<List<long>> ProbeAsync(FlowStore store)
    {
        await using var db = store.CreateContext();
        return await db.Database.SqlQueryRaw<long>("SELECT n AS Value FROM probe ORDER BY n").ToListAsync();
    }

    [Fact]
    public async Task AJoinedWrite_WaitsForTheExecutionsProgress_AndCommitsWithIt()
    {
        var (store, executions, id) = await OpenAsync();

        await executions.JoinAsync(id, Insert(1), default);
        await executions.JoinAsync(id, Insert(2), default);
        Assert.Empty(await ProbeAsync(store)); // queued, not written

        await executions.SaveProgressAsync(new ExecutionProgress { ExecutionId = id, StepPath = "users/fetch", StateJson = "{\"offset\":200}", SavedAt = DateTimeOffset.UtcNow }, default);

        Assert.Equal([1L, 2L], await ProbeAsync(store));
        Assert.Equal("{\"offset\":200}", (await executions.GetProgressAsync(id, "users/fetch", default))!.StateJson);
    }

    [Fact]
    public async Task WhenTheProgressCannotBeSaved_TheJoinedWriteIsNotStoredEither()
    {
        var (store, executions, id) = await OpenAsync();
        var unknown = Guid.NewGuid();

        // Progress of an execution that is not in the store breaks its foreign key: the whole transaction fails.
        await executions.JoinAsync(unknown, Insert(7), default);
        await Assert.ThrowsAnyAsync<Exception>(() => executions.SaveProgressAsync(new ExecutionProgress { ExecutionId = unknown, StepPath = "p", StateJson = "{}", SavedAt = DateTimeOffset.UtcNow }, default));

        Assert.Empty(await ProbeAsync(store));
        // Another execution's writes are not taken along by it.
        await executions.JoinAsync(id, Insert(3), default);
        await executions.FlushJoinedAsync(id, default);
        Assert.Equal([3L], await ProbeAsync(store));
    }

    [Fact]
    public async Task JoinedWrites_GoWithTheExecutionsEnd_AreWrittenOnTheirOwnPastTheLimit_AndAForgottenExecutionsAreDropped()
    {
        var (store, executions, id) = await OpenAsync();

        for (var n = 1; n < EfExecutionStore.MaxJoined; n++)
        {
            await executions.JoinAsync(id, Insert(n), default);
        }

        Assert.Empty(await ProbeAsync(store));
        await executions.JoinAsync(id, Insert(EfExecutionStore.MaxJoined), default); // the limit: written at once
        Assert.Equal(EfExecutionStore.MaxJoined, (await ProbeAsync(store)).Count);

        await executions.JoinAsync(id, Insert(100), default);
        var record = (await executions.GetAsync(id, default))!;
        record.Status = ExecutionStatus.Completed;
        record.EndedAt = DateTimeOffset.UtcNow;
        await executions.UpdateAsync(record, default);
        Assert.Contains(100L, await ProbeAsync(store));

        await executions.JoinAsync(id, Insert(200), default);
        executions.Forget(id);
        await executions.FlushJoinedAsync(id, default);
        Assert.DoesNotContain(200L, await ProbeAsync(store));
    }
}
