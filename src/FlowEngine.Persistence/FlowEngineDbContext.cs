using FlowEngine.Runtime.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace FlowEngine.Persistence;

/// <summary>The one EF Core context: definitions, executions, step records and checkpoints.</summary>
public sealed class FlowEngineDbContext(DbContextOptions<FlowEngineDbContext> options) : DbContext(options)
{
    /// <summary>Every version of every definition.</summary>
    public DbSet<DefinitionVersionEntity> DefinitionVersions => Set<DefinitionVersionEntity>();

    /// <summary>Executions.</summary>
    public DbSet<ExecutionRecord> Executions => Set<ExecutionRecord>();

    /// <summary>Step records.</summary>
    public DbSet<StepRecord> StepRecords => Set<StepRecord>();

    /// <summary>Connections and credentials of aliases, secrets encrypted.</summary>
    public DbSet<ConnectionEntity> Connections => Set<ConnectionEntity>();

    /// <summary>Latest checkpoint per execution.</summary>
    public DbSet<ExecutionCheckpoint> Checkpoints => Set<ExecutionCheckpoint>();

    /// <inheritdoc />
    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Stored as UTC ticks so every provider can order and compare them (SQLite cannot order DateTimeOffset text).
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<UtcTicksConverter>();
        configurationBuilder.Properties<DateTimeOffset?>().HaveConversion<UtcTicksConverter>();
    }

    /// <inheritdoc />
    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<DefinitionVersionEntity>(e =>
        {
            e.ToTable("definition_versions");
            e.HasIndex(d => new { d.DefinitionId, d.Version }).IsUnique();
            e.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(d => d.DefinitionId).HasMaxLength(200);
        });

        modelBuilder.Entity<ExecutionRecord>(e =>
        {
            e.ToTable("executions");
            e.HasKey(x => x.Id);
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Ignore(x => x.Steps);
            e.HasIndex(x => new { x.DefinitionId, x.StartedAt });
            e.HasIndex(x => x.StartedAt);
        });

        modelBuilder.Entity<StepRecord>(e =>
        {
            e.ToTable("step_records");
            e.HasKey(x => new { x.ExecutionId, x.Sequence });
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.HasOne<ExecutionRecord>().WithMany().HasForeignKey(x => x.ExecutionId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<ConnectionEntity>(e =>
        {
            e.ToTable("connections");
            e.HasKey(c => c.AliasId);
            e.Property(c => c.AliasId).HasMaxLength(200);
        });

        modelBuilder.Entity<ExecutionCheckpoint>(e =>
        {
            e.ToTable("execution_checkpoints");
            e.HasKey(x => x.ExecutionId);
            e.HasOne<ExecutionRecord>().WithOne().HasForeignKey<ExecutionCheckpoint>(x => x.ExecutionId).OnDelete(DeleteBehavior.Cascade);
        });
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));
}
