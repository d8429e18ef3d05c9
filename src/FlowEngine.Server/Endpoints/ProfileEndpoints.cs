using FlowEngine.Expressions;
using FlowEngine.Hosting;
using FlowEngine.Integration.Steps;
using FlowEngine.LicenseManagement;
using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Server.Endpoints;

/// <summary>
/// <c>/api/profiles</c>: direct integration profiles and their lifecycle (Draft → Validate Connection → Publish), the
/// Download Activity and Reclaim subscriptions check boxes, the user CSV attachment, refresh and delete. A profile
/// is named in the route by its Display Name, its id or the id's first characters.
/// </summary>
internal static class ProfileEndpoints
{
    public static IEndpointRouteBuilder MapProfileEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/profiles").WithTags("Profiles").RequireAuthorization(Policies.Viewer);

        group.MapGet("/", async (LicenseParts license, CancellationToken ct) =>
            TypedResults.Ok((await license.Profiles.ListAsync(ct).ConfigureAwait(false)).Select(ProfileView.From).ToList()));

        group.MapGet("/{profile}", async (string profile, Engine engine, LicenseParts license, CancellationToken ct) =>
        {
            var found = await FindAsync(license, profile, ct).ConfigureAwait(false);
            return TypedResults.Ok(await DetailAsync(engine, license, found, ct).ConfigureAwait(false));
        });

        group.MapPost("/", async (ProfileInput input, Engine engine, LicenseParts license, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(input.Vendor) || string.IsNullOrWhiteSpace(input.DisplayName))
            {
                throw new LicenseException("give 'vendor' (pagerduty or roadmunk) and 'displayName', e.g. \"PagerDuty Integration\"");
            }

            if (!string.IsNullOrEmpty(input.Alias))
            {
                await CheckAliasAsync(engine, input.Vendor, input.Alias, ct).ConfigureAwait(false);
            }

            var created = await license.Profiles.CreateAsync(input.Vendor, input.DisplayName.Trim(), string.IsNullOrEmpty(input.Alias) ? null : input.Alias,
                input.DownloadActivity ?? true, input.ReclaimSubscriptions ?? true, input.AnalyzeActivityFrom, ct).ConfigureAwait(false);
            return TypedResults.Created($"/api/profiles/{created.Id}", await DetailAsync(engine, license, created, ct).ConfigureAwait(false));
        }).RequireAuthorization(Policies.Admin);

        group.MapPatch("/{profile}", async (string profile, ProfileChange change, Engine engine, LicenseParts license, CancellationToken ct) =>
        {
            var found = await FindAsync(license, profile, ct).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(change.Alias) && change.Alias != found.AliasId)
            {
                await CheckAliasAsync(engine, found.Vendor, change.Alias, ct).ConfigureAwait(false);
            }

            var updated = await license.Profiles.ChangeAsync(found.Id, change.DownloadActivity, change.ReclaimSubscriptions, string.IsNullOrEmpty(change.Alias) ? null : change.Alias,
                change.AnalyzeActivityFrom, change.ReclaimCapCount, change.ReclaimCapShare, ct).ConfigureAwait(false);
            return TypedResults.Ok(await DetailAsync(engine, license, updated, ct).ConfigureAwait(false));
        }).RequireAuthorization(Policies.Admin);

        group.MapDelete("/{profile}", async (string profile, LicenseParts license, CancellationToken ct) =>
        {
            var found = await FindAsync(license, profile, ct).ConfigureAwait(false);
            await license.Profiles.DeleteAsync(found.Id, ct).ConfigureAwait(false);
            return TypedResults.Ok(new { deleted = found.DisplayName, id = found.Id });
        }).RequireAuthorization(Policies.Admin);

        group.MapPost("/{profile}/validate", async (string profile, LicenseParts license, CancellationToken ct) =>
        {
            var found = await FindAsync(license, profile, ct).ConfigureAwait(false);
            return TypedResults.Ok(RunView.From(await license.Profiles.ValidateAsync(found.Id, ct).ConfigureAwait(false)));
        }).RequireAuthorization(Policies.Admin);

        group.MapPost("/{profile}/publish", async (string profile, Engine engine, LicenseParts license, CancellationToken ct) =>
        {
            var found = await FindAsync(license, profile, ct).ConfigureAwait(false);
            var (download, activity) = await license.Profiles.PublishAsync(found.Id, ct).ConfigureAwait(false);
            var published = await FindAsync(license, found.Id.ToString(), ct).ConfigureAwait(false);
            return TypedResults.Ok(new PublishView(await DetailAsync(engine, license, published, ct).ConfigureAwait(false), RunView.From(download), activity is null ? null : RunView.From(activity)));
        }).RequireAuthorization(Policies.Admin);

        group.MapPost("/{profile}/refresh", async (string profile, bool? activity, LicenseParts license, CancellationToken ct) =>
        {
            var found = await FindAsync(license, profile, ct).ConfigureAwait(false);
            if (found.Status != ProfileStatus.Published)
            {
                throw new LicenseException($"'{found.DisplayName}' is Draft; validate and publish it first");
            }

            var outcome = activity == true
                ? await license.Profiles.RefreshActivityAsync(found.Id, ct).ConfigureAwait(false)
                : await license.Profiles.RefreshSubscriptionsAsync(found.Id, ct).ConfigureAwait(false);
            return TypedResults.Ok(RunView.From(outcome));
        }).RequireAuthorization(Policies.Admin);

        group.MapGet("/{profile}/attachments", async (string profile, Engine engine, LicenseParts license, CancellationToken ct) =>
        {
            var found = await FindAsync(license, profile, ct).ConfigureAwait(false);
            await using var db = engine.Store.CreateContext();
            var attachments = await db.Attachments.AsNoTracking().Where(a => a.ProfileId == found.Id).ToListAsync(ct).ConfigureAwait(false);
            return TypedResults.Ok(attachments.OrderByDescending(a => a.AttachedAt).Select(a => new AttachmentView(a.Id, a.FileName, Rows(a.Content), a.AttachedAt)).ToList());
        });

        group.MapPost("/{profile}/attachments", async Task<Results<Created<AttachmentView>, ProblemHttpResult>> (string profile, string? fileName, HttpRequest request, LicenseParts license, ServerState state, CancellationToken ct) =>
        {
            var found = await FindAsync(license, profile, ct).ConfigureAwait(false);
            if (request.ContentLength > CsvFile.MaxBytes)
            {
                return ApiResults.Problem(StatusCodes.Status413PayloadTooLarge, "Too large",
                    $"{Path.GetFileName(fileName ?? "the attachment")} is {request.ContentLength / 1024.0 / 1024.0:0.0} MB; a user CSV is at most {CsvFile.MaxBytes / 1024 / 1024} MB");
            }

            string name, content;
            if (request.HasFormContentType)
            {
                var form = await request.ReadFormAsync(ct).ConfigureAwait(false);
                if (form.Files.Count == 0)
                {
                    return ApiResults.BadRequest("the form has no file; send the CSV as a file field, or as the request body with ?fileName=users.csv");
                }

                using var reader = new StreamReader(form.Files[0].OpenReadStream());
                content = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
                name = Path.GetFileName(form.Files[0].FileName);
            }
            else
            {
                using var reader = new StreamReader(request.Body);
                content = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
                name = Path.GetFileName(fileName ?? "attachment.csv");
            }

            if (CsvFile.Problem(name, content) is { } problem)
            {
                return ApiResults.BadRequest(problem);
            }

            if (await ReadsAsync(state, found, name, content, ct).ConfigureAwait(false) is { } unreadable)
            {
                return ApiResults.BadRequest(unreadable);
            }

            await license.Profiles.AttachAsync(found.Id, name, content, ct).ConfigureAwait(false);
            return TypedResults.Created($"/api/profiles/{found.Id}/attachments", new AttachmentView(null, name, Rows(content), DateTimeOffset.UtcNow));
        }).WithDescription("The body is the file (e.g. text/csv, with ?fileName=users.csv), or a multipart form with one file.").RequireAuthorization(Policies.Admin);

        return app;
    }

    /// <summary>A profile by Display Name, id or id prefix: 404 when none matches, 400 when several do.</summary>
    internal static async Task<IntegrationProfileEntity> FindAsync(LicenseParts license, string key, CancellationToken ct)
    {
        var all = await license.Profiles.ListAsync(ct).ConfigureAwait(false);
        var matches = all.Where(p => p.DisplayName.Equals(key, StringComparison.OrdinalIgnoreCase) || p.Id.ToString().StartsWith(key, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new KeyNotFoundException($"no integration profile '{key}'{Suggest.DidYouMean(key, all.Select(p => p.DisplayName))}"),
            _ => throw new LicenseException($"'{key}' matches {matches.Count} profiles; give the full id"),
        };
    }

    /// <summary>
    /// Reads the file with the vendor's own file action (<c>&lt;vendor&gt;.look_up_users_using_file</c>), the one the
    /// download will use, so a missing column or a value of the wrong type is refused now, with its line, rather than
    /// failing the next download. Null when it reads, or when the vendor has no such action.
    /// </summary>
    private static async Task<string?> ReadsAsync(ServerState state, IntegrationProfileEntity profile, string name, string content, CancellationToken ct)
    {
        var runner = await state.RunnerAsync(ct).ConfigureAwait(false);
        var action = runner.Definitions.Find($"{profile.Vendor}.look_up_users_using_file", null);
        if (action is null)
        {
            return null;
        }

        var result = await runner.RunAsync(action, new Dictionary<string, object?> { ["csv"] = content }, new Runtime.Execution.RunOptions { TriggeredBy = "api" }, ct).ConfigureAwait(false);
        return result.Record.Status == Runtime.Records.ExecutionStatus.Completed
            ? null
            : $"{name} cannot be read as the {profile.Vendor} user CSV: {result.Record.Error}; nothing was attached";
    }

    private static int Rows(string content) => Math.Max(content.Split('\n').Count(l => !string.IsNullOrWhiteSpace(l)) - 1, 0);

    private static async Task<ProfileDetail> DetailAsync(Engine engine, LicenseParts license, IntegrationProfileEntity p, CancellationToken ct)
    {
        await using var db = engine.Store.CreateContext();
        var model = p.SoftwareModelId is { } mid ? await db.SoftwareModels.AsNoTracking().FirstOrDefaultAsync(m => m.Id == mid, ct).ConfigureAwait(false) : null;
        var rule = await db.Rules.AsNoTracking().FirstOrDefaultAsync(r => r.ProfileId == p.Id, ct).ConfigureAwait(false);
        var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => s.ProfileId == p.Id).ToListAsync(ct).ConfigureAwait(false);
        var states = (await db.Candidates.AsNoTracking().Where(c => c.ProfileId == p.Id).Select(c => c.State).ToListAsync(ct).ConfigureAwait(false))
            .GroupBy(s => s).OrderBy(g => g.Key).ToDictionary(g => g.Key.ToString(), g => g.Count());
        var attachment = (await db.Attachments.AsNoTracking().Where(a => a.ProfileId == p.Id).Select(a => new { a.FileName, a.AttachedAt }).ToListAsync(ct).ConfigureAwait(false))
            .OrderByDescending(a => a.AttachedAt).FirstOrDefault();
        var threshold = rule?.LastActivityThresholdDays ?? 60;
        var cutoff = DateTimeOffset.UtcNow.AddDays(-threshold);
        var jobs = (await license.Scheduler.ListAsync(ct).ConfigureAwait(false))
            .Where(j => j.Data.GetValueOrDefault("profile_id") == p.Id.ToString())
            .OrderBy(j => j.Name, StringComparer.Ordinal)
            .Select(j => new LicenseEndpoints.JobView(j.Name, j.Group, j.Cron, j.TimeZone, j.NextFire, j.PreviousFire, j.Description)).ToList();
        return new ProfileDetail(
            ProfileView.From(p), model?.Name, rule is null ? null : new RuleView(rule.Name, rule.LastActivityThresholdDays, rule.NotifyUser),
            subscriptions.Count, subscriptions.Count(s => SamStore.IsIdle(s, cutoff)), states,
            attachment is null ? null : new AttachmentView(null, attachment.FileName, null, attachment.AttachedAt), jobs);
    }

    /// <summary>The alias must be the vendor's spoke alias or a child alias of it.</summary>
    private static async Task CheckAliasAsync(Engine engine, string vendor, string alias, CancellationToken ct)
    {
        var spokes = engine.Integration.Spokes;
        var definition = spokes.Find(alias);
        if (definition is null && await engine.Connections.GetAsync(alias, ct).ConfigureAwait(false) is { ParentAliasId: { } parentId })
        {
            definition = spokes.Find(parentId);
        }

        if (definition is null)
        {
            throw new LicenseException($"unknown alias '{alias}'{Suggest.DidYouMean(alias, spokes.Aliases.Select(a => a.Id))}; create a child alias first (PUT /api/aliases/{alias} with a parent)");
        }

        if (spokes.Spoke(vendor) is not null && definition.Spoke != vendor)
        {
            throw new LicenseException($"alias '{alias}' belongs to the {definition.Spoke} spoke, not to {vendor}");
        }
    }

    [System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
    internal sealed record ProfileInput(string Vendor, string DisplayName, string? Alias, bool? DownloadActivity, bool? ReclaimSubscriptions, DateTimeOffset? AnalyzeActivityFrom);

    [System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
    internal sealed record ProfileChange(bool? DownloadActivity, bool? ReclaimSubscriptions, string? Alias, DateTimeOffset? AnalyzeActivityFrom, int? ReclaimCapCount, double? ReclaimCapShare);

    internal sealed record ProfileView(
        Guid Id, string DisplayName, string Vendor, string ProfileType, string Alias, ProfileStatus Status,
        bool DownloadSubscriptions, bool DownloadActivity, bool ReclaimSubscriptions, DateTimeOffset AnalyzeActivityFrom,
        int ReclaimCapCount, double ReclaimCapShare, DateTimeOffset? ValidatedAt, bool? ValidationSucceeded, string? ValidationMessage,
        DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
    {
        public static ProfileView From(IntegrationProfileEntity p) => new(
            p.Id, p.DisplayName, p.Vendor, p.ProfileType, p.AliasId, p.Status, p.DownloadSubscriptions, p.DownloadActivity, p.ReclaimSubscriptions,
            p.AnalyzeActivityFrom, p.ReclaimCapCount, p.ReclaimCapShare, p.ValidatedAt, p.ValidationSucceeded, p.ValidationMessage, p.CreatedAt, p.UpdatedAt);
    }

    internal sealed record RuleView(string Name, int LastActivityThresholdDays, bool NotifyUser);

    internal sealed record AttachmentView(Guid? Id, string FileName, int? Rows, DateTimeOffset AttachedAt);

    internal sealed record ProfileDetail(
        ProfileView Profile, string? SoftwareModel, RuleView? Rule, int Subscriptions, int IdleSubscriptions,
        IReadOnlyDictionary<string, int> Candidates, AttachmentView? LatestAttachment, IReadOnlyList<LicenseEndpoints.JobView> Jobs);

    internal sealed record PublishView(ProfileDetail Profile, RunView Download, RunView? Activity);
}
