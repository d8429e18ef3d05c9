using FlowEngine.Persistence.LicenseManagement;
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

    /// <summary>Integration profiles.</summary>
    public DbSet<IntegrationProfileEntity> Profiles => Set<IntegrationProfileEntity>();

    /// <summary>Profile attachments.</summary>
    public DbSet<ProfileAttachmentEntity> Attachments => Set<ProfileAttachmentEntity>();

    /// <summary>Software models.</summary>
    public DbSet<SoftwareModelEntity> SoftwareModels => Set<SoftwareModelEntity>();

    /// <summary>Subscriptions.</summary>
    public DbSet<SubscriptionEntity> Subscriptions => Set<SubscriptionEntity>();

    /// <summary>Reclamation rules.</summary>
    public DbSet<ReclamationRuleEntity> Rules => Set<ReclamationRuleEntity>();

    /// <summary>Removal candidates.</summary>
    public DbSet<RemovalCandidateEntity> Candidates => Set<RemovalCandidateEntity>();

    /// <summary>Candidate state changes.</summary>
    public DbSet<CandidateHistoryEntity> CandidateHistory => Set<CandidateHistoryEntity>();

    /// <summary>Exclusions.</summary>
    public DbSet<ExclusionEntity> Exclusions => Set<ExclusionEntity>();

    /// <summary>Entitlements.</summary>
    public DbSet<EntitlementEntity> Entitlements => Set<EntitlementEntity>();

    /// <summary>Reconciliation results.</summary>
    public DbSet<ReconciliationResultEntity> Reconciliations => Set<ReconciliationResultEntity>();

    /// <summary>Server API keys (hashed).</summary>
    public DbSet<ApiKeyEntity> ApiKeys => Set<ApiKeyEntity>();

    /// <summary>Latest checkpoint per execution.</summary>
    public DbSet<ExecutionCheckpoint> Checkpoints => Set<ExecutionCheckpoint>();

    /// <summary>How far long steps (paged reads) of running executions got.</summary>
    public DbSet<ExecutionProgress> Progress => Set<ExecutionProgress>();

    /// <summary>Writes to vendors and their outcomes.</summary>
    public DbSet<IdempotencyRecordEntity> IdempotencyRecords => Set<IdempotencyRecordEntity>();

    /// <summary>Named locks with an expiry.</summary>
    public DbSet<RunLockEntity> RunLocks => Set<RunLockEntity>();

    /// <summary>Users read by downloads still running.</summary>
    public DbSet<StagedPageEntity> StagedPages => Set<StagedPageEntity>();

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
            e.HasIndex(x => new { x.Status, x.LeaseExpiresAt });
            e.Property(x => x.Node).HasMaxLength(200);
            e.Property(x => x.ConcurrencyKey).HasMaxLength(200);
            e.HasIndex(x => x.ConcurrencyKey).IsUnique().HasFilter("\"Status\" = 'Running'");
        });

        modelBuilder.Entity<StepRecord>(e =>
        {
            e.ToTable("step_records");
            e.HasKey(x => new { x.ExecutionId, x.Sequence });
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.HasOne<ExecutionRecord>().WithMany().HasForeignKey(x => x.ExecutionId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<IntegrationProfileEntity>(e =>
        {
            e.ToTable("sam_profiles");
            e.Property(p => p.Status).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(p => p.DisplayName).IsUnique();
        });
        modelBuilder.Entity<ProfileAttachmentEntity>(e => e.ToTable("sam_attachments").HasIndex(a => new { a.ProfileId, a.AttachedAt }));
        modelBuilder.Entity<SoftwareModelEntity>(e => e.ToTable("sam_software_models").HasIndex(m => m.Identifier).IsUnique());
        modelBuilder.Entity<SubscriptionEntity>(e =>
        {
            e.ToTable("sam_subscriptions");
            e.HasIndex(s => new { s.ProfileId, s.ExternalUserId }).IsUnique();
        });
        modelBuilder.Entity<ReclamationRuleEntity>(e => e.ToTable("sam_reclamation_rules"));
        modelBuilder.Entity<RemovalCandidateEntity>(e =>
        {
            e.ToTable("sam_removal_candidates");
            e.Property(c => c.State).HasConversion<string>().HasMaxLength(24);
            e.HasIndex(c => c.Number).IsUnique();
            e.HasIndex(c => new { c.ProfileId, c.State });
            e.Property(c => c.UserPrincipalName).HasMaxLength(320);
        });
        modelBuilder.Entity<CandidateHistoryEntity>(e =>
        {
            e.ToTable("sam_candidate_history");
            e.Property(h => h.From).HasConversion<string>().HasMaxLength(24);
            e.Property(h => h.To).HasConversion<string>().HasMaxLength(24);
            e.HasIndex(h => h.CandidateId);
        });
        modelBuilder.Entity<ExclusionEntity>(e => e.ToTable("sam_exclusions"));
        modelBuilder.Entity<EntitlementEntity>(e =>
        {
            e.ToTable("sam_entitlements");
            e.Property(x => x.UnitCost).HasConversion<double>();
        });
        modelBuilder.Entity<ReconciliationResultEntity>(e =>
        {
            e.ToTable("sam_reconciliations");
            e.Property(x => x.PotentialSavings).HasConversion<double>();
            e.Property(x => x.RealisedSavings).HasConversion<double>();
        });

        modelBuilder.Entity<ApiKeyEntity>(e =>
        {
            e.ToTable("api_keys");
            e.HasIndex(k => k.Hash).IsUnique();
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

        modelBuilder.Entity<ExecutionProgress>(e =>
        {
            e.ToTable("execution_progress");
            e.HasKey(x => new { x.ExecutionId, x.StepPath });
            e.HasOne<ExecutionRecord>().WithMany().HasForeignKey(x => x.ExecutionId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<IdempotencyRecordEntity>(e =>
        {
            e.ToTable("idempotency_records");
            e.HasKey(x => x.Key);
            e.Property(x => x.Key).HasMaxLength(200);
            e.Property(x => x.State).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Node).HasMaxLength(200);
        });

        modelBuilder.Entity<RunLockEntity>(e =>
        {
            e.ToTable("run_locks");
            e.HasKey(x => x.Name);
            e.Property(x => x.Name).HasMaxLength(200);
            e.Property(x => x.Holder).HasMaxLength(300);
        });

        modelBuilder.Entity<StagedPageEntity>(e =>
        {
            e.ToTable("sam_staged_pages");
            e.HasKey(x => x.Id);
            e.Property(x => x.Id).ValueGeneratedOnAdd();
            e.HasIndex(x => x.ExecutionId);
        });
    }

    private sealed class UtcTicksConverter() : ValueConverter<DateTimeOffset, long>(
        v => v.UtcTicks,
        v => new DateTimeOffset(v, TimeSpan.Zero));
}
