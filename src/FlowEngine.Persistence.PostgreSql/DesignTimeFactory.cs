using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace FlowEngine.Persistence.PostgreSql;

/// <summary>
/// Lets <c>dotnet ef migrations add</c> (run from this project, see <c>scripts/add-migration.sh</c>) build the context
/// on PostgreSQL; not used at run time. Adding a migration does not connect to a server.
/// </summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<FlowEngineDbContext>
{
    public FlowEngineDbContext CreateDbContext(string[] args)
    {
        var builder = new DbContextOptionsBuilder<FlowEngineDbContext>();
        StoreOptions.ConfigurePostgreSql(builder, "Host=127.0.0.1;Port=55432;Database=flowengine_design;Username=flowengine");
        return new FlowEngineDbContext(builder.Options);
    }
}
