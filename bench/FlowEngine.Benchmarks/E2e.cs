using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using FlowEngine.Hosting;
using FlowEngine.Simulators;
using Microsoft.Data.Sqlite;

namespace FlowEngine.Benchmarks;

/// <summary>
/// Whole-process scenarios, engine against the hand-written baseline: the simulators run in this process on 127.0.0.1,
/// every measurement is a fresh child process (<c>FlowEngine.Benchmarks engine-*</c> or <c>FlowEngine.Baseline</c>),
/// the two sides alternate (and swap which goes first each round), and every run's SQLite file is checked against the
/// simulator before its figures count.
/// </summary>
public static class E2e
{
    /// <summary>The scenarios and their default sizes (users; candidates for reclaim).</summary>
    public static readonly IReadOnlyList<(string Name, int[] Sizes)> Defaults =
    [
        ("pagerduty-download", [1_000, 10_000]),
        ("roadmunk-download", [1_000, 10_000, 100_000]),
        ("pagerduty-activity", [10_000]),
        ("pagerduty-reclaim", [500]),
    ];

    /// <summary>PagerDuty's offset paging stops at 10,000 records (and the shipped flows say so).</summary>
    public const int PagerDutyLimit = 10_000;

    /// <summary>Options of the e2e mode.</summary>
    public sealed record Options
    {
        /// <summary>Measured runs per side and size.</summary>
        public int Runs { get; init; } = 10;

        /// <summary>When set, every chosen scenario runs at these sizes instead of its defaults.</summary>
        public IReadOnlyList<int>? Sizes { get; init; }

        /// <summary>When set, only these scenarios (names as in <see cref="Defaults"/>).</summary>
        public IReadOnlyList<string>? Scenarios { get; init; }

        /// <summary>Keep the SQLite files (under <see cref="WorkFolder"/>) instead of deleting each after its check.</summary>
        public bool Keep { get; init; }

        /// <summary>Where the SQLite files go; a new temporary folder by default.</summary>
        public string? WorkFolder { get; init; }

        /// <summary>Extra arguments for every engine-side child (e.g. <c>--records memory</c> to leave out step-record writes, for diagnosis).</summary>
        public IReadOnlyList<string> EngineArgs { get; init; } = [];

        /// <summary>
        /// Run both sides from a ReadyToRun publish (<c>dotnet publish -c Release -p:PublishReadyToRun=true</c>, as a
        /// deployment would), made first in the work folder; false: from the build output, JIT-compiled at run time.
        /// </summary>
        public bool ReadyToRun { get; init; }

        /// <summary>
        /// Downloads measured warm: each side's process runs the same download once, unmeasured, before the measured
        /// one (a long-running server, whose code is already compiled and whose connections are open); false: the
        /// first download of a fresh process (a CLI run, the worst case).
        /// </summary>
        public bool Warm { get; init; }

        /// <summary>
        /// Both sides keep a multi-core JIT profile per scenario (<see cref="JitProfile"/>) in the work folder, primed by
        /// one unmeasured run per side, as a CLI run daily or a restarted server has one; false: none (every run compiles
        /// on its own thread as it goes).
        /// </summary>
        public bool JitProfiles { get; init; } = true;

        /// <summary>The command line shown in the table header.</summary>
        public string Command { get; init; } = "dotnet run -c Release --project bench/FlowEngine.Benchmarks -- e2e";
    }

    /// <summary>One child run's figures.</summary>
    public sealed record Sample(string Side, string Scenario, int Size, int Run, double WallMs, double CpuMs, double PeakRssMb, long Users, double ProcessMs, string Database)
    {
        /// <summary>Further figures of the JSON line (record_ms, steps, allocated_mb, gc_pause_ms, gen2_collections, …).</summary>
        public IReadOnlyDictionary<string, double> Extra { get; init; } = new Dictionary<string, double>();
    }

    /// <summary>Every sample, the users each download scenario's simulator had, and the Markdown report.</summary>
    public sealed record Report(IReadOnlyList<Sample> Samples, IReadOnlyDictionary<string, IReadOnlySet<string>> SimulatorUsers, string Markdown);

    /// <summary>Runs the scenarios; throws when a child fails or stores something other than the simulator's users.</summary>
    public static async Task<Report> RunAsync(Options options, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        foreach (var dll in new[] { Locations.BenchmarksDll, Locations.BaselineDll })
        {
            if (!File.Exists(dll))
            {
                throw new FileNotFoundException($"no {dll}; build bench/FlowEngine.Benchmarks (it builds the baseline too)", dll);
            }
        }

        var work = options.WorkFolder ?? Path.Combine(Path.GetTempPath(), "flowengine-bench", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(work);
        _sides = options.ReadyToRun
            ? new Sides(Publish("FlowEngine.Benchmarks", work, progress), Publish("FlowEngine.Baseline", work, progress))
            : new Sides(Locations.BenchmarksDll, Locations.BaselineDll);
        _jitProfiles = options.JitProfiles ? Path.Combine(work, "jit") : null;
        var header = MachineInfo.Header(options.Command);
        var samples = new List<Sample>();
        var users = new Dictionary<string, IReadOnlySet<string>>(StringComparer.Ordinal);
        var notes = new List<string>
        {
            options.ReadyToRun
                ? "both sides run from a ReadyToRun publish (`dotnet publish -c Release -r <rid> -p:PublishReadyToRun=true`, made by the harness first), as a deployment would run them; `--jit` runs the build output instead"
                : "both sides run from the Release build output (JIT-compiled at run time; `e2e` without `--jit` measures ReadyToRun publishes)",
            options.Warm
                ? "**warm** (`--warm`): each side's process runs the same download once, unmeasured, then the measured one (an update of the same users), as a long-running server runs its nightly sync; activity and reclaim always run after an unmeasured download"
                : "cold: each download is the first of a fresh process (a CLI run: compilation and first connections included); `--warm` measures a second download in the same process",
            options.JitProfiles
                ? "both sides keep a multi-core JIT profile per scenario (.NET's `ProfileOptimization`, which the CLI uses too), primed by one unmeasured run per side: a process compiles what the last one did ahead, on the other core; `--no-jit-profile` turns them off"
                : "no JIT profiles (`--no-jit-profile`): every process compiles on its own thread as it goes",
        };
        foreach (var (name, defaults) in Defaults)
        {
            if (options.Scenarios is { } chosen && !chosen.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }

            foreach (var size in options.Sizes ?? defaults)
            {
                // The reclaim scenario's account has twice as many users as candidates (at least one more), all downloaded first.
                var accountUsers = name == "pagerduty-reclaim" ? ReclaimAccountSize(size) : size;
                if (name.StartsWith("pagerduty-", StringComparison.Ordinal) && accountUsers > PagerDutyLimit)
                {
                    notes.Add($"{name} at {size:N0} skipped: its account would have {accountUsers:N0} users, and PagerDuty's offset paging stops at {PagerDutyLimit:N0} records");
                    continue;
                }

                progress.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {name} {size:N0}: {options.Runs} run(s) per side");
                var key = $"{name}/{size}";
                var scenarioSamples = name == "pagerduty-reclaim"
                    ? await ReclaimAsync(size, options, work, progress)
                    : await DownloadOrActivityAsync(name, size, options, work, progress, ids => users[key] = ids);
                samples.AddRange(scenarioSamples);
            }
        }

        return new Report(samples, users, Markdown(header, samples, notes, options.Runs));
    }

    private static async Task<List<Sample>> DownloadOrActivityAsync(string name, int size, Options options, string work, TextWriter progress, Action<IReadOnlySet<string>> expected)
    {
        var vendor = name.Split('-')[0];
        var kind = name.Split('-')[1];
        await using var pagerDuty = vendor == "pagerduty"
            ? await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = size, OpenIncidentsEvery = 0, RecentOnCallShare = 0.35 })
            : null;
        await using var roadmunk = vendor == "roadmunk" ? await RoadmunkSimulator.StartAsync(new RoadmunkSeed { UserCount = size }) : null;
        var url = pagerDuty?.BaseUrl ?? roadmunk!.BaseUrl;
        var token = pagerDuty?.ApiToken ?? roadmunk!.ApiToken;
        IReadOnlySet<string> ids = (pagerDuty?.Users.Select(u => u.Id) ?? roadmunk!.Users.Select(u => u.Id)).ToHashSet(StringComparer.Ordinal);
        expected(ids);
        var samples = new List<Sample>();
        // Run 0 primes the JIT profiles and is not counted.
        for (var run = options.JitProfiles ? 0 : 1; run <= options.Runs; run++)
        {
            foreach (var side in run % 2 == 1 ? new[] { "engine", "baseline" } : ["baseline", "engine"])
            {
                var db = Path.Combine(work, $"{name}-{size}-{run}-{side}.db");
                var args = side == "engine"
                    ? new List<string> { $"engine-{kind}", "--vendor", vendor, "--url", url, "--db", db }
                    : [kind, "--vendor", vendor, "--url", url, "--db", db];
                if (side == "engine")
                {
                    args.AddRange(options.EngineArgs);
                }

                if (options.Warm && kind == "download")
                {
                    args.AddRange(["--warmup", "1"]);
                }

                var sample = Measure(side, name, size, run, args, token, db);
                Check(sample, ids, side == "engine" ? EngineIds : BaselineIds);
                Keep(samples, sample, progress);

                Clean(db, options.Keep);
            }
        }

        return samples;
    }

    private static async Task<List<Sample>> ReclaimAsync(int candidates, Options options, string work, TextWriter progress)
    {
        var samples = new List<Sample>();
        var seed = new PagerDutySeed { UserCount = ReclaimAccountSize(candidates), OpenIncidentsEvery = 0 };
        for (var run = options.JitProfiles ? 0 : 1; run <= options.Runs; run++)
        {
            foreach (var side in run % 2 == 1 ? new[] { "engine", "baseline" } : ["baseline", "engine"])
            {
                // Reclaim deletes users: each run gets a fresh account.
                await using var simulator = await PagerDutySimulator.StartAsync(seed);
                var chosen = simulator.Users.Where(u => u.Role != "owner").Select(u => u.Id).Order(StringComparer.Ordinal).Take(candidates).ToList();
                var file = Path.Combine(work, $"reclaim-{candidates}-{run}-{side}.candidates");
                await File.WriteAllLinesAsync(file, chosen);
                var db = Path.Combine(work, $"pagerduty-reclaim-{candidates}-{run}-{side}.db");
                var args = side == "engine"
                    ? new List<string> { "engine-reclaim", "--url", simulator.BaseUrl, "--db", db, "--candidates", file }
                    : ["reclaim", "--url", simulator.BaseUrl, "--db", db, "--candidates", file];
                if (side == "engine")
                {
                    args.AddRange(options.EngineArgs);
                }

                var sample = Measure(side, "pagerduty-reclaim", candidates, run, args, simulator.ApiToken, db);
                var left = simulator.Users.Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
                if (sample.Users != candidates || chosen.Any(left.Contains))
                {
                    throw new InvalidOperationException($"{side} reclaim run {run}: reclaimed {sample.Users} of {candidates}; {chosen.Count(left.Contains)} chosen users are still in the simulator");
                }

                Keep(samples, sample, progress);

                Clean(db, options.Keep);
                if (!options.Keep)
                {
                    File.Delete(file);
                }
            }
        }

        return samples;
    }

    // Run 0 only primes the JIT profiles: shown, not counted.
    private static void Keep(List<Sample> samples, Sample sample, TextWriter progress)
    {
        progress.WriteLine(sample.Run == 0 ? "  (priming the JIT profile, not counted) " + Line(sample) : Line(sample));
        if (sample.Run > 0)
        {
            samples.Add(sample);
        }
    }

    private static int ReclaimAccountSize(int candidates) => Math.Min(Math.Max(candidates * 2, candidates + 1), Math.Max(PagerDutyLimit, candidates + 1));

    // The assemblies the children run: the build output, or a ReadyToRun publish of each side.
    private static Sides _sides = new(Locations.BenchmarksDll, Locations.BaselineDll);

    // The children's JIT profile folder, or null for none.
    private static string? _jitProfiles;

    private sealed record Sides(string Engine, string Baseline);

    /// <summary>Publishes one side ReadyToRun into the work folder; returns its main assembly.</summary>
    private static string Publish(string project, string work, TextWriter progress)
    {
        var output = Path.Combine(work, "publish", project);
        progress.WriteLine($"{DateTime.UtcNow:HH:mm:ss} publishing {project} ReadyToRun for {RuntimeInformation.RuntimeIdentifier} into {output}");
        var result = ChildProcess.Run("publish", [
            Path.Combine(Locations.RepositoryRoot, "bench", project, project + ".csproj"), "-c", "Release", "-r", RuntimeInformation.RuntimeIdentifier,
            "--self-contained", "false", "-p:PublishReadyToRun=true", "-o", output, "-v", "quiet", "-nologo"], timeout: TimeSpan.FromMinutes(15));
        var dll = Path.Combine(output, project + ".dll");
        if (result.ExitCode != 0 || !File.Exists(dll))
        {
            throw new InvalidOperationException($"dotnet publish {project} failed ({result.ExitCode}):{Environment.NewLine}{result.Stdout}{result.Stderr}");
        }

        return dll;
    }

    private static Sample Measure(string side, string scenario, int size, int run, List<string> args, string token, string db)
    {
        var dll = side == "engine" ? _sides.Engine : _sides.Baseline;
        var result = ChildProcess.Run(dll, args, new Dictionary<string, string>
        {
            [EngineSide.TokenVariable] = token,
            [JitProfile.DirectoryVariable] = _jitProfiles ?? "off",
        });
        var json = result.Stdout.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith('{'));
        if (result.ExitCode != 0 || json is null)
        {
            throw new InvalidOperationException($"{side} {scenario} {size} run {run} exited {result.ExitCode}:{Environment.NewLine}{result.Stderr}{result.Stdout}");
        }

        using var line = JsonDocument.Parse(json);
        var root = line.RootElement;
        return new Sample(side, scenario, size, run, root.GetProperty("wall_ms").GetDouble(), root.GetProperty("cpu_ms").GetDouble(),
            root.GetProperty("peak_rss_mb").GetDouble(), root.GetProperty("users").GetInt64(), result.ElapsedMs, db)
        {
            Extra = root.EnumerateObject().Where(p => p.Value.ValueKind == JsonValueKind.Number).ToDictionary(p => p.Name, p => p.Value.GetDouble()),
        };
    }

    /// <summary>External user ids of the engine's subscriptions in its SQLite file.</summary>
    public static IReadOnlySet<string> EngineIds(string db) => Ids(db, "SELECT ExternalUserId FROM sam_subscriptions");

    /// <summary>External user ids of the baseline's subscriptions in its SQLite file.</summary>
    public static IReadOnlySet<string> BaselineIds(string db) => Ids(db, "SELECT external_user_id FROM subscriptions");

    private static IReadOnlySet<string> Ids(string db, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private static void Check(Sample sample, IReadOnlySet<string> expected, Func<string, IReadOnlySet<string>> stored)
    {
        var ids = stored(sample.Database);
        if (!ids.SetEquals(expected) || sample.Users != expected.Count)
        {
            throw new InvalidOperationException(
                $"{sample.Side} {sample.Scenario} {sample.Size} run {sample.Run}: stored {ids.Count} users ({ids.Except(expected).Count()} unknown, {expected.Except(ids).Count()} missing), reported {sample.Users}; the simulator has {expected.Count}");
        }
    }

    private static void Clean(string db, bool keep)
    {
        if (keep)
        {
            return;
        }

        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { db, db + "-wal", db + "-shm", db + "-journal" })
        {
            File.Delete(file);
        }

        var keys = Path.Combine(Path.GetDirectoryName(db)!, "keys");
        if (Directory.Exists(keys))
        {
            Directory.Delete(keys, recursive: true);
        }
    }

    private static string Line(Sample s) => FormattableString.Invariant(
        $"  {s.Side,-8} run {s.Run,2}: wall {s.WallMs,9:0.0} ms  cpu {s.CpuMs,9:0.0} ms  peak RSS {s.PeakRssMb,6:0.0} MB  users {s.Users,7}  (process {s.ProcessMs:0} ms)");

    private static string Markdown(string header, List<Sample> samples, List<string> notes, int runs)
    {
        var md = new StringBuilder();
        md.Append(header);
        md.AppendLine(CultureInfo.InvariantCulture, $"- {runs} run(s) per side and size, each a fresh process; medians; wall and CPU are the measured phase only (the subflow run or the baseline's equivalent, not process start or setup); peak RSS is the whole process's VmHWM");
        md.AppendLine("- every run's SQLite file was checked: exactly the simulator's users (downloads), every chosen user deleted in the simulator (reclaim)");
        md.AppendLine();
        md.AppendLine("| scenario | size | wall engine (ms) | wall baseline (ms) | **wall ratio** | CPU engine (ms) | CPU baseline (ms) | CPU ratio | peak RSS engine (MB) | peak RSS baseline (MB) | RSS ratio | µs/user engine | µs/user baseline |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in samples.GroupBy(s => (s.Scenario, s.Size)))
        {
            var e = Figures(group.Where(s => s.Side == "engine"));
            var b = Figures(group.Where(s => s.Side == "baseline"));
            md.AppendLine(FormattableString.Invariant(
                $"| {group.Key.Scenario} | {group.Key.Size:N0} | {e.Wall:N0} | {b.Wall:N0} | **{e.Wall / b.Wall:0.00}×** | {e.Cpu:N0} | {b.Cpu:N0} | {e.Cpu / b.Cpu:0.00}× | {e.Rss:0} | {b.Rss:0} | {e.Rss / b.Rss:0.00}× | {e.Wall * 1000 / group.Key.Size:0.0} | {b.Wall * 1000 / group.Key.Size:0.0} |"));
        }

        md.AppendLine();
        md.AppendLine("µs/user = median wall × 1000 / size (for reclaim: per candidate).");
        md.AppendLine();
        md.AppendLine("Where the engine's time goes (medians of the same runs): steps recorded, the wall time the runner waited on its execution store (its writes of step records, checkpoints, page progress and the execution row, and the page writes joined to them: a download's staged pages), allocation and GC pauses in the measured phase.");
        md.AppendLine();
        md.AppendLine("| scenario | size | steps recorded | waiting on the store (ms) | share of wall | allocated engine (MB) | allocated baseline (MB) | GC pause engine (ms) | gen2 GCs engine |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var group in samples.GroupBy(s => (s.Scenario, s.Size)))
        {
            var engine = group.Where(s => s.Side == "engine").ToList();
            var baseline = group.Where(s => s.Side == "baseline").ToList();
            double M(IEnumerable<Sample> list, string key) => MachineInfo.Median(list.Select(s => s.Extra.GetValueOrDefault(key)));
            var wall = MachineInfo.Median(engine.Select(s => s.WallMs));
            md.AppendLine(FormattableString.Invariant(
                $"| {group.Key.Scenario} | {group.Key.Size:N0} | {M(engine, "steps"):N0} | {M(engine, "record_ms"):N0} | {M(engine, "record_ms") / wall:0%} | {M(engine, "allocated_mb"):N0} | {M(baseline, "allocated_mb"):N0} | {M(engine, "gc_pause_ms"):N0} | {M(engine, "gen2_collections"):0} |"));
        }

        md.AppendLine();
        md.AppendLine("For reclaim, steps recorded is 0: the figure is per run of many subflow executions.");
        foreach (var note in notes)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        }

        md.AppendLine();
        md.Append(Targets(samples));
        return md.ToString();
    }

    private static (double Wall, double Cpu, double Rss) Figures(IEnumerable<Sample> samples)
    {
        var list = samples.ToList();
        return (MachineInfo.Median(list.Select(s => s.WallMs)), MachineInfo.Median(list.Select(s => s.CpuMs)), MachineInfo.Median(list.Select(s => s.PeakRssMb)));
    }

    private static string Targets(List<Sample> samples)
    {
        var md = new StringBuilder();
        md.AppendLine("Targets (download subflows):");
        md.AppendLine();
        md.AppendLine("| target | scenario | figure | result |");
        md.AppendLine("| --- | --- | ---: | --- |");
        foreach (var scenario in samples.Where(s => s.Scenario.EndsWith("-download", StringComparison.Ordinal)).Select(s => s.Scenario).Distinct())
        {
            var bySize = samples.Where(s => s.Scenario == scenario).GroupBy(s => s.Size).OrderBy(g => g.Key)
                .Select(g => (Size: g.Key, Engine: Figures(g.Where(s => s.Side == "engine")), Baseline: Figures(g.Where(s => s.Side == "baseline")))).ToList();
            foreach (var (size, engine, baseline) in bySize.Where(x => x.Size >= 10_000))
            {
                var ratio = engine.Wall / baseline.Wall;
                md.AppendLine(FormattableString.Invariant($"| engine ≤ 1.2× baseline wall | {scenario} {size:N0} | {ratio:0.00}× | {(ratio <= 1.2 ? "met" : "**missed**")} |"));
            }

            foreach (var (size, engine, _) in bySize.Where(x => x.Size >= 100_000))
            {
                md.AppendLine(FormattableString.Invariant($"| peak RSS < 250 MB | {scenario} {size:N0} | {engine.Rss:0} MB | {(engine.Rss < 250 ? "met" : "**missed**")} |"));
            }

            if (bySize.Count >= 2)
            {
                var perUser = bySize.Select(x => x.Engine.Wall * 1000 / x.Size).ToList();
                var first = perUser[0];
                var worst = perUser.Select(p => (p - first) / first).MaxBy(Math.Abs);
                md.AppendLine(FormattableString.Invariant(
                    $"| µs/user within ±20 % across sizes | {scenario} {bySize[0].Size:N0}→{bySize[^1].Size:N0} | {string.Join(" → ", perUser.Select(p => p.ToString("0.0", CultureInfo.InvariantCulture)))} µs ({worst:+0%;-0%}) | {(Math.Abs(worst) <= 0.2 ? "met" : "**missed**")} |"));

                // Not a target, the context for the one above: a run's fixed cost (a first run's compilation, the first
                // connection) divides by the size, for the baseline too; the cost of each further user is the slope.
                var baselinePerUser = bySize.Select(x => x.Baseline.Wall * 1000 / x.Size).ToList();
                var slopes = bySize.Zip(bySize.Skip(1), (a, b) => (b.Engine.Wall - a.Engine.Wall) * 1000 / (b.Size - a.Size)).ToList();
                md.AppendLine(FormattableString.Invariant(
                    $"| (context) µs per further user, engine, between sizes | {scenario} | {string.Join(" → ", slopes.Select(p => p.ToString("0.0", CultureInfo.InvariantCulture)))} µs | baseline µs/user {string.Join(" → ", baselinePerUser.Select(p => p.ToString("0.0", CultureInfo.InvariantCulture)))} |"));
            }
        }

        return md.ToString();
    }
}
