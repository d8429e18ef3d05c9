using System.CommandLine;
using System.Globalization;
using FlowEngine.Expressions;
using FlowEngine.LicenseManagement;
using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Scheduling;
using Microsoft.EntityFrameworkCore;
using Spectre.Console;
using static FlowEngine.Cli.Commands.LicenseCli;

namespace FlowEngine.Cli.Commands;

/// <summary>
/// <c>flowengine profiles create|list|show|validate|publish|update|attach|delete|refresh</c>: direct integration
/// profiles (Display Name, Profile Type, Connection &amp; Credential, the Download Activity and Reclaim subscriptions
/// check boxes, Analyze user activity from) and their lifecycle, Draft → Validate Connection → Publish.
/// </summary>
internal static class ProfilesCommand
{
    public static Command Build(Option<string?> db)
    {
        var flows = FlowsOption();
        var command = new Command("profiles", "Direct integration profiles: create, validate, publish, change, attach the user CSV, refresh, delete.")
        {
            Create(db, flows),
            List(db, flows),
            Show(db, flows),
            Validate(db, flows),
            Publish(db, flows),
            Update(db, flows),
            Attach(db, flows),
            Delete(db, flows),
            Refresh(db, flows),
        };
        command.Options.Add(flows);
        return command;
    }

    private static Argument<string> ProfileArgument() => new("profile") { Description = "Display Name, id, or the id's first characters" };

    private static Command Create(Option<string?> db, Option<string> flows)
    {
        var vendor = new Argument<string>("vendor") { Description = "The vendor's spoke: pagerduty or roadmunk" };
        var name = new Option<string>("--name", "-n") { Description = "Display Name, e.g. \"PagerDuty Integration\"; it names the daily jobs", Required = true };
        var alias = new Option<string?>("--alias") { Description = "Connection & Credential: the spoke's alias (default) or a child alias of it" };
        var noActivity = new Option<bool>("--no-activity") { Description = "Clear Download Activity: no activity job, no removal candidates from activity" };
        var noReclaim = new Option<bool>("--no-reclaim") { Description = "Clear Reclaim subscriptions: candidates are still created, nothing is reclaimed" };
        var from = new Option<string?>("--analyze-from") { Description = "Analyze user activity from (ISO date, within the last 60 days; default 60 days ago)" };
        var command = new Command("create", "Create a Draft profile for a vendor.") { vendor, name, alias, noActivity, noReclaim, from };
        command.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (engine, license) =>
        {
            var vendorId = parse.GetValue(vendor)!;
            var aliasId = parse.GetValue(alias);
            if (aliasId is not null)
            {
                await CheckAliasAsync(engine, vendorId, aliasId, ct).ConfigureAwait(false);
            }

            var analyzeFrom = parse.GetValue(from) is { } text ? ParseDate(text, "--analyze-from") : (DateTimeOffset?)null;
            var profile = await license.Profiles.CreateAsync(vendorId, parse.GetValue(name)!, aliasId, !parse.GetValue(noActivity), !parse.GetValue(noReclaim), analyzeFrom, ct).ConfigureAwait(false);
            Say($"created profile '{profile.DisplayName}' ({profile.Id}), status Draft");
            Say($"  profile type               {profile.ProfileType}");
            Say($"  connection & credential    {profile.AliasId}");
            Say($"  download activity          {OnOff(profile.DownloadActivity)}");
            Say($"  reclaim subscriptions      {OnOff(profile.ReclaimSubscriptions)}");
            Say($"  analyze user activity from {Date(profile.AnalyzeActivityFrom)} UTC");
            Say($"next: flowengine profiles validate \"{profile.DisplayName}\"");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command List(Option<string?> db, Option<string> flows)
    {
        var command = new Command("list", "Every profile: name, vendor, profile type, alias, status, check boxes, last validation.");
        command.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (_, license) =>
        {
            var profiles = await license.Profiles.ListAsync(ct).ConfigureAwait(false);
            if (profiles.Count == 0)
            {
                Note("no integration profiles yet; 'flowengine profiles create pagerduty --name \"PagerDuty Integration\"' makes one");
                return ExitCodes.Ok;
            }

            var table = new Table().AddColumns("name", "vendor", "profile type", "alias", "status", "activity", "reclaim", "validated (UTC)");
            foreach (var p in profiles)
            {
                table.Row(p.DisplayName, p.Vendor, p.ProfileType, p.AliasId, p.Status.ToString(), OnOff(p.DownloadActivity), OnOff(p.ReclaimSubscriptions), Validation(p));
            }

            Output.Out.Write(table);
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Show(Option<string?> db, Option<string> flows)
    {
        var profileArg = ProfileArgument();
        var command = new Command("show", "One profile: every field, its jobs with their next fire, subscriptions and candidates by state, the latest attachment.") { profileArg };
        command.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (engine, license) =>
        {
            var p = await license.Profiles.FindAsync(parse.GetValue(profileArg)!, ct).ConfigureAwait(false);
            await using var data = engine.Store.CreateContext();
            var model = p.SoftwareModelId is { } mid ? await data.SoftwareModels.AsNoTracking().FirstOrDefaultAsync(m => m.Id == mid, ct).ConfigureAwait(false) : null;
            var rule = await data.Rules.AsNoTracking().FirstOrDefaultAsync(r => r.ProfileId == p.Id, ct).ConfigureAwait(false);
            var subscriptions = await data.Subscriptions.AsNoTracking().Where(s => s.ProfileId == p.Id).ToListAsync(ct).ConfigureAwait(false);
            var states = (await data.Candidates.AsNoTracking().Where(c => c.ProfileId == p.Id).Select(c => c.State).ToListAsync(ct).ConfigureAwait(false))
                .GroupBy(s => s).OrderBy(g => g.Key).Select(g => $"{Name(g.Key)} {g.Count()}").ToList();
            var attachment = (await data.Attachments.AsNoTracking().Where(a => a.ProfileId == p.Id).Select(a => new { a.FileName, a.AttachedAt }).ToListAsync(ct).ConfigureAwait(false))
                .OrderByDescending(a => a.AttachedAt).FirstOrDefault();
            var cutoff = DateTimeOffset.UtcNow.AddDays(-(rule?.LastActivityThresholdDays ?? 60));
            var idle = subscriptions.Count(s => SamStore.IsIdle(s, cutoff));

            Say($"profile                    {p.DisplayName}");
            Say($"id                         {p.Id}");
            Say($"vendor                     {p.Vendor}");
            Say($"profile type               {p.ProfileType}");
            Say($"status                     {p.Status}");
            Say($"connection & credential    {p.AliasId}");
            Say($"download subscriptions     on (always)");
            Say($"download activity          {OnOff(p.DownloadActivity)}");
            Say($"reclaim subscriptions      {OnOff(p.ReclaimSubscriptions)}");
            Say($"analyze user activity from {Date(p.AnalyzeActivityFrom)} UTC");
            Say($"reclaim safety cap         at most {p.ReclaimCapCount} candidates and {Percent(p.ReclaimCapShare)} of the subscriptions per run");
            Say($"validated                  {Validation(p)}{(p.ValidationMessage is { } m ? $": {m}" : "")}");
            Say($"software model             {model?.Name ?? "(created on publish)"}");
            Say($"reclamation rule           {(rule is null ? "(created on publish)" : $"{rule.Name}: idle after {rule.LastActivityThresholdDays} days, notify user {OnOff(rule.NotifyUser)}")}");
            Say($"latest attachment          {(attachment is null ? "none" : $"{attachment.FileName} (attached {Date(attachment.AttachedAt)} UTC)")}");
            Say($"subscriptions              {subscriptions.Count} ({idle} idle past {rule?.LastActivityThresholdDays ?? 60} days)");
            Say($"removal candidates         {(states.Count == 0 ? "none" : string.Join(", ", states))}");
            Say($"created / updated          {Date(p.CreatedAt)} / {Date(p.UpdatedAt)} UTC");

            var jobs = await JobsOfAsync(license, p.Id, ct).ConfigureAwait(false);
            if (jobs.Count == 0)
            {
                Say($"jobs                       none{(p.Status == ProfileStatus.Draft ? " (Draft: publishing creates them)" : "")}");
            }
            else
            {
                var table = new Table().AddColumns("job", "cron", "next fire (UTC)", "previous fire (UTC)");
                foreach (var job in jobs)
                {
                    table.Row(job.Name, job.Cron, Date(job.NextFire, "-"), Date(job.PreviousFire, "never"));
                }

                Output.Out.Write(table);
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Validate(Option<string?> db, Option<string> flows)
    {
        var profileArg = ProfileArgument();
        var command = new Command("validate", "Validate Connection: runs the vendor's download and activity APIs once (never reclaim) through the profile's alias.") { profileArg };
        command.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (_, license) =>
        {
            var profile = await license.Profiles.FindAsync(parse.GetValue(profileArg)!, ct).ConfigureAwait(false);
            var outcome = await license.Profiles.ValidateAsync(profile.Id, ct).ConfigureAwait(false);
            if (!outcome.Succeeded)
            {
                Output.Problem($"validation of '{profile.DisplayName}' through {profile.AliasId} failed: {outcome.Execution.Error} (execution {outcome.Execution.Id})");
                return ExitCodes.Failed;
            }

            Output.Out.MarkupLine($"[green]connection works[/]: '{Markup.Escape(profile.DisplayName)}' reached {Markup.Escape(profile.Vendor)} through {Markup.Escape(profile.AliasId)} (execution {outcome.Execution.Id})");
            if (profile.Status == ProfileStatus.Draft)
            {
                Say($"next: flowengine profiles publish \"{profile.DisplayName}\"");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Publish(Option<string?> db, Option<string> flows)
    {
        var profileArg = ProfileArgument();
        var command = new Command("publish", "Publish a validated profile: software model, reclamation rule and daily jobs; then download subscriptions and activity now.") { profileArg };
        command.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (engine, license) =>
        {
            var profile = await license.Profiles.FindAsync(parse.GetValue(profileArg)!, ct).ConfigureAwait(false);
            var identifier = engine.Integration.Spokes.Spoke(profile.Vendor)?.License?.Identifier;
            bool hadModel, hadRule;
            await using (var before = engine.Store.CreateContext())
            {
                hadModel = await before.SoftwareModels.AnyAsync(m => m.Identifier == identifier, ct).ConfigureAwait(false);
                hadRule = await before.Rules.AnyAsync(r => r.ProfileId == profile.Id, ct).ConfigureAwait(false);
            }

            var jobsBefore = (await JobsOfAsync(license, profile.Id, ct).ConfigureAwait(false)).Select(j => j.Name).ToHashSet(StringComparer.Ordinal);
            var (download, activity) = await license.Profiles.PublishAsync(profile.Id, ct).ConfigureAwait(false);

            var published = await license.Profiles.FindAsync(profile.Id.ToString(), ct).ConfigureAwait(false);
            await using var data = engine.Store.CreateContext();
            var model = await data.SoftwareModels.AsNoTracking().FirstOrDefaultAsync(m => m.Id == published.SoftwareModelId, ct).ConfigureAwait(false);
            var rule = await data.Rules.AsNoTracking().FirstOrDefaultAsync(r => r.ProfileId == profile.Id, ct).ConfigureAwait(false);
            Output.Out.MarkupLine($"[green]published[/] '{Markup.Escape(published.DisplayName)}' (status {published.Status})");
            Say($"  software model    {model?.Name} ({(hadModel ? "existed" : "created")})");
            Say($"  reclamation rule  {rule?.Name}: idle after {rule?.LastActivityThresholdDays} days ({(hadRule ? "existed" : "created")})");
            foreach (var job in await JobsOfAsync(license, profile.Id, ct).ConfigureAwait(false))
            {
                Say($"  job               {job.Name}, cron {job.Cron}, next {Date(job.NextFire, "-")} UTC ({(jobsBefore.Contains(job.Name) ? "existed" : "created")})");
            }

            Say($"  download          {DownloadSummary(download)}");
            if (activity is not null)
            {
                Say($"  activity          {ActivitySummary(activity)}");
            }
            else if (!published.DownloadActivity)
            {
                Say("  activity          Download Activity is off: no activity job, no candidates from activity");
            }
            else
            {
                Say("  activity          not run, because the download failed");
            }

            if (!download.Succeeded || activity is { Succeeded: false })
            {
                Output.Problem($"'{published.DisplayName}' is published, but a run failed (see above); fix it and run 'flowengine profiles refresh \"{published.DisplayName}\"{(download.Succeeded ? " --activity" : "")}'");
                return ExitCodes.Failed;
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Update(Option<string?> db, Option<string> flows)
    {
        var profileArg = ProfileArgument();
        var activity = new Option<bool?>("--activity") { Description = "Download Activity true|false; clearing it on a published profile puts it back to Draft and deletes the activity job" };
        var reclaim = new Option<bool?>("--reclaim") { Description = "Reclaim subscriptions true|false" };
        var alias = new Option<string?>("--alias") { Description = "Connection & Credential: the spoke's alias or a child alias (asks for a new validation)" };
        var from = new Option<string?>("--analyze-from") { Description = "Analyze user activity from (ISO date, within the last 60 days)" };
        var capCount = new Option<int?>("--cap-count") { Description = "Safety cap: most candidates one reclaim run may act on (default 100)" };
        var capShare = new Option<double?>("--cap-share") { Description = "Safety cap: largest share of the profile's subscriptions one reclaim run may act on, 0 to 1 (default 0.25)" };
        var command = new Command("update", "Change a profile's check boxes, alias, look-back or reclaim safety cap.") { profileArg, activity, reclaim, alias, from, capCount, capShare };
        command.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (engine, license) =>
        {
            var before = await license.Profiles.FindAsync(parse.GetValue(profileArg)!, ct).ConfigureAwait(false);
            var (newActivity, newReclaim, newAlias, newFrom, newCount, newShare) =
                (parse.GetValue(activity), parse.GetValue(reclaim), parse.GetValue(alias), parse.GetValue(from), parse.GetValue(capCount), parse.GetValue(capShare));
            if (newActivity is null && newReclaim is null && newAlias is null && newFrom is null && newCount is null && newShare is null)
            {
                Output.Problem("nothing to change; give --activity, --reclaim, --alias, --analyze-from, --cap-count or --cap-share");
                return ExitCodes.Usage;
            }

            if (newAlias is not null)
            {
                await CheckAliasAsync(engine, before.Vendor, newAlias, ct).ConfigureAwait(false);
            }

            var analyzeFrom = newFrom is null ? (DateTimeOffset?)null : ParseDate(newFrom, "--analyze-from");
            var jobsBefore = (await JobsOfAsync(license, before.Id, ct).ConfigureAwait(false)).Select(j => j.Name).ToHashSet(StringComparer.Ordinal);
            var after = await license.Profiles.ChangeAsync(before.Id, newActivity, newReclaim, newAlias, analyzeFrom, newCount, newShare, ct).ConfigureAwait(false);
            var jobsAfter = (await JobsOfAsync(license, before.Id, ct).ConfigureAwait(false)).Select(j => j.Name).ToHashSet(StringComparer.Ordinal);

            var changes = new List<string>();
            void Change<T>(string label, T old, T now, Func<T, string> show)
            {
                if (!EqualityComparer<T>.Default.Equals(old, now))
                {
                    changes.Add($"  {label,-27}{show(old)} -> {show(now)}");
                }
            }

            Change("download activity", before.DownloadActivity, after.DownloadActivity, OnOff);
            Change("reclaim subscriptions", before.ReclaimSubscriptions, after.ReclaimSubscriptions, OnOff);
            Change("connection & credential", before.AliasId, after.AliasId, a => a);
            Change("analyze user activity from", before.AnalyzeActivityFrom, after.AnalyzeActivityFrom, d => Date(d) + " UTC");
            Change("reclaim cap (count)", before.ReclaimCapCount, after.ReclaimCapCount, n => n.ToString(CultureInfo.InvariantCulture));
            Change("reclaim cap (share)", before.ReclaimCapShare, after.ReclaimCapShare, s => s.ToString("0.##", CultureInfo.InvariantCulture));
            Change("status", before.Status, after.Status, s => s.ToString());
            Say(changes.Count == 0 ? $"'{after.DisplayName}' already had these settings; nothing changed" : $"updated '{after.DisplayName}':");
            foreach (var line in changes)
            {
                Say(line);
            }

            foreach (var job in jobsBefore.Except(jobsAfter).Order(StringComparer.Ordinal))
            {
                Say($"  job deleted: {job}");
            }

            foreach (var job in jobsAfter.Except(jobsBefore).Order(StringComparer.Ordinal))
            {
                Say($"  job created: {job}");
            }

            if (before.Status == ProfileStatus.Published && after.Status == ProfileStatus.Draft)
            {
                Output.Out.MarkupLine($"[yellow]'{Markup.Escape(after.DisplayName)}' is back to Draft[/]: Download Activity was cleared after publishing, so the job '{Markup.Escape(ProfileService.ActivityJob(after.DisplayName))}' {(jobsBefore.Contains(ProfileService.ActivityJob(after.DisplayName)) ? "was deleted" : "does not exist")}.");
                Say($"validate and publish again: flowengine profiles validate \"{after.DisplayName}\" && flowengine profiles publish \"{after.DisplayName}\"");
            }
            else if (before.AliasId != after.AliasId)
            {
                Say($"the connection changed: validate again with 'flowengine profiles validate \"{after.DisplayName}\"'");
            }
            else if (after.Status == ProfileStatus.Draft && changes.Count > 0)
            {
                Say($"'{after.DisplayName}' is still Draft: validate and publish it to create its jobs");
            }

            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Attach(Option<string?> db, Option<string> flows)
    {
        var profileArg = ProfileArgument();
        var file = new Argument<string>("file") { Description = "The file to attach, e.g. the Roadmunk User Report (Reports > Download User CSV)" };
        var command = new Command("attach", "Attach a file to a profile (the Roadmunk user CSV); the newest attachment is the one the subflows read.") { profileArg, file };
        command.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (_, license) =>
        {
            var profile = await license.Profiles.FindAsync(parse.GetValue(profileArg)!, ct).ConfigureAwait(false);
            var path = parse.GetValue(file)!;
            if (!File.Exists(path))
            {
                Output.Problem($"no file '{path}'");
                return ExitCodes.Usage;
            }

            if (new FileInfo(path).Length > Integration.Steps.CsvFile.MaxBytes)
            {
                Output.Problem($"{Path.GetFileName(path)} is {new FileInfo(path).Length / 1024.0 / 1024.0:0.0} MB; a user CSV is at most {Integration.Steps.CsvFile.MaxBytes / 1024 / 1024} MB");
                return ExitCodes.Usage;
            }

            var content = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
            if (Integration.Steps.CsvFile.Problem(Path.GetFileName(path), content) is { } problem)
            {
                Output.Problem(problem + "; nothing was attached");
                return ExitCodes.Usage;
            }

            var rows = content.Split('\n').Count(l => !string.IsNullOrWhiteSpace(l)) - 1;
            await license.Profiles.AttachAsync(profile.Id, Path.GetFileName(path), content, ct).ConfigureAwait(false);
            Say($"attached {Path.GetFileName(path)} ({Math.Max(rows, 0)} rows) to '{profile.DisplayName}'; the next download reads it"
                + (profile.Status == ProfileStatus.Published ? $" ('flowengine profiles refresh \"{profile.DisplayName}\"' runs it now)" : ""));
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Delete(Option<string?> db, Option<string> flows)
    {
        var profileArg = ProfileArgument();
        var yes = new Option<bool>("--yes", "-y") { Description = "Really delete: subscriptions, jobs and attachments go, open candidates are Closed Skipped, rules stay" };
        var command = new Command("delete", "Delete a profile (asks for --yes).") { profileArg, yes };
        command.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (engine, license) =>
        {
            var profile = await license.Profiles.FindAsync(parse.GetValue(profileArg)!, ct).ConfigureAwait(false);
            int subscriptions, open, attachments;
            List<string> rules;
            await using (var data = engine.Store.CreateContext())
            {
                subscriptions = await data.Subscriptions.CountAsync(s => s.ProfileId == profile.Id, ct).ConfigureAwait(false);
                open = await data.Candidates.CountAsync(c => c.ProfileId == profile.Id && SamStore.Open.Contains(c.State), ct).ConfigureAwait(false);
                attachments = await data.Attachments.CountAsync(a => a.ProfileId == profile.Id, ct).ConfigureAwait(false);
                rules = await data.Rules.Where(r => r.ProfileId == profile.Id).Select(r => r.Name).ToListAsync(ct).ConfigureAwait(false);
            }

            var jobs = (await JobsOfAsync(license, profile.Id, ct).ConfigureAwait(false)).Select(j => j.Name).ToList();
            var what = $"{subscriptions} subscription(s), {attachments} attachment(s) and {jobs.Count} job(s){(jobs.Count == 0 ? "" : $" ({string.Join(", ", jobs)})")}";
            if (!parse.GetValue(yes))
            {
                Note($"deleting '{profile.DisplayName}' would remove {what}, and close {open} open removal candidate(s) as Closed Skipped");
                Output.Problem("not deleted: give --yes to delete");
                return ExitCodes.Usage;
            }

            await license.Profiles.DeleteAsync(profile.Id, ct).ConfigureAwait(false);
            Say($"deleted profile '{profile.DisplayName}'");
            Say($"  removed  {what}");
            Say($"  closed   {open} open removal candidate(s) as Closed Skipped");
            Say($"  kept     {(rules.Count == 0 ? "no reclamation rule" : string.Join(", ", rules))} (rules stay), the software model and its entitlements");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static Command Refresh(Option<string?> db, Option<string> flows)
    {
        var profileArg = ProfileArgument();
        var activity = new Option<bool>("--activity") { Description = "Run the activity update (which creates and cancels removal candidates) instead of the download" };
        var command = new Command("refresh", "Run a published profile's download now (what the daily Subscriptions job does), or with --activity its activity update.") { profileArg, activity };
        command.SetAction((parse, ct) => RunAsync(parse, db, flows, ct, async (_, license) =>
        {
            var profile = await license.Profiles.FindAsync(parse.GetValue(profileArg)!, ct).ConfigureAwait(false);
            if (profile.Status != ProfileStatus.Published)
            {
                throw new LicenseException($"'{profile.DisplayName}' is Draft; validate and publish it first");
            }

            RunOutcome outcome;
            if (parse.GetValue(activity))
            {
                outcome = await license.Profiles.RefreshActivityAsync(profile.Id, ct).ConfigureAwait(false);
                Say($"activity of '{profile.DisplayName}': {ActivitySummary(outcome)}");
            }
            else
            {
                outcome = await license.Profiles.RefreshSubscriptionsAsync(profile.Id, ct).ConfigureAwait(false);
                Say($"subscriptions of '{profile.DisplayName}': {DownloadSummary(outcome)}");
            }

            return outcome.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
        }));
        return command;
    }

    private static string Validation(IntegrationProfileEntity p) => p.ValidatedAt is { } at
        ? $"{Date(at)} {(p.ValidationSucceeded == true ? "ok" : "failed")}"
        : "not validated";

    /// <summary>The scheduler's jobs of one profile (by the profile id in their data), by name.</summary>
    internal static async Task<List<ScheduledJob>> JobsOfAsync(LicenseParts license, Guid profileId, CancellationToken ct) =>
        (await license.Scheduler.ListAsync(ct).ConfigureAwait(false))
            .Where(j => j.Data.GetValueOrDefault("profile_id") == profileId.ToString())
            .OrderBy(j => j.Name, StringComparer.Ordinal)
            .ToList();

    /// <summary>The alias must be the vendor's spoke alias or a child alias of it (created with 'aliases set --parent').</summary>
    private static async Task CheckAliasAsync(Engine engine, string vendor, string alias, CancellationToken ct)
    {
        var spokes = engine.Integration.Spokes;
        var parent = spokes.DefaultFor(vendor)?.Id;
        var definition = spokes.Find(alias);
        if (definition is null && await engine.Connections.GetAsync(alias, ct).ConfigureAwait(false) is { ParentAliasId: { } parentId })
        {
            definition = spokes.Find(parentId);
        }

        if (definition is null)
        {
            var known = spokes.Aliases.Select(a => a.Id).ToList();
            throw new LicenseException($"unknown alias '{alias}'{Suggest.DidYouMean(alias, known)}"
                + (parent is null ? "" : $"; make a child alias first: flowengine aliases set {alias} --parent {parent} --url … --credential api_token --secret-env token=…"));
        }

        if (spokes.Spoke(vendor) is not null && definition.Spoke != vendor)
        {
            throw new LicenseException($"alias '{alias}' belongs to the {definition.Spoke} spoke, not to {vendor}");
        }
    }
}
