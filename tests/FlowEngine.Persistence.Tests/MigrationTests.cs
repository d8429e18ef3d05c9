using FlowEngine.Tests.Shared;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Persistence.Tests;

public sealed class MigrationTests
{
    [Fact]
    public async Task SqliteMigrations_MatchTheModel()
    {
        var store = await FlowStore.OpenAsync(StoreOptions.Sqlite(Path.Combine(TestPaths.TempFolder(), "flowengine.db")));
        await using var db = store.CreateContext();

        // Fails when the model changed and no migration was added for it: run scripts/add-migration.sh <Name>
        // (it adds the SQLite and the PostgreSQL migration; FlowEngine.PostgreSql.Tests checks the PostgreSQL side).
        Assert.False(
            db.Database.HasPendingModelChanges(),
            "the SQLite migrations are behind the model; run 'scripts/add-migration.sh <Name>'");
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }
}
