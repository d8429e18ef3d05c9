using FlowEngine.Definitions.Validation;
using FlowEngine.Expressions;
using FlowEngine.Integration.Spokes;
using FlowEngine.Persistence;
using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.LicenseManagement;

/// <summary>A failure of a license-management operation, with what to do; nothing stored was changed.</summary>
public sealed class LicenseException(string message) : Exception(message);

/// <summary>The jobs a published profile has. Implemented over the scheduler; jobs only start work here.</summary>
public interface IProfileJobs
{
    /// <summary>Creates or replaces a daily job.</summary>
    Task UpsertAsync(string name, string cron, IReadOnlyDictionary<string, string> data, CancellationToken cancellationToken);

    /// <summary>Deletes a job; false when there was none.</summary>
    Task<bool> DeleteAsync(string name, CancellationToken cancellationToken);

    /// <summary>Job names that exist.</summary>
    Task<IReadOnlyList<string>> NamesAsync(CancellationToken cancellationToken);
}

/// <summary>What a run does when the same work for the same profile is already running.</summary>
public enum WhenRunning
{
    /// <summary>Waits for the running one to end, then runs.</summary>
    Wait,

    /// <summary>Does not run; says which execution is running.</summary>
    Skip,
}

/// <summary>How a subflow run for a profile is started.</summary>
/// <param name="ConcurrencyKey">At most one running execution per key (e.g. <c>download:&lt;profile&gt;</c>).</param>
/// <param name="ExecutionId">A fixed execution id, known before it starts (an idempotency record names it).</param>
/// <param name="Resumable">False for vendor writes whose unknown outcome is settled by their owner, not by a resume.</param>
public sealed record SubflowRun(string? ConcurrencyKey = null, Guid? ExecutionId = null, bool Resumable = true)
{
    /// <summary>The profile's <c>integration_profile</c> input when the caller has it already (a reclaim run reads it once, not per removal).</summary>
    public Dictionary<string, object?>? ProfileInput { get; init; }
}

/// <summary>The outcome of a subflow run for a profile.</summary>
public sealed record RunOutcome(ExecutionRecord Execution, IReadOnlyDictionary<string, object?> Outputs)
{
    /// <summary>True when the execution completed.</summary>
    public bool Succeeded => Execution.Status == ExecutionStatus.Completed;
}

/// <summary>
/// Integration profiles and their lifecycle (create, validate, publish, update, attach, delete) and the runs a
/// profile drives: download subscriptions, update activity (which creates removal candidates), reclaim.
/// The vendor's subflows are definitions found by convention: <c>&lt;spoke&gt;.sam.download_subscriptions</c>,
/// <c>.update_user_activity</c>, <c>.reclaim_subscription</c> and <c>.validate_connection</c>.
/// </summary>
public sealed class ProfileService(SamStore sam, SpokeCatalog spokes, Func<CancellationToken, Task<FlowRunner>> runners, IProfileJobs jobs)
{
    /// <summary>Daily at 02:00 UTC.</summary>
    public const string SubscriptionsCron = "0 0 2 * * ?";

    /// <summary>Daily at 03:00 UTC, after the download.</summary>
    public const string ActivityCron = "0 0 3 * * ?";

    /// <summary>How far back "analyze user activity from" may go.</summary>
    public static readonly TimeSpan MaxLookBack = TimeSpan.FromDays(60);

    private TimeProvider Time => sam.Time;

    /// <summary>The subscriptions job of a profile.</summary>
    public static string SubscriptionsJob(string displayName) => $"SAM - Refresh {displayName} Subscriptions";

    /// <summary>The activity job of a profile.</summary>
    public static string ActivityJob(string displayName) => $"SAM - Refresh {displayName} Activity";

    /// <summary>Creates a Draft profile. The alias defaults to the vendor spoke's parent alias.</summary>
    public async Task<IntegrationProfileEntity> CreateAsync(string vendor, string displayName, string? alias = null, bool downloadActivity = true, bool reclaim = true, DateTimeOffset? analyzeFrom = null, CancellationToken cancellationToken = default)
    {
        var spoke = spokes.Spoke(vendor) ?? throw new LicenseException(
            $"no spoke '{vendor}'{Suggest.DidYouMean(vendor, spokes.Spokes.Select(s => s.Id))}; vendors with license management: {string.Join(", ", spokes.Spokes.Where(s => s.License is not null).Select(s => s.Id))}");
        var license = spoke.License ?? throw new LicenseException($"spoke '{vendor}' has no 'license' section, so it cannot back an integration profile");
        var aliasId = alias ?? spokes.DefaultFor(vendor)?.Id ?? throw new LicenseException($"spoke '{vendor}' declares no alias");
        var now = Time.GetUtcNow();
        var from = CheckLookBack(analyzeFrom ?? now - MaxLookBack, now);
        if (string.IsNullOrWhiteSpace(displayName))
        {
            throw new LicenseException("a profile needs a display name, e.g. \"PagerDuty Integration\"");
        }

        await using var db = sam.Store.CreateContext();
        if (await db.Profiles.AnyAsync(p => p.DisplayName == displayName, cancellationToken).ConfigureAwait(false))
        {
            throw new LicenseException($"a profile named '{displayName}' exists already; display names name the jobs, so they must be unique");
        }

        var profile = new IntegrationProfileEntity
        {
            Id = Guid.CreateVersion7(now),
            DisplayName = displayName,
            Vendor = vendor,
            ProfileType = license.ProfileType,
            AliasId = aliasId,
            Status = ProfileStatus.Draft,
            DownloadActivity = downloadActivity,
            ReclaimSubscriptions = reclaim,
            AnalyzeActivityFrom = from,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Profiles.Add(profile);
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return profile;
    }

    /// <summary>A profile by id, id prefix or display name.</summary>
    public async Task<IntegrationProfileEntity> FindAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var db = sam.Store.CreateContext();
        var all = await db.Profiles.AsNoTracking().ToListAsync(cancellationToken).ConfigureAwait(false);
        var matches = all.Where(p => p.DisplayName.Equals(key, StringComparison.OrdinalIgnoreCase) || p.Id.ToString().StartsWith(key, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new LicenseException($"no integration profile '{key}'{Suggest.DidYouMean(key, all.Select(p => p.DisplayName))}; 'flowengine profiles list' shows them"),
            _ => throw new LicenseException($"'{key}' matches {matches.Count} profiles; give the full id"),
        };
    }

    /// <summary>Every profile.</summary>
    public async Task<IReadOnlyList<IntegrationProfileEntity>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = sam.Store.CreateContext();
        return await db.Profiles.AsNoTracking().OrderBy(p => p.DisplayName).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Validate Connection: runs the vendor's validation subflow, which calls the download and activity APIs only
    /// (never reclaim), and records the result. Publishing needs a successful validation.
    /// </summary>
    public async Task<RunOutcome> ValidateAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        var profile = await GetAsync(profileId, cancellationToken).ConfigureAwait(false);
        var outcome = await RunSubflowAsync(profile, "validate_connection", new Dictionary<string, object?>(), cancellationToken).ConfigureAwait(false);
        await UpdateAsync(profileId, p =>
        {
            p.ValidatedAt = Time.GetUtcNow();
            p.ValidationSucceeded = outcome.Succeeded;
            p.ValidationMessage = outcome.Succeeded ? "connection works" : outcome.Execution.Error;
        }, cancellationToken).ConfigureAwait(false);
        return outcome;
    }

    /// <summary>
    /// Publish: only after a successful validation. Creates the software model and the reclamation rule when
    /// missing, the daily jobs (activity only when Download Activity is on), and runs the download now, then activity.
    /// </summary>
    public async Task<(RunOutcome Download, RunOutcome? Activity)> PublishAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        var profile = await GetAsync(profileId, cancellationToken).ConfigureAwait(false);
        if (profile.ValidationSucceeded != true)
        {
            throw new LicenseException(profile.ValidatedAt is null
                ? $"validate the connection of '{profile.DisplayName}' first ('flowengine profiles validate')"
                : $"the last validation of '{profile.DisplayName}' failed ({profile.ValidationMessage}); fix the connection and validate again");
        }

        var license = spokes.Spoke(profile.Vendor)!.License!;
        var now = Time.GetUtcNow();
        await using (var db = sam.Store.CreateContext())
        {
            var model = await db.SoftwareModels.FirstOrDefaultAsync(m => m.Identifier == license.Identifier, cancellationToken).ConfigureAwait(false);
            if (model is null)
            {
                model = new SoftwareModelEntity
                {
                    Id = Guid.CreateVersion7(now),
                    Name = $"{license.Publisher} {license.Product}",
                    Publisher = license.Publisher,
                    Product = license.Product,
                    Identifier = license.Identifier,
                    CreatedAt = now,
                };
                db.SoftwareModels.Add(model);
            }

            if (!await db.Rules.AnyAsync(r => r.ProfileId == profileId, cancellationToken).ConfigureAwait(false))
            {
                db.Rules.Add(new ReclamationRuleEntity
                {
                    Id = Guid.CreateVersion7(now),
                    Name = $"{profile.DisplayName} reclamation rule",
                    ProfileId = profileId,
                    SoftwareModelId = model.Id,
                    LastActivityThresholdDays = 60,
                    CreatedAt = now,
                });
            }

            var tracked = await db.Profiles.FirstAsync(p => p.Id == profileId, cancellationToken).ConfigureAwait(false);
            tracked.SoftwareModelId = model.Id;
            tracked.Status = ProfileStatus.Published;
            tracked.UpdatedAt = now;
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        await SyncJobsAsync(await GetAsync(profileId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        var download = await RefreshSubscriptionsAsync(profileId, cancellationToken).ConfigureAwait(false);
        var activity = download.Succeeded && profile.DownloadActivity ? await RefreshActivityAsync(profileId, cancellationToken).ConfigureAwait(false) : null;
        return (download, activity);
    }

    /// <summary>
    /// Changes a profile's check boxes, alias or look-back. Clearing Download Activity on a published profile puts it
    /// back to Draft, deletes the activity job and asks for a new validation.
    /// </summary>
    public async Task<IntegrationProfileEntity> ChangeAsync(Guid profileId, bool? downloadActivity = null, bool? reclaim = null, string? alias = null, DateTimeOffset? analyzeFrom = null, int? reclaimCapCount = null, double? reclaimCapShare = null, CancellationToken cancellationToken = default)
    {
        if (reclaimCapCount is < 0 || reclaimCapShare is < 0 or > 1)
        {
            throw new LicenseException("the reclaim cap is a count from 0 and a share from 0 to 1");
        }

        var now = Time.GetUtcNow();
        var before = await GetAsync(profileId, cancellationToken).ConfigureAwait(false);
        var from = analyzeFrom is { } f ? CheckLookBack(f, now) : (DateTimeOffset?)null;
        var updated = await UpdateAsync(profileId, p =>
        {
            p.DownloadActivity = downloadActivity ?? p.DownloadActivity;
            p.ReclaimSubscriptions = reclaim ?? p.ReclaimSubscriptions;
            p.AnalyzeActivityFrom = from ?? p.AnalyzeActivityFrom;
            p.ReclaimCapCount = reclaimCapCount ?? p.ReclaimCapCount;
            p.ReclaimCapShare = reclaimCapShare ?? p.ReclaimCapShare;
            if (alias is not null && alias != p.AliasId)
            {
                p.AliasId = alias;
                p.ValidationSucceeded = null;
                p.ValidatedAt = null;
            }

            if (before.Status == ProfileStatus.Published && before.DownloadActivity && downloadActivity == false)
            {
                p.Status = ProfileStatus.Draft;
                p.ValidationSucceeded = null;
                p.ValidatedAt = null;
                p.ValidationMessage = "Download Activity was cleared; validate and publish again";
            }
        }, cancellationToken).ConfigureAwait(false);

        if (before.Status == ProfileStatus.Published && before.DownloadActivity && downloadActivity == false)
        {
            await jobs.DeleteAsync(ActivityJob(updated.DisplayName), cancellationToken).ConfigureAwait(false);
        }
        else if (updated.Status == ProfileStatus.Published)
        {
            await SyncJobsAsync(updated, cancellationToken).ConfigureAwait(false);
        }

        return updated;
    }

    /// <summary>Attaches a file (the Roadmunk user CSV); the newest attachment is the one used.</summary>
    public async Task AttachAsync(Guid profileId, string fileName, string content, CancellationToken cancellationToken = default)
    {
        await GetAsync(profileId, cancellationToken).ConfigureAwait(false);
        await using var db = sam.Store.CreateContext();
        db.Attachments.Add(new ProfileAttachmentEntity { Id = Guid.CreateVersion7(Time.GetUtcNow()), ProfileId = profileId, FileName = fileName, Content = content, AttachedAt = Time.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Deletes a profile: its subscriptions, jobs and attachments go, open candidates are Closed Skipped, rules stay.</summary>
    public async Task DeleteAsync(Guid profileId, CancellationToken cancellationToken = default)
    {
        var profile = await GetAsync(profileId, cancellationToken).ConfigureAwait(false);
        var now = Time.GetUtcNow();
        await using (var db = sam.Store.CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            foreach (var candidate in await db.Candidates.Where(c => c.ProfileId == profileId && SamStore.Open.Contains(c.State)).ToListAsync(cancellationToken).ConfigureAwait(false))
            {
                SamStore.Move(db, candidate, CandidateState.ClosedSkipped, "profile delete", $"profile '{profile.DisplayName}' was deleted", now);
            }

            foreach (var candidate in await db.Candidates.Where(c => c.ProfileId == profileId).ToListAsync(cancellationToken).ConfigureAwait(false))
            {
                candidate.SubscriptionId = null;
            }

            foreach (var rule in await db.Rules.Where(r => r.ProfileId == profileId).ToListAsync(cancellationToken).ConfigureAwait(false))
            {
                rule.ProfileId = null;
            }

            db.Subscriptions.RemoveRange(db.Subscriptions.Where(s => s.ProfileId == profileId));
            db.Attachments.RemoveRange(db.Attachments.Where(a => a.ProfileId == profileId));
            db.Profiles.Remove(await db.Profiles.FirstAsync(p => p.Id == profileId, cancellationToken).ConfigureAwait(false));
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        await jobs.DeleteAsync(SubscriptionsJob(profile.DisplayName), cancellationToken).ConfigureAwait(false);
        await jobs.DeleteAsync(ActivityJob(profile.DisplayName), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs the vendor's download subflow for the profile. Two downloads of one profile never interleave, on one node or
    /// several: the second waits for the first or is skipped (<see cref="LicenseException"/>), as <paramref name="whenRunning"/> says.
    /// </summary>
    public async Task<RunOutcome> RefreshSubscriptionsAsync(Guid profileId, CancellationToken cancellationToken = default, WhenRunning whenRunning = WhenRunning.Wait)
    {
        var profile = await GetAsync(profileId, cancellationToken).ConfigureAwait(false);
        return await RunExclusiveAsync(profile, "download_subscriptions", () => new Dictionary<string, object?>(), $"download:{profileId}", whenRunning, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs the vendor's activity subflow (from "analyze user activity from"), which also creates removal candidates; one at a time per profile.</summary>
    public async Task<RunOutcome> RefreshActivityAsync(Guid profileId, CancellationToken cancellationToken = default, WhenRunning whenRunning = WhenRunning.Wait)
    {
        var profile = await GetAsync(profileId, cancellationToken).ConfigureAwait(false);
        if (!profile.DownloadActivity)
        {
            throw new LicenseException($"Download Activity is off for '{profile.DisplayName}'");
        }

        return await RunExclusiveAsync(profile, "update_user_activity", () => new Dictionary<string, object?> { ["look_back_time"] = profile.AnalyzeActivityFrom }, $"activity:{profileId}", whenRunning, cancellationToken).ConfigureAwait(false);
    }

    private async Task<RunOutcome> RunExclusiveAsync(IntegrationProfileEntity profile, string subflow, Func<Dictionary<string, object?>> inputs, string key, WhenRunning whenRunning, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await RunSubflowAsync(profile, subflow, inputs(), cancellationToken, new SubflowRun(key)).ConfigureAwait(false);
            }
            catch (ExecutionConflictException conflict)
            {
                if (whenRunning == WhenRunning.Skip)
                {
                    throw new LicenseException($"skipped: the {subflow.Replace('_', ' ')} of '{profile.DisplayName}' is already running (execution {conflict.Running}); two never run at once");
                }

                await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs one of the vendor's license subflows with the profile's alias in place of the spoke's default.</summary>
    public async Task<RunOutcome> RunSubflowAsync(IntegrationProfileEntity profile, string name, Dictionary<string, object?> inputs, CancellationToken cancellationToken, SubflowRun? how = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(inputs);
        var runner = await runners(cancellationToken).ConfigureAwait(false);
        var id = $"{profile.Vendor}.sam.{name}";
        var definition = runner.Definitions.Find(id, null) ?? throw new LicenseException($"the {profile.Vendor} subflow '{id}' is not loaded; it belongs in flows/ (run 'flowengine definitions load')");
        how ??= new SubflowRun();
        inputs["integration_profile"] = how.ProfileInput ?? await ProfileInputAsync(profile, cancellationToken).ConfigureAwait(false);
        var parent = spokes.DefaultFor(profile.Vendor)?.Id;
        var overrides = parent is not null && parent != profile.AliasId ? new Dictionary<string, string> { [parent] = profile.AliasId } : new Dictionary<string, string>();
        var options = new RunOptions
        {
            TriggeredBy = $"profile:{profile.DisplayName}",
            AliasOverrides = overrides,
            ConcurrencyKey = how.ConcurrencyKey,
            ExecutionId = how.ExecutionId,
            Resumable = how.Resumable,
        };
        var result = await runner.RunAsync(definition, inputs, options, cancellationToken).ConfigureAwait(false);
        await new SubscriptionStaging(sam).AfterRunAsync(result).ConfigureAwait(false);

        return new RunOutcome(result.Record, result.Outputs);
    }

    /// <summary>The runner profile runs use now.</summary>
    public Task<FlowRunner> RunnerAsync(CancellationToken cancellationToken) => runners(cancellationToken);

    /// <summary>What subflows get as <c>integration_profile</c>.</summary>
    public async Task<Dictionary<string, object?>> ProfileInputAsync(IntegrationProfileEntity profile, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(profile);
        await using var db = sam.Store.CreateContext();
        // Every profile run reads these: plain SQL (RowReader), no LINQ to compile on a process's first run.
        _attachments ??= RowReader<ProfileAttachmentEntity>.For(db, () => new ProfileAttachmentEntity { FileName = "", Content = "" }, AttachmentSetters);
        var csv = (await _attachments.FirstAsync(db, [(nameof(ProfileAttachmentEntity.ProfileId), profile.Id)], cancellationToken, newestBy: nameof(ProfileAttachmentEntity.AttachedAt)).ConfigureAwait(false))?.Content;
        return new Dictionary<string, object?>
        {
            ["id"] = profile.Id.ToString(),
            ["display_name"] = profile.DisplayName,
            ["vendor"] = profile.Vendor,
            ["alias"] = profile.AliasId,
            ["analyze_activity_from"] = profile.AnalyzeActivityFrom,
            ["user_csv"] = csv,
        };
    }

    private async Task SyncJobsAsync(IntegrationProfileEntity profile, CancellationToken cancellationToken)
    {
        var data = new Dictionary<string, string> { ["profile_id"] = profile.Id.ToString() };
        await jobs.UpsertAsync(SubscriptionsJob(profile.DisplayName), SubscriptionsCron, new Dictionary<string, string>(data) { ["kind"] = "subscriptions" }, cancellationToken).ConfigureAwait(false);
        if (profile.DownloadActivity)
        {
            await jobs.UpsertAsync(ActivityJob(profile.DisplayName), ActivityCron, new Dictionary<string, string>(data) { ["kind"] = "activity" }, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await jobs.DeleteAsync(ActivityJob(profile.DisplayName), cancellationToken).ConfigureAwait(false);
        }
    }

    private static DateTimeOffset CheckLookBack(DateTimeOffset from, DateTimeOffset now) =>
        from < now - MaxLookBack - TimeSpan.FromMinutes(1) || from > now
            ? throw new LicenseException($"'analyze user activity from' must be within the last 60 days (from {now - MaxLookBack:u} to now), not {from:u}")
            : from;

    private async Task<IntegrationProfileEntity> GetAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var db = sam.Store.CreateContext();
        _profiles ??= RowReader<IntegrationProfileEntity>.For(db, () => new IntegrationProfileEntity { DisplayName = "", Vendor = "", ProfileType = "", AliasId = "" }, ProfileSetters);
        return await _profiles.FirstAsync(db, [(nameof(IntegrationProfileEntity.Id), id)], cancellationToken).ConfigureAwait(false)
            ?? throw new LicenseException($"no integration profile {id}");
    }

    private RowReader<IntegrationProfileEntity>? _profiles;
    private RowReader<ProfileAttachmentEntity>? _attachments;

    private static readonly Dictionary<string, Action<IntegrationProfileEntity, object?>> ProfileSetters = new()
    {
        [nameof(IntegrationProfileEntity.Id)] = (p, v) => p.Id = (Guid)v!,
        [nameof(IntegrationProfileEntity.DisplayName)] = (p, v) => p.DisplayName = (string)v!,
        [nameof(IntegrationProfileEntity.Vendor)] = (p, v) => p.Vendor = (string)v!,
        [nameof(IntegrationProfileEntity.ProfileType)] = (p, v) => p.ProfileType = (string)v!,
        [nameof(IntegrationProfileEntity.AliasId)] = (p, v) => p.AliasId = (string)v!,
        [nameof(IntegrationProfileEntity.Status)] = (p, v) => p.Status = (ProfileStatus)v!,
        [nameof(IntegrationProfileEntity.DownloadSubscriptions)] = (p, v) => p.DownloadSubscriptions = (bool)v!,
        [nameof(IntegrationProfileEntity.DownloadActivity)] = (p, v) => p.DownloadActivity = (bool)v!,
        [nameof(IntegrationProfileEntity.ReclaimSubscriptions)] = (p, v) => p.ReclaimSubscriptions = (bool)v!,
        [nameof(IntegrationProfileEntity.AnalyzeActivityFrom)] = (p, v) => p.AnalyzeActivityFrom = (DateTimeOffset)v!,
        [nameof(IntegrationProfileEntity.ReclaimCapCount)] = (p, v) => p.ReclaimCapCount = (int)v!,
        [nameof(IntegrationProfileEntity.ReclaimCapShare)] = (p, v) => p.ReclaimCapShare = (double)v!,
        [nameof(IntegrationProfileEntity.ValidatedAt)] = (p, v) => p.ValidatedAt = (DateTimeOffset?)v,
        [nameof(IntegrationProfileEntity.ValidationSucceeded)] = (p, v) => p.ValidationSucceeded = (bool?)v,
        [nameof(IntegrationProfileEntity.ValidationMessage)] = (p, v) => p.ValidationMessage = (string?)v,
        [nameof(IntegrationProfileEntity.SoftwareModelId)] = (p, v) => p.SoftwareModelId = (Guid?)v,
        [nameof(IntegrationProfileEntity.CreatedAt)] = (p, v) => p.CreatedAt = (DateTimeOffset)v!,
        [nameof(IntegrationProfileEntity.UpdatedAt)] = (p, v) => p.UpdatedAt = (DateTimeOffset)v!,
    };

    private static readonly Dictionary<string, Action<ProfileAttachmentEntity, object?>> AttachmentSetters = new()
    {
        [nameof(ProfileAttachmentEntity.Id)] = (a, v) => a.Id = (Guid)v!,
        [nameof(ProfileAttachmentEntity.ProfileId)] = (a, v) => a.ProfileId = (Guid)v!,
        [nameof(ProfileAttachmentEntity.FileName)] = (a, v) => a.FileName = (string)v!,
        [nameof(ProfileAttachmentEntity.Content)] = (a, v) => a.Content = (string)v!,
        [nameof(ProfileAttachmentEntity.AttachedAt)] = (a, v) => a.AttachedAt = (DateTimeOffset)v!,
    };

    private async Task<IntegrationProfileEntity> UpdateAsync(Guid id, Action<IntegrationProfileEntity> change, CancellationToken cancellationToken)
    {
        await using var db = sam.Store.CreateContext();
        var profile = await db.Profiles.FirstOrDefaultAsync(p => p.Id == id, cancellationToken).ConfigureAwait(false)
            ?? throw new LicenseException($"no integration profile {id}");
        change(profile);
        profile.UpdatedAt = Time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return profile;
    }
}
