using System.Diagnostics;
using FlowEngine.Baseline;
using FlowEngine.Hosting;
using FlowEngine.Integration.Connections;
using FlowEngine.Persistence;
using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Benchmarks;

/// <summary>
/// The engine side of an e2e measurement, run as a fresh child process: composes the engine the way the CLI does
/// (<see cref="Engine.OpenAsync"/> and <see cref="Engine.LicenseAsync"/> over a new SQLite file, the connection saved
/// encrypted, a profile created), runs the shipped subflow once and prints the same JSON line as the baseline.
/// Modes: <c>engine-download --vendor pagerduty|roadmunk</c>, <c>engine-activity</c> and <c>engine-reclaim --candidates FILE</c>
/// (PagerDuty; the download they need first is setup, not measured). Options: <c>--url URL --db FILE [--flows DIR]
/// [--vendor-rps N]</c> (the alias's <c>limits.requests_per_second</c>; 10,000 by default, i.e. unpaced like the baseline);
/// the API token comes from <c>FLOWENGINE_BENCH_TOKEN</c>.
/// </summary>
public static class EngineSide
{
    /// <summary>The environment variable that carries the vendor API token (as for the baseline).</summary>
    public const string TokenVariable = "FLOWENGINE_BENCH_TOKEN";

    /// <summary>Runs one mode; returns the exit code.</summary>
    public static async Task<int> RunAsync(string mode, string[] args)
    {
        var started = Stopwatch.StartNew();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i]] = args[i + 1];
        }

        if (!values.TryGetValue("--url", out var url) || !values.TryGetValue("--db", out var db)
            || Environment.GetEnvironmentVariable(TokenVariable) is not { Length: > 0 } token)
        {
            Console.Error.WriteLine($"usage: {mode} --url URL --db FILE [--vendor pagerduty|roadmunk] [--candidates FILE] [--flows DIR]; token in {TokenVariable}");
            return 2;
        }

        var vendor = mode == "engine-download" ? values.GetValueOrDefault("--vendor", "pagerduty") : "pagerduty";
        // As the CLI does for each command (FLOWENGINE_JIT_PROFILE_DIR, set by e2e: its work folder, or off).
        JitProfile.Start($"bench-{mode}-{vendor}");
        var flows = values.GetValueOrDefault("--flows", Path.Combine(Locations.RepositoryRoot, "flows"));
        var ct = CancellationToken.None;
        var engine = await Engine.OpenAsync(db, ct, flows);
        await using var license = await engine.LicenseAsync(flows, runJobs: false, ct);
        if (Engine.Errors(license.Diagnostics).FirstOrDefault() is { } error)
        {
            Console.Error.WriteLine($"flows do not load: {error}");
            return 1;
        }

        var alias = engine.Integration.Spokes.DefaultFor(vendor)?.Id ?? throw new InvalidOperationException($"no default alias for {vendor}");
        await engine.Connections.SaveAsync(new ConnectionRecord
        {
            AliasId = alias,
            Url = url,
            CredentialType = "api_token",
            Secrets = new Dictionary<string, string> { ["token"] = token },
            // The spokes pace requests to the real vendors' rate limits (PagerDuty 15/s, Roadmunk 10/s). The simulator has
            // none and the baseline does not pace, so the engine is compared unpaced (the highest the setting allows);
            // --vendor-rps N measures it paced.
            Settings = new Dictionary<string, string> { ["limits.requests_per_second"] = values.GetValueOrDefault("--vendor-rps", "10000") },
        }, ct);
        // --records ef (default: the CLI's store, timed) or memory (diagnosis: the same run without writing step records to SQLite).
        var stored = await engine.Definitions.LoadAsync(engine.Reader, ct);
        IExecutionStore records = values.GetValueOrDefault("--records", "ef") == "memory" ? new InMemoryExecutionStore() : engine.Executions;
        var timed = TimedExecutionStore.Wrap(records);
        var runner = new FlowRunner(engine.Handlers, stored, timed, TimeProvider.System);
        license.RunnerSource = _ => Task.FromResult(runner);
        var profiles = license.Profiles;
        var profile = await profiles.CreateAsync(vendor, $"Bench {vendor}", cancellationToken: ct);
        await PublishWithoutRunsAsync(engine, profile.Id, vendor);
        var measurement = new Measurement();
        string line;
        switch (mode)
        {
            case "engine-download":
            {
                for (var w = int.Parse(values.GetValueOrDefault("--warmup", "0")); w > 0; w--)
                {
                    await profiles.RefreshSubscriptionsAsync(profile.Id, ct);
                }

                timed = Reset(ref runner, engine, stored, records, license);
                var setup = started.Elapsed.TotalMilliseconds;
                measurement.Start();
                var outcome = await profiles.RefreshSubscriptionsAsync(profile.Id, ct);
                if (!outcome.Succeeded)
                {
                    return Failed(outcome.Execution.Error);
                }

                measurement.End();
                line = measurement.Stop("engine", $"{vendor}-download", await CountAsync(engine, profile.Id), setup, Recording(timed, outcome.Execution.StepCount));
                break;
            }

            case "engine-activity":
            {
                var download = await profiles.RefreshSubscriptionsAsync(profile.Id, ct);
                if (!download.Succeeded)
                {
                    return Failed(download.Execution.Error);
                }

                var setup = started.Elapsed.TotalMilliseconds;
                timed = Reset(ref runner, engine, stored, records, license);
                measurement.Start();
                var outcome = await profiles.RefreshActivityAsync(profile.Id, ct);
                if (!outcome.Succeeded)
                {
                    return Failed(outcome.Execution.Error);
                }

                measurement.End();
                line = measurement.Stop("engine", "pagerduty-activity", await CountAsync(engine, profile.Id), setup, new(Recording(timed, outcome.Execution.StepCount))
                {
                    ["updated"] = outcome.Outputs.GetValueOrDefault("updated") ?? 0L,
                    ["candidates"] = outcome.Outputs.GetValueOrDefault("candidates_created") ?? 0L,
                });
                break;
            }

            case "engine-reclaim" when values.TryGetValue("--candidates", out var candidatesFile):
            {
                await profiles.ChangeAsync(profile.Id, reclaimCapCount: int.MaxValue, reclaimCapShare: 1.0, cancellationToken: ct);
                var download = await profiles.RefreshSubscriptionsAsync(profile.Id, ct);
                if (!download.Succeeded)
                {
                    return Failed(download.Execution.Error);
                }

                await CreateCandidatesAsync(engine, profile.Id, File.ReadAllLines(candidatesFile).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal));
                var setup = started.Elapsed.TotalMilliseconds;
                timed = Reset(ref runner, engine, stored, records, license);
                measurement.Start();
                var report = await license.Reclaim.RunAsync(profile.Id, ct);
                if (report.StoppedBecause is { } stopped)
                {
                    return Failed(stopped);
                }

                measurement.End();
                line = measurement.Stop("engine", "pagerduty-reclaim", report.Reclaimed, setup, new(Recording(timed, 0)) { ["failed"] = report.Failed.Count });
                break;
            }

            default:
                Console.Error.WriteLine($"unknown mode or missing option: {mode}");
                return 2;
        }

        Console.WriteLine(line);
        return 0;
    }

    /// <summary>A new timed store (so setup runs are not counted) and a runner over it.</summary>
    private static TimedExecutionStore Reset(ref FlowRunner runner, Engine engine, StoredDefinitions stored, IExecutionStore records, LicenseParts license)
    {
        var timed = TimedExecutionStore.Wrap(records);
        var fresh = new FlowRunner(engine.Handlers, stored, timed, TimeProvider.System);
        runner = fresh;
        license.RunnerSource = _ => Task.FromResult(fresh);
        return timed;
    }

    private static Dictionary<string, object> Recording(TimedExecutionStore timed, int steps) => new()
    {
        ["record_ms"] = Math.Round(timed.WriteMs, 1),
        ["record_flushes"] = timed.SlowWrites,
        ["steps"] = steps,
    };

    private static int Failed(string? error)
    {
        Console.Error.WriteLine($"the engine run failed: {error}");
        return 1;
    }

    /// <summary>
    /// What publishing a profile stores (its software model, its reclamation rule, status Published), without the
    /// download and activity runs <c>PublishAsync</c> starts and the validation it needs first: the measured run is then
    /// the first download of a published profile, as the nightly job would run it.
    /// </summary>
    private static async Task PublishWithoutRunsAsync(Engine engine, Guid profileId, string vendor)
    {
        var license = engine.Integration.Spokes.Spoke(vendor)?.License ?? throw new InvalidOperationException($"spoke {vendor} has no license section");
        var now = DateTimeOffset.UtcNow;
        await using var context = engine.Store.CreateContext();
        var model = new SoftwareModelEntity
        {
            Id = Guid.CreateVersion7(now),
            Name = $"{license.Publisher} {license.Product}",
            Publisher = license.Publisher,
            Product = license.Product,
            Identifier = license.Identifier,
            CreatedAt = now,
        };
        context.SoftwareModels.Add(model);
        context.Rules.Add(new ReclamationRuleEntity
        {
            Id = Guid.CreateVersion7(now),
            Name = $"Bench {vendor} reclamation rule",
            ProfileId = profileId,
            SoftwareModelId = model.Id,
            LastActivityThresholdDays = 60,
            CreatedAt = now,
        });
        var profile = await context.Profiles.FirstAsync(p => p.Id == profileId);
        profile.SoftwareModelId = model.Id;
        profile.Status = ProfileStatus.Published;
        profile.UpdatedAt = now;
        await context.SaveChangesAsync();
    }

    private static async Task<long> CountAsync(Engine engine, Guid profileId)
    {
        await using var context = engine.Store.CreateContext();
        return await context.Subscriptions.LongCountAsync(s => s.ProfileId == profileId);
    }

    /// <summary>Ready candidates for the given users (what an activity refresh would have made), numbered in file order.</summary>
    private static async Task CreateCandidatesAsync(Engine engine, Guid profileId, HashSet<string> externalIds)
    {
        await using var context = engine.Store.CreateContext();
        var now = DateTimeOffset.UtcNow;
        var subscriptions = await context.Subscriptions.AsNoTracking().Where(s => s.ProfileId == profileId).ToListAsync();
        var number = 1;
        foreach (var subscription in subscriptions.Where(s => externalIds.Contains(s.ExternalUserId)).OrderBy(s => s.ExternalUserId, StringComparer.Ordinal))
        {
            context.Candidates.Add(new RemovalCandidateEntity
            {
                Id = Guid.CreateVersion7(now),
                Number = $"RCC{number++:D7}",
                ProfileId = profileId,
                SubscriptionId = subscription.Id,
                ExternalUserId = subscription.ExternalUserId,
                UserPrincipalName = subscription.UserPrincipalName,
                State = CandidateState.Ready,
                ThresholdDays = 60,
                LastActivity = subscription.LastActivity,
                CreatedAt = now,
                UpdatedAt = now,
            });
        }

        await context.SaveChangesAsync();
    }
}
