using System.CommandLine;
using System.Globalization;
using FlowEngine.Expressions;
using FlowEngine.LicenseManagement;
using FlowEngine.LicenseManagement.Scheduling;
using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Scheduling;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;
using static FlowEngine.Cli.Commands.LicenseCli;

namespace FlowEngine.Cli.Commands;

/// <summary>
/// License management besides profiles: <c>subscriptions</c>, <c>candidates</c>, <c>reclaim plan|run</c>,
/// <c>reconcile</c>, <c>entitlements</c>, <c>exclusions</c>, <c>jobs list</c> and <c>scheduler run</c>.
/// </summary>
internal static class LicenseCommands
{
    /// <summary>Cron of the daily reconciliation job: 04:00 UTC, after the downloads (02:00) and activity (03:00).</summary>
    public const string ReconciliationCron = "0 0 4 * * ?";

    /// <summary>Adds <c>profiles</c> and the other license-management commands to the root command.</summary>
    public static void AddTo(RootCommand root, Option<string?> db)
    {
        ArgumentNullException.ThrowIfNull(root);
        foreach (var command in new[]
        {
            ProfilesCommand.Build(db), Subscriptions(db), Candidates(db), Reclaim(db), Reconcile(db), Entitlements(db), Exclusions(db), Jobs(db), Scheduler(db),
        })
        {
            root.Subcommands.Add(command);
        }
    }

    private static Option<string?> ProfileFilter() => new("--profile", "-p") { Description = "Only this profile (Display Name, id or id prefix)" };

    private static Command Subscriptions(Option<string?> db)
    {
        var flows = FlowsOption();
        var profile = ProfileFilter();
        var idle = new Option<bool>("--idle") { Description = "Only subscriptions idle past their reclamation rule's Last activity threshold" };
        var list = new Command("list", "Software subscriptions (one per vendor user): external user id, user principal name, display name, last activity, external created.") { profile, idle };
        list.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (engine, license) =>
        {
            var only = parse.GetValue(profile) is { } key ? await license.Profiles.FindAsync(key, ct).ConfigureAwait(false) : null;
            await using var data = engine.Store.CreateContext();
            var profiles = await data.Profiles.AsNoTracking().ToDictionaryAsync(p => p.Id, ct).ConfigureAwait(false);
            var thresholds = await data.Rules.AsNoTracking().Where(r => r.ProfileId != null).ToDictionaryAsync(r => r.ProfileId!.Value, r => r.LastActivityThresholdDays, ct).ConfigureAwait(false);
            var subscriptions = await data.Subscriptions.AsNoTracking().Where(s => only == null || s.ProfileId == only.Id).ToListAsync(ct).ConfigureAwait(false);
            var now = DateTimeOffset.UtcNow;
            bool IsIdle(SubscriptionEntity s) => SamStore.IsIdle(s, now.AddDays(-thresholds.GetValueOrDefault(s.ProfileId, 60)));
            var shown = subscriptions.Where(s => !parse.GetValue(idle) || IsIdle(s))
                .OrderBy(s => profiles.GetValueOrDefault(s.ProfileId)?.DisplayName, StringComparer.Ordinal)
                .ThenBy(s => s.UserPrincipalName, StringComparer.OrdinalIgnoreCase).ToList();

            var table = new Table();
            if (only is null)
            {
                table.AddColumn("profile");
            }

            table.AddColumns("external user id", "user principal name", "display name", "last activity (UTC)", "external created (UTC)");
            foreach (var s in shown)
            {
                var cells = new List<string?> { s.ExternalUserId, s.UserPrincipalName, s.DisplayName, Date(s.LastActivity, "never"), Date(s.ExternalCreated) };
                if (only is null)
                {
                    cells.Insert(0, profiles.GetValueOrDefault(s.ProfileId)?.DisplayName);
                }

                table.Row([.. cells]);
            }

            Output.Out.Write(table);
            Note($"{shown.Count} subscription(s) shown; {subscriptions.Count(IsIdle)} of {subscriptions.Count} idle past the rule's threshold");
            return ExitCodes.Ok;
        }));

        var command = new Command("subscriptions", "Software subscriptions downloaded by the profiles.") { list };
        command.Options.Add(flows);
        return command;
    }

    private static Command Candidates(Option<string?> db)
    {
        var flows = FlowsOption();
        var profile = ProfileFilter();
        var state = new Option<string?>("--state", "-s") { Description = "Only this state: Ready, \"Attention Required\", \"Closed Complete\", …" };
        var history = new Option<bool>("--history") { Description = "Also show each candidate's history: who changed its state, when and why" };
        var list = new Command("list", "Removal candidates: number, user, state, last activity, threshold, error message.") { profile, state, history };
        list.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (engine, license) =>
        {
            var only = parse.GetValue(profile) is { } key ? await license.Profiles.FindAsync(key, ct).ConfigureAwait(false) : null;
            CandidateState? wanted = null;
            if (parse.GetValue(state) is { } text)
            {
                if (!TryParseState(text, out var parsed))
                {
                    Output.Problem($"unknown state '{text}'; the states are {States}");
                    return ExitCodes.Usage;
                }

                wanted = parsed;
            }

            await using var data = engine.Store.CreateContext();
            var candidates = await data.Candidates.AsNoTracking()
                .Where(c => (only == null || c.ProfileId == only.Id) && (wanted == null || c.State == wanted))
                .OrderBy(c => c.Number).ToListAsync(ct).ConfigureAwait(false);
            var table = new Table().AddColumns("number", "user", "state", "last activity (UTC)", "threshold", "error message");
            foreach (var c in candidates)
            {
                table.Row(c.Number, c.UserPrincipalName, Name(c.State), Date(c.LastActivity, "never"), $"{c.ThresholdDays} days", c.ErrorMessage);
            }

            Output.Out.Write(table);
            if (parse.GetValue(history) && candidates.Count > 0)
            {
                var ids = candidates.Select(c => c.Id).ToList();
                var entries = (await data.CandidateHistory.AsNoTracking().Where(h => ids.Contains(h.CandidateId)).ToListAsync(ct).ConfigureAwait(false))
                    .ToLookup(h => h.CandidateId);
                foreach (var c in candidates)
                {
                    Say($"{c.Number} {c.UserPrincipalName}");
                    foreach (var h in entries[c.Id].OrderBy(h => h.Id))
                    {
                        Say($"  {Date(h.At)}  {(h.From is { } from ? Name(from) : "(new)")} -> {Name(h.To)}  by {h.By}: {h.Why}");
                    }
                }
            }

            Note($"{candidates.Count} removal candidate(s){(wanted is { } w ? $" in state {Name(w)}" : "")}");
            return ExitCodes.Ok;
        }));

        var command = new Command("candidates", "Removal (reclamation) candidates.") { list };
        command.Options.Add(flows);
        return command;
    }

    private static Command Reclaim(Option<string?> db)
    {
        var flows = FlowsOption();
        var planProfile = new Argument<string>("profile") { Description = "Display Name, id or id prefix" };
        var plan = new Command("plan", "What a reclaim run would do, with the evidence and savings; calls no vendor.") { planProfile };
        plan.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (engine, license) =>
        {
            var profile = await license.Profiles.FindAsync(parse.GetValue(planProfile)!, ct).ConfigureAwait(false);
            var report = await license.Reclaim.PlanAsync(profile.Id, ct).ConfigureAwait(false);
            var excluded = await ExcludedAsync(engine, profile, report, ct).ConfigureAwait(false);
            if (report.Planned.Count == 0)
            {
                Say($"nothing to reclaim for '{report.Profile}': no Ready removal candidates");
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("number", "user", "external user id", "last activity (UTC)", "days idle", "rule", "threshold", "saving");
            foreach (var p in report.Planned)
            {
                table.Row(p.Number, p.UserPrincipalName + (excluded.Contains(p.Number) ? " (excluded)" : ""), p.ExternalUserId, Date(p.LastActivity, "never"),
                    p.DaysIdle is { } d ? Number(d) : "no activity", p.Rule, $"{p.ThresholdDays} days", Money(p.Saving));
            }

            Output.Out.Write(table);
            Say($"{report.Planned.Count} Ready candidate(s) for '{report.Profile}'; savings {Money(report.Savings)} per year{(report.Savings == 0 ? " (no entitlement with a unit cost yet: 'flowengine entitlements add')" : "")}");
            if (report.StoppedBecause is { } why)
            {
                Output.Out.MarkupLine($"[yellow]a reclaim run would stop:[/] {Markup.Escape(why.Replace("; nothing was reclaimed", "", StringComparison.Ordinal))}");
            }
            else if (excluded.Count > 0)
            {
                Output.Out.MarkupLine($"[yellow]a reclaim run would stop:[/] {excluded.Count} of them belong to excluded users; 'flowengine profiles refresh \"{Markup.Escape(report.Profile)}\" --activity' cancels those candidates");
            }
            else
            {
                Say($"a reclaim run would remove these {report.Planned.Count} user(s) at {profile.Vendor} ('flowengine reclaim run \"{report.Profile}\"')");
            }

            return ExitCodes.Ok;
        }));

        var runProfile = new Argument<string>("profile") { Description = "Display Name, id or id prefix" };
        var run = new Command("run", "Reclaim the Ready candidates now through the vendor's reclaim subflow, behind the safety cap.") { runProfile };
        run.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (engine, license) =>
        {
            var profile = await license.Profiles.FindAsync(parse.GetValue(runProfile)!, ct).ConfigureAwait(false);
            var plan = await license.Reclaim.PlanAsync(profile.Id, ct).ConfigureAwait(false);
            var excluded = await ExcludedAsync(engine, profile, plan, ct).ConfigureAwait(false);
            if (plan.StoppedBecause is null && excluded.Count > 0)
            {
                Output.Problem($"stopped, nothing was reclaimed: {excluded.Count} Ready candidate(s) of '{profile.DisplayName}' belong to excluded users ({string.Join(", ", excluded)}); "
                    + $"run 'flowengine profiles refresh \"{profile.DisplayName}\" --activity' first, which cancels them");
                return ExitCodes.Failed;
            }

            var report = await license.Reclaim.RunAsync(profile.Id, ct).ConfigureAwait(false);
            if (report.StoppedBecause is { } why)
            {
                Output.Problem($"stopped, nothing was reclaimed: {why}");
                return ExitCodes.Failed;
            }

            if (report.Planned.Count == 0)
            {
                Say($"nothing to reclaim for '{report.Profile}': no Ready removal candidates");
                return ExitCodes.Ok;
            }

            var saved = report.Planned.Count == 0 ? 0 : report.Reclaimed * report.Planned[0].Saving;
            Say($"reclaimed {report.Reclaimed} of {report.Planned.Count} subscription(s) of '{report.Profile}' at {profile.Vendor}; savings {Money(saved)} per year");
            if (report.Failed.Count > 0)
            {
                var users = report.Planned.ToDictionary(p => p.Number, p => p.UserPrincipalName);
                Output.Out.MarkupLine($"[red]{report.Failed.Count} failed[/] and need attention (state Attention Required):");
                foreach (var (number, message) in report.Failed)
                {
                    Say($"  {number} {users.GetValueOrDefault(number)}: {message}");
                }

                return ExitCodes.Failed;
            }

            return ExitCodes.Ok;
        }));

        var command = new Command("reclaim", "Plan and run reclamation of idle subscriptions.") { plan, run };
        command.Options.Add(flows);
        return command;
    }

    private static Command Reconcile(Option<string?> db)
    {
        var flows = FlowsOption();
        var command = new Command("reconcile", "Reconcile every software model now: rights owned against subscriptions in use, stale seats, compliance, savings.") { flows };
        command.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (_, license) =>
        {
            var lines = await license.Reclaim.ReconcileAsync(ct).ConfigureAwait(false);
            if (lines.Count == 0)
            {
                Note("no software models yet; publishing a profile creates its software model");
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("software model", "owned", "used", "stale", "compliant", "potential savings", "realised savings");
            foreach (var l in lines)
            {
                table.Row(l.SoftwareModel, Number(l.Owned), Number(l.Used), Number(l.Stale), l.Compliant ? "yes" : $"no ({l.Used - l.Owned} over)", Money(l.PotentialSavings), Money(l.RealisedSavings));
            }

            Output.Out.Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Entitlements(Option<string?> db)
    {
        var flows = FlowsOption();
        var model = new Argument<string>("software-model") { Description = "Software model name (e.g. \"PagerDuty, Inc. PagerDuty\") or identifier (pagerduty)" };
        var rights = new Option<int>("--rights") { Description = "Rights owned (seats bought)", Required = true };
        var unitCost = new Option<decimal>("--unit-cost") { Description = "Cost of one right per year (used for savings)", DefaultValueFactory = _ => 0m };
        var description = new Option<string?>("--description") { Description = "e.g. the contract or order number" };
        var add = new Command("add", "Record rights owned for a software model.") { model, rights, unitCost, description };
        add.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (engine, _) =>
        {
            var (count, cost) = (parse.GetValue(rights), parse.GetValue(unitCost));
            if (count <= 0 || cost < 0)
            {
                Output.Problem("--rights must be at least 1 and --unit-cost at least 0");
                return ExitCodes.Usage;
            }

            await using var data = engine.Store.CreateContext();
            var found = await FindModelAsync(data, parse.GetValue(model)!, ct).ConfigureAwait(false);
            data.Entitlements.Add(new EntitlementEntity { Id = Guid.CreateVersion7(), SoftwareModelId = found.Id, Rights = count, UnitCost = cost, Description = parse.GetValue(description) });
            await data.SaveChangesAsync(ct).ConfigureAwait(false);
            var all = await data.Entitlements.AsNoTracking().Where(e => e.SoftwareModelId == found.Id).ToListAsync(ct).ConfigureAwait(false);
            Say($"added {count} right(s) at {Money(cost)} per year to '{found.Name}'; it now has {all.Sum(e => e.Rights)} right(s) owned in {all.Count} entitlement(s)");
            return ExitCodes.Ok;
        }));

        var list = new Command("list", "Entitlements by software model.");
        list.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (engine, _) =>
        {
            await using var data = engine.Store.CreateContext();
            var models = await data.SoftwareModels.AsNoTracking().ToDictionaryAsync(m => m.Id, m => m.Name, ct).ConfigureAwait(false);
            var table = new Table().AddColumns("software model", "rights", "unit cost", "description");
            foreach (var e in (await data.Entitlements.AsNoTracking().ToListAsync(ct).ConfigureAwait(false)).OrderBy(e => models.GetValueOrDefault(e.SoftwareModelId), StringComparer.Ordinal))
            {
                table.Row(models.GetValueOrDefault(e.SoftwareModelId), Number(e.Rights), Money(e.UnitCost), e.Description);
            }

            Output.Out.Write(table);
            return ExitCodes.Ok;
        }));

        var command = new Command("entitlements", "Software entitlements: rights owned per software model.") { add, list };
        command.Options.Add(flows);
        return command;
    }

    private static Command Exclusions(Option<string?> db)
    {
        var flows = FlowsOption();
        var upn = new Argument<string>("user-principal-name") { Description = "The user's principal name (e-mail), excluded across all profiles" };
        var user = new Command("user", "Exclude a user (by user principal name) from license calculations and reclamation, in every profile.") { upn };
        user.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, (engine, _) =>
            AddExclusionAsync(engine, "user_principal_name", parse.GetValue(upn)!.Trim().ToLowerInvariant(), null, ct)));

        var id = new Argument<string>("identifier") { Description = "Subscription identifier (e.g. pagerduty, roadmunk)" };
        var profileType = new Option<string?>("--profile-type") { Description = "Only for this profile type, e.g. \"PagerDuty Subscription\" (default: every type)" };
        var identifier = new Command("identifier", "Exclude a subscription identifier, for one profile type or all.") { id, profileType };
        identifier.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (engine, _) =>
        {
            var type = parse.GetValue(profileType);
            var types = engine.Integration.Spokes.Spokes.Where(s => s.License is not null).Select(s => s.License!.ProfileType).ToList();
            if (type is not null && !types.Contains(type, StringComparer.Ordinal))
            {
                Output.Problem($"unknown profile type '{type}'{Suggest.DidYouMean(type, types)}; the profile types are {string.Join(", ", types.Select(t => $"\"{t}\""))}");
                return ExitCodes.Usage;
            }

            return await AddExclusionAsync(engine, "identifier", parse.GetValue(id)!.Trim(), type, ct).ConfigureAwait(false);
        }));

        var add = new Command("add", "Add an exclusion.") { user, identifier };
        var list = new Command("list", "Every exclusion.");
        list.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (engine, _) =>
        {
            await using var data = engine.Store.CreateContext();
            var table = new Table().AddColumns("kind", "value", "profile type");
            foreach (var e in (await data.Exclusions.AsNoTracking().ToListAsync(ct).ConfigureAwait(false)).OrderBy(e => e.Kind, StringComparer.Ordinal).ThenBy(e => e.Value, StringComparer.Ordinal))
            {
                table.Row(e.Kind == "user_principal_name" ? "user" : e.Kind, e.Value, e.ProfileType ?? (e.Kind == "identifier" ? "(all)" : ""));
            }

            Output.Out.Write(table);
            return ExitCodes.Ok;
        }));

        var command = new Command("exclusions", "Subscription exclusions: users or identifiers kept out of license calculations and reclamation.") { add, list };
        command.Options.Add(flows);
        return command;
    }

    private static Command Jobs(Option<string?> db)
    {
        var flows = FlowsOption();
        var list = new Command("list", "Scheduled jobs: name, group, cron, next and previous fire.");
        list.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (_, license) =>
        {
            var jobs = await license.Scheduler.ListAsync(ct).ConfigureAwait(false);
            Output.Out.Write(JobTable(jobs));
            Note($"{jobs.Count} job(s); they fire while 'flowengine scheduler run' is running");
            return ExitCodes.Ok;
        }));

        var command = new Command("jobs", "Scheduled jobs (publishing a profile creates its daily jobs).") { list };
        command.Options.Add(flows);
        return command;
    }

    private static Command Scheduler(Option<string?> db)
    {
        var flows = FlowsOption();
        var run = new Command("run", "Run the scheduler: fires the daily jobs (downloads, activity and reclaim, reconciliation) until Ctrl+C.");
        run.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (_, license) =>
        {
            await license.Scheduler.UpsertAsync(
                new JobSpec(SamJobHandler.ReconciliationJob, SchedulerProfileJobs.Group, ReconciliationCron, new Dictionary<string, string> { ["kind"] = "reconcile" })
                {
                    Description = "Reconcile every software model daily",
                },
                ct).ConfigureAwait(false);
            await license.Scheduler.UpsertAsync(SamJobHandler.PruneSpec(), ct).ConfigureAwait(false);
            Output.Out.Write(JobTable(await license.Scheduler.ListAsync(ct).ConfigureAwait(false)));
            Note("scheduler running; Ctrl+C stops it");
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                Note("stopping: waiting for running jobs to return");
            }

            return ExitCodes.Ok;
        }, runJobs: true));

        var command = new Command("scheduler", "The job scheduler (one process per database on SQLite).") { run };
        command.Options.Add(flows);
        return command;
    }

    private static Table JobTable(IReadOnlyList<ScheduledJob> jobs)
    {
        var table = new Table().AddColumns("name", "group", "cron", "next fire (UTC)", "previous fire (UTC)");
        foreach (var j in jobs)
        {
            table.Row(j.Name, j.Group, j.Cron + (j.TimeZone == "UTC" ? "" : $" ({j.TimeZone})"), Date(j.NextFire, "-"), Date(j.PreviousFire, "never"));
        }

        return table;
    }

    private static async Task<int> AddExclusionAsync(Engine engine, string kind, string value, string? profileType, CancellationToken ct)
    {
        if (value.Length == 0)
        {
            Output.Problem("the exclusion needs a value");
            return ExitCodes.Usage;
        }

        await using var data = engine.Store.CreateContext();
        var label = kind == "identifier" ? $"identifier '{value}'{(profileType is null ? "" : $" for {profileType}")}" : $"user '{value}'";
        var existing = await data.Exclusions.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        if (existing.Any(e => e.Kind == kind && string.Equals(e.Value, value, StringComparison.OrdinalIgnoreCase) && e.ProfileType == profileType))
        {
            Say($"{label} is excluded already");
            return ExitCodes.Ok;
        }

        data.Exclusions.Add(new ExclusionEntity { Id = Guid.CreateVersion7(), Kind = kind, Value = value, ProfileType = profileType });
        await data.SaveChangesAsync(ct).ConfigureAwait(false);
        Say($"excluded {label}: left out of reconciliation from now on; the next activity refresh cancels open removal candidates it covers and creates none");
        return ExitCodes.Ok;
    }

    private static async Task<SoftwareModelEntity> FindModelAsync(Persistence.FlowEngineDbContext data, string key, CancellationToken ct)
    {
        var models = await data.SoftwareModels.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        var matches = models.Where(m => m.Name.Equals(key, StringComparison.OrdinalIgnoreCase) || m.Identifier.Equals(key, StringComparison.OrdinalIgnoreCase)
            || m.Product.Equals(key, StringComparison.OrdinalIgnoreCase) || m.Id.ToString().StartsWith(key, StringComparison.OrdinalIgnoreCase)).ToList();
        return matches.Count switch
        {
            1 => matches[0],
            0 when models.Count == 0 => throw new LicenseException($"no software model '{key}'; software models are created when a profile is published"),
            0 => throw new LicenseException($"no software model '{key}'{Suggest.DidYouMean(key, models.Select(m => m.Name).Concat(models.Select(m => m.Identifier)))}; the models are {string.Join(", ", models.Select(m => $"\"{m.Name}\" ({m.Identifier})"))}"),
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

        await using var data = engine.Store.CreateContext();
        var exclusions = await data.Exclusions.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
        if (exclusions.Count == 0)
        {
            return [];
        }

        var numbers = report.Planned.Select(p => p.Number).ToList();
        var candidates = await data.Candidates.AsNoTracking().Where(c => numbers.Contains(c.Number)).ToListAsync(ct).ConfigureAwait(false);
        var subscriptionIds = candidates.Where(c => c.SubscriptionId != null).Select(c => c.SubscriptionId!.Value).ToList();
        var subscriptions = await data.Subscriptions.AsNoTracking().Where(s => subscriptionIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, ct).ConfigureAwait(false);
        return candidates
            .Where(c => c.SubscriptionId is { } sid && subscriptions.TryGetValue(sid, out var s) && SamStore.IsExcluded(exclusions, s, profile.ProfileType))
            .Select(c => c.Number).Order(StringComparer.Ordinal).ToList();
    }
}
