using FlowEngine.Expressions;
using FlowEngine.Hosting;
using FlowEngine.LicenseManagement;
using FlowEngine.Persistence;
using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Server.Endpoints;

/// <summary>
/// License management besides profiles, as the CLI has it: subscriptions, removal candidates, reclaim plan and run,
/// reconciliation, software models, entitlements, exclusions and the scheduler's jobs.
/// </summary>
internal static class LicenseEndpoints
{
    public static IEndpointRouteBuilder MapLicenseEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("License management").RequireAuthorization(Policies.Viewer);

        api.MapGet("/subscriptions", async (string? profile, bool? idle, Engine engine, LicenseParts license, CancellationToken ct) =>
        {
            var only = profile is null ? null : await ProfileEndpoints.FindAsync(license, profile, ct).ConfigureAwait(false);
            await using var db = engine.Store.CreateContext();
            var names = await db.Profiles.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.DisplayName, ct).ConfigureAwait(false);
            var thresholds = await db.Rules.AsNoTracking().Where(r => r.ProfileId != null).ToDictionaryAsync(r => r.ProfileId!.Value, r => r.LastActivityThresholdDays, ct).ConfigureAwait(false);
            var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => only == null || s.ProfileId == only.Id).ToListAsync(ct).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow;
            return TypedResults.Ok(subscriptions
                .Select(s => new SubscriptionView(s.Id, s.ProfileId, names.GetValueOrDefault(s.ProfileId), s.ExternalUserId, s.UserPrincipalName, s.DisplayName,
                    s.LastActivity, s.ExternalCreated, s.Identifier, SamStore.IsIdle(s, now.AddDays(-thresholds.GetValueOrDefault(s.ProfileId, 60)))))
                .Where(s => idle != true || s.Idle)
                .OrderBy(s => s.Profile, StringComparer.Ordinal).ThenBy(s => s.UserPrincipalName, StringComparer.OrdinalIgnoreCase).ToList());
        });

        api.MapGet("/candidates", async (string? profile, string? state, bool? history, Engine engine, LicenseParts license, CancellationToken ct) =>
        {
            var only = profile is null ? null : await ProfileEndpoints.FindAsync(license, profile, ct).ConfigureAwait(false);
            var wanted = state is null ? (CandidateState?)null : ParseState(state);
            await using var db = engine.Store.CreateContext();
            var names = await db.Profiles.AsNoTracking().ToDictionaryAsync(p => p.Id, p => p.DisplayName, ct).ConfigureAwait(false);
            var candidates = await db.Candidates.AsNoTracking()
                .Where(c => (only == null || c.ProfileId == only.Id) && (wanted == null || c.State == wanted))
                .OrderBy(c => c.Number).ToListAsync(ct).ConfigureAwait(false);
            var entries = new Dictionary<Guid, List<HistoryView>>();
            if (history == true && candidates.Count > 0)
            {
                var ids = candidates.Select(c => c.Id).ToList();
                foreach (var h in (await db.CandidateHistory.AsNoTracking().Where(h => ids.Contains(h.CandidateId)).ToListAsync(ct).ConfigureAwait(false)).OrderBy(h => h.Id))
                {
                    (entries.TryGetValue(h.CandidateId, out var list) ? list : entries[h.CandidateId] = []).Add(new HistoryView(h.At, h.From, h.To, h.By, h.Why));
                }
            }

            return TypedResults.Ok(candidates.Select(c => new CandidateView(
                c.Id, c.Number, c.ProfileId, c.ProfileId is { } pid ? names.GetValueOrDefault(pid) : null, c.ExternalUserId, c.UserPrincipalName, c.State,
                c.LastActivity, c.ThresholdDays, c.ErrorMessage, c.CreatedAt, c.UpdatedAt, history == true ? entries.GetValueOrDefault(c.Id) ?? [] : null)).ToList());
        });

        api.MapGet("/reclaim/{profile}/plan", async (string profile, Engine engine, LicenseParts license, CancellationToken ct) =>
        {
            var found = await ProfileEndpoints.FindAsync(license, profile, ct).ConfigureAwait(false);
            var report = await license.Reclaim.PlanAsync(found.Id, ct).ConfigureAwait(false);
            var excluded = await ExcludedAsync(engine, found, report, ct).ConfigureAwait(false);
            var stop = report.StoppedBecause ?? (excluded.Count > 0
                ? $"{excluded.Count} Ready candidate(s) belong to excluded users; refresh the profile's activity first, which cancels them"
                : null);
            return TypedResults.Ok(ReclaimView.From(report, excluded, stop));
        });

        api.MapPost("/reclaim/{profile}/run", async Task<Results<Ok<ReclaimView>, ProblemHttpResult>> (string profile, Engine engine, LicenseParts license, CancellationToken ct) =>
        {
            var found = await ProfileEndpoints.FindAsync(license, profile, ct).ConfigureAwait(false);
            var plan = await license.Reclaim.PlanAsync(found.Id, ct).ConfigureAwait(false);
            var excluded = await ExcludedAsync(engine, found, plan, ct).ConfigureAwait(false);
            if (plan.StoppedBecause is null && excluded.Count > 0)
            {
                return ApiResults.Conflict($"stopped, nothing was reclaimed: {excluded.Count} Ready candidate(s) of '{found.DisplayName}' belong to excluded users ({string.Join(", ", excluded)}); refresh the profile's activity first, which cancels them");
            }

            var report = await license.Reclaim.RunAsync(found.Id, ct).ConfigureAwait(false);
            return report.StoppedBecause is { } why
                ? ApiResults.Conflict($"stopped, nothing was reclaimed: {why}")
                : TypedResults.Ok(ReclaimView.From(report, excluded, null));
        }).RequireAuthorization(Policies.Admin);

        api.MapGet("/reconciliation", async (Engine engine, CancellationToken ct) =>
        {
            await using var db = engine.Store.CreateContext();
            var models = await db.SoftwareModels.AsNoTracking().ToDictionaryAsync(m => m.Id, m => m.Name, ct).ConfigureAwait(false);
            var results = await db.Reconciliations.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
            return TypedResults.Ok(results.GroupBy(r => r.SoftwareModelId).Select(g => g.MaxBy(r => r.RunAt)!)
                .Select(r => new ReconciliationView(models.GetValueOrDefault(r.SoftwareModelId) ?? r.SoftwareModelId.ToString(), r.Owned, r.Used, r.Stale, r.Compliant, r.PotentialSavings, r.RealisedSavings, r.RunAt))
                .OrderBy(r => r.SoftwareModel, StringComparer.Ordinal).ToList());
        });

        api.MapPost("/reconciliation/run", async (LicenseParts license, CancellationToken ct) =>
        {
            var lines = await license.Reclaim.ReconcileAsync(ct).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow;
            return TypedResults.Ok(lines.Select(l => new ReconciliationView(l.SoftwareModel, l.Owned, l.Used, l.Stale, l.Compliant, l.PotentialSavings, l.RealisedSavings, now)).ToList());
        }).RequireAuthorization(Policies.Admin);

        api.MapGet("/software-models", async (Engine engine, CancellationToken ct) =>
        {
            await using var db = engine.Store.CreateContext();
            var models = await db.SoftwareModels.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
            return TypedResults.Ok(models.OrderBy(m => m.Name, StringComparer.Ordinal).Select(m => new SoftwareModelView(m.Id, m.Name, m.Publisher, m.Product, m.Identifier)).ToList());
        });

        api.MapGet("/entitlements", async (Engine engine, CancellationToken ct) =>
        {
            await using var db = engine.Store.CreateContext();
            var models = await db.SoftwareModels.AsNoTracking().ToDictionaryAsync(m => m.Id, m => m.Name, ct).ConfigureAwait(false);
            var entitlements = await db.Entitlements.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
            return TypedResults.Ok(entitlements.Select(e => new EntitlementView(e.Id, models.GetValueOrDefault(e.SoftwareModelId) ?? "?", e.Rights, e.UnitCost, e.Description))
                .OrderBy(e => e.SoftwareModel, StringComparer.Ordinal).ToList());
        });

        api.MapPost("/entitlements", async (EntitlementInput input, Engine engine, CancellationToken ct) =>
        {
            if (input.Rights <= 0 || input.UnitCost < 0 || string.IsNullOrWhiteSpace(input.SoftwareModel))
            {
                throw new LicenseException("give 'softwareModel', 'rights' of at least 1 and 'unitCost' of at least 0");
            }

            await using var db = engine.Store.CreateContext();
            var model = await FindModelAsync(db, input.SoftwareModel, ct).ConfigureAwait(false);
            var entity = new EntitlementEntity { Id = Guid.CreateVersion7(), SoftwareModelId = model.Id, Rights = input.Rights, UnitCost = input.UnitCost ?? 0m, Description = input.Description };
            db.Entitlements.Add(entity);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return TypedResults.Created("/api/entitlements", new EntitlementView(entity.Id, model.Name, entity.Rights, entity.UnitCost, entity.Description));
        }).RequireAuthorization(Policies.Admin);

        api.MapGet("/exclusions", async (Engine engine, CancellationToken ct) =>
        {
            await using var db = engine.Store.CreateContext();
            var exclusions = await db.Exclusions.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
            return TypedResults.Ok(exclusions.OrderBy(e => e.Kind, StringComparer.Ordinal).ThenBy(e => e.Value, StringComparer.Ordinal)
                .Select(e => new ExclusionView(e.Id, e.Kind == "user_principal_name" ? "user" : e.Kind, e.Value, e.ProfileType)).ToList());
        });

        api.MapPost("/exclusions", async (ExclusionInput input, Engine engine, CancellationToken ct) =>
        {
            var kind = input.Kind?.ToLowerInvariant() switch
            {
                "user" or "user_principal_name" => "user_principal_name",
                "identifier" => "identifier",
                _ => throw new LicenseException("'kind' is user (a user principal name, excluded in every profile) or identifier (a subscription identifier)"),
            };
            var value = kind == "identifier" ? (input.Value ?? "").Trim() : (input.Value ?? "").Trim().ToLowerInvariant();
            var profileType = kind == "identifier" && !string.IsNullOrEmpty(input.ProfileType) ? input.ProfileType : null;
            if (value.Length == 0)
            {
                throw new LicenseException("the exclusion needs a 'value'");
            }

            var types = engine.Integration.Spokes.Spokes.Where(s => s.License is not null).Select(s => s.License!.ProfileType).ToList();
            if (profileType is not null && !types.Contains(profileType, StringComparer.Ordinal))
            {
                throw new LicenseException($"unknown profile type '{profileType}'{Suggest.DidYouMean(profileType, types)}; the profile types are {string.Join(", ", types)}");
            }

            await using var db = engine.Store.CreateContext();
            var existing = (await db.Exclusions.AsNoTracking().ToListAsync(ct).ConfigureAwait(false))
                .FirstOrDefault(e => e.Kind == kind && string.Equals(e.Value, value, StringComparison.OrdinalIgnoreCase) && e.ProfileType == profileType);
            if (existing is not null)
            {
                return TypedResults.Created("/api/exclusions", new ExclusionView(existing.Id, kind == "identifier" ? "identifier" : "user", existing.Value, existing.ProfileType));
            }

            var entity = new ExclusionEntity { Id = Guid.CreateVersion7(), Kind = kind, Value = value, ProfileType = profileType };
            db.Exclusions.Add(entity);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return TypedResults.Created("/api/exclusions", new ExclusionView(entity.Id, kind == "identifier" ? "identifier" : "user", value, profileType));
        }).RequireAuthorization(Policies.Admin);

        api.MapGet("/jobs", async (LicenseParts license, CancellationToken ct) =>
            TypedResults.Ok((await license.Scheduler.ListAsync(ct).ConfigureAwait(false))
                .Select(j => new JobView(j.Name, j.Group, j.Cron, j.TimeZone, j.NextFire, j.PreviousFire, j.Description)).ToList()));

        return app;
    }

    private static CandidateState ParseState(string text)
    {
        var key = new string(text.Where(char.IsLetter).ToArray());
        return key.Length > 0 && Enum.TryParse<CandidateState>(key, ignoreCase: true, out var state) && Enum.IsDefined(state)
            ? state
            : throw new LicenseException($"unknown state '{text}'; the states are {string.Join(", ", Enum.GetNames<CandidateState>())}");
    }

    private static async Task<SoftwareModelEntity> FindModelAsync(FlowEngineDbContext db, string key, CancellationToken ct)
    {
        var models = await db.SoftwareModels.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        var matches = models.Where(m => m.Name.Equals(key, StringComparison.OrdinalIgnoreCase) || m.Identifier.Equals(key, StringComparison.OrdinalIgnoreCase)
            || m.Product.Equals(key, StringComparison.OrdinalIgnoreCase) || m.Id.ToString().StartsWith(key, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new KeyNotFoundException(models.Count == 0
                ? $"no software model '{key}'; software models are created when a profile is published"
                : $"no software model '{key}'{Suggest.DidYouMean(key, models.Select(m => m.Name).Concat(models.Select(m => m.Identifier)))}"),
            _ => throw new LicenseException($"'{key}' matches {matches.Count} software models; give the full name"),
        };
    }

    /// <summary>Planned candidates whose subscription is excluded now (the candidate predates the exclusion).</summary>
    private static async Task<List<string>> ExcludedAsync(Engine engine, IntegrationProfileEntity profile, ReclaimReport report, CancellationToken ct)
    {
        if (report.Planned.Count == 0)
        {
            return [];
        }

        await using var db = engine.Store.CreateContext();
        var exclusions = await db.Exclusions.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        if (exclusions.Count == 0)
        {
            return [];
        }

        var numbers = report.Planned.Select(p => p.Number).ToList();
        var candidates = await db.Candidates.AsNoTracking().Where(c => numbers.Contains(c.Number)).ToListAsync(ct).ConfigureAwait(false);
        var subscriptionIds = candidates.Where(c => c.SubscriptionId != null).Select(c => c.SubscriptionId!.Value).ToList();
        var subscriptions = await db.Subscriptions.AsNoTracking().Where(s => subscriptionIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct).ConfigureAwait(false);
        return candidates
            .Where(c => c.SubscriptionId is { } sid && subscriptions.TryGetValue(sid, out var s) && SamStore.IsExcluded(exclusions, s, profile.ProfileType))
            .Select(c => c.Number).Order(StringComparer.Ordinal).ToList();
    }

    internal sealed record JobView(string Name, string Group, string Cron, string TimeZone, DateTimeOffset? NextFire, DateTimeOffset? PreviousFire, string? Description);

    internal sealed record SubscriptionView(
        Guid Id, Guid ProfileId, string? Profile, string ExternalUserId, string UserPrincipalName, string? DisplayName,
        DateTimeOffset? LastActivity, DateTimeOffset? ExternalCreated, string? Identifier, bool Idle);

    internal sealed record HistoryView(DateTimeOffset At, CandidateState? From, CandidateState To, string By, string Why);

    internal sealed record CandidateView(
        Guid Id, string Number, Guid? ProfileId, string? Profile, string ExternalUserId, string UserPrincipalName, CandidateState State,
        DateTimeOffset? LastActivity, int ThresholdDays, string? ErrorMessage, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, IReadOnlyList<HistoryView>? History);

    internal sealed record FailedReclaim(string Number, string Message);

    internal sealed record ReclaimView(
        string Profile, bool ReclaimEnabled, IReadOnlyList<PlannedReclaim> Planned, decimal Savings, string? StoppedBecause,
        IReadOnlyList<string> Excluded, int Reclaimed, IReadOnlyList<FailedReclaim> Failed)
    {
        public static ReclaimView From(ReclaimReport r, IReadOnlyList<string> excluded, string? stop) => new(
            r.Profile, r.ReclaimEnabled, r.Planned, r.Savings, stop, excluded, r.Reclaimed, r.Failed.Select(f => new FailedReclaim(f.Number, f.Message)).ToList());
    }

    internal sealed record ReconciliationView(string SoftwareModel, int Owned, int Used, int Stale, bool Compliant, decimal PotentialSavings, decimal RealisedSavings, DateTimeOffset RunAt);

    internal sealed record SoftwareModelView(Guid Id, string Name, string Publisher, string Product, string Identifier);

    [System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
    internal sealed record EntitlementInput(string SoftwareModel, int Rights, decimal? UnitCost, string? Description);

    internal sealed record EntitlementView(Guid Id, string SoftwareModel, int Rights, decimal UnitCost, string? Description);

    [System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
    internal sealed record ExclusionInput(string? Kind, string? Value, string? ProfileType);

    internal sealed record ExclusionView(Guid Id, string Kind, string Value, string? ProfileType);
}
