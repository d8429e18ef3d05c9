using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace FlowEngine.Persistence;

/// <summary>Lets <c>dotnet ef migrations add</c> build the context; not used at run time.</summary>
internal sealed class DesignTimeFactory : IDesignTimeDbContextFactory<FlowEngineDbContext>
{
    public FlowEngineDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<FlowEngineDbContext>().UseSqlite("Data Source=design.db").Options);
}
