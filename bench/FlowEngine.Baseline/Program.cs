using System.Diagnostics;
using System.Globalization;
using System.Runtime;

namespace FlowEngine.Baseline;

/// <summary>
/// <c>download --vendor pagerduty|roadmunk --url URL --db FILE [--warmup N]</c> (N unmeasured downloads first),
/// <c>activity --url URL --db FILE</c> (PagerDuty; downloads first, unmeasured),
/// <c>reclaim --url URL --db FILE --candidates FILE</c> (PagerDuty; downloads and creates the candidates first, unmeasured).
/// The API token comes from the environment variable <c>FLOWENGINE_BENCH_TOKEN</c>, never from the command line.
/// Prints one JSON line: side, scenario, users, wall_ms, cpu_ms, peak_rss_mb, setup_ms.
/// </summary>
public static class Program
{
    /// <summary>The environment variable that carries the vendor API token.</summary>
    public const string TokenVariable = "FLOWENGINE_BENCH_TOKEN";

    private const string Usage = """
        usage: FlowEngine.Baseline <download|activity|reclaim> --url URL --db FILE [--vendor pagerduty|roadmunk] [--candidates FILE] [--warmup N]
          the API token is read from FLOWENGINE_BENCH_TOKEN
        """;

    /// <summary>Entry point.</summary>
    public static async Task<int> Main(string[] args)
    {
        var started = Stopwatch.StartNew();
        var options = Parse(args);
        if (options is null || Environment.GetEnvironmentVariable(TokenVariable) is not { Length: > 0 } token)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        // The same multi-core JIT profile the engine side gets from e2e (FLOWENGINE_JIT_PROFILE_DIR: a folder, or off).
        if (Environment.GetEnvironmentVariable("FLOWENGINE_JIT_PROFILE_DIR") is { Length: > 0 } profiles && profiles != "off")
        {
            Directory.CreateDirectory(profiles);
            ProfileOptimization.SetProfileRoot(profiles);
            ProfileOptimization.StartProfile($"baseline-{options.Mode}-{options.Vendor}.jitprofile");
        }

        using var http = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(5) });
        var vendors = new Vendors(http, options.Url, token);
        using var store = BaselineStore.Open(options.Db);
        var measurement = new Measurement();
        var now = DateTimeOffset.UtcNow;
        string line;
        switch (options.Mode)
        {
            case "download":
            {
                Task DownloadAsync() => store.ReplaceSubscriptionsAsync(options.Vendor == "roadmunk" ? vendors.RoadmunkUsersAsync() : vendors.PagerDutyUsersAsync(now), now);

                // --warmup N: the same download N times first, unmeasured (a warm process, as a long-running server).
                for (var warmup = options.Warmup; warmup > 0; warmup--)
                {
                    await DownloadAsync().ConfigureAwait(false);
                }

                measurement.Start();
                var setup = started.Elapsed.TotalMilliseconds;
                await DownloadAsync().ConfigureAwait(false);
                measurement.End();
                line = measurement.Stop("baseline", $"{options.Vendor}-download", store.Count("subscriptions"), setup);
                break;
            }

            case "activity":
            {
                await store.ReplaceSubscriptionsAsync(vendors.PagerDutyUsersAsync(now), now).ConfigureAwait(false);
                var setup = started.Elapsed.TotalMilliseconds;
                measurement.Start();
                var until = DateTimeOffset.UtcNow;
                var updated = await UpdateActivityAsync(store, vendors, until.AddDays(-60), until).ConfigureAwait(false);
                var (created, _) = store.EvaluateCandidates(until, 60);
                measurement.End();
                line = measurement.Stop("baseline", "pagerduty-activity", store.Count("subscriptions"), setup, new() { ["updated"] = updated, ["candidates"] = created });
                break;
            }

            case "reclaim" when options.Candidates is not null:
            {
                await store.ReplaceSubscriptionsAsync(vendors.PagerDutyUsersAsync(now), now).ConfigureAwait(false);
                CreateCandidates(store, File.ReadAllLines(options.Candidates).Where(l => l.Length > 0), now);
                var setup = started.Elapsed.TotalMilliseconds;
                measurement.Start();
                var (reclaimed, failed) = await ReclaimAsync(store, vendors).ConfigureAwait(false);
                measurement.End();
                line = measurement.Stop("baseline", "pagerduty-reclaim", reclaimed, setup, new() { ["failed"] = failed });
                break;
            }

            default:
                Console.Error.WriteLine(Usage);
                return 2;
        }

        Console.WriteLine(line);
        return 0;
    }

    /// <summary>
    /// "Update user activity if later": each on-call entry since the look-back moves its user's last activity
    /// forward (never back), in one transaction, as entries arrive. Returns how many users moved.
    /// </summary>
    public static async Task<int> UpdateActivityAsync(BaselineStore store, Vendors vendors, DateTimeOffset since, DateTimeOffset until)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(vendors);
        var connection = store.Connection;
        using var transaction = connection.BeginTransaction();
        using var update = connection.CreateCommand();
        update.Transaction = transaction;
        update.CommandText = """
            UPDATE subscriptions SET last_activity = $at, updated_at = $now
            WHERE profile_id = $profile AND external_user_id = $external AND (last_activity IS NULL OR last_activity < $at)
            RETURNING id
            """;
        var at = update.Parameters.Add("$at", Microsoft.Data.Sqlite.SqliteType.Text);
        var external = update.Parameters.Add("$external", Microsoft.Data.Sqlite.SqliteType.Text);
        update.Parameters.AddWithValue("$now", BaselineStore.Time(until));
        update.Parameters.AddWithValue("$profile", BaselineStore.Profile);
        update.Prepare();
        var moved = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var (userId, time) in vendors.PagerDutyOnCallsAsync(since, until).ConfigureAwait(false))
        {
            at.Value = BaselineStore.Time(time);
            external.Value = userId;
            if (update.ExecuteScalar() is string id)
            {
                moved.Add(id);
            }
        }

        transaction.Commit();
        return moved.Count;
    }

    /// <summary>Reclaims every Ready candidate (DELETE /users/{id} each); one transaction per candidate, as the engine does.</summary>
    public static async Task<(int Reclaimed, int Failed)> ReclaimAsync(BaselineStore store, Vendors vendors)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(vendors);
        var connection = store.Connection;
        var ready = new List<(string Id, string External, string? Subscription)>();
        using (var select = connection.CreateCommand())
        {
            select.CommandText = $"SELECT id, external_user_id, subscription_id FROM candidates WHERE profile_id = '{BaselineStore.Profile}' AND state = 'ready' ORDER BY number";
            using var reader = select.ExecuteReader();
            while (reader.Read())
            {
                ready.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2)));
            }
        }

        int reclaimed = 0, failed = 0;
        foreach (var (id, external, subscription) in ready)
        {
            var error = await vendors.PagerDutyRemoveUserAsync(external).ConfigureAwait(false);
            var now = BaselineStore.Time(DateTimeOffset.UtcNow);
            using var transaction = connection.BeginTransaction();
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.Parameters.AddWithValue("$id", id);
            command.Parameters.AddWithValue("$now", now);
            command.Parameters.AddWithValue("$why", error ?? "reclaimed by pagerduty");
            command.Parameters.AddWithValue("$subscription", (object?)subscription ?? DBNull.Value);
            command.CommandText = error is null
                ? """
                  INSERT INTO candidate_history (candidate_id, from_state, to_state, by, why, at) VALUES ($id, 'ready', 'closed_complete', 'reclaim run', $why, $now);
                  UPDATE candidates SET state = 'closed_complete', subscription_id = NULL, updated_at = $now WHERE id = $id;
                  DELETE FROM subscriptions WHERE id = $subscription;
                  """
                : """
                  INSERT INTO candidate_history (candidate_id, from_state, to_state, by, why, at) VALUES ($id, 'ready', 'attention_required', 'reclaim run', $why, $now);
                  UPDATE candidates SET state = 'attention_required', error_message = $why, updated_at = $now WHERE id = $id;
                  """;
            command.ExecuteNonQuery();
            transaction.Commit();
            if (error is null)
            {
                reclaimed++;
            }
            else
            {
                failed++;
            }
        }

        return (reclaimed, failed);
    }

    private static void CreateCandidates(BaselineStore store, IEnumerable<string> externalIds, DateTimeOffset now)
    {
        var connection = store.Connection;
        using var transaction = connection.BeginTransaction();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            INSERT INTO candidates (id, number, profile_id, subscription_id, external_user_id, user_principal_name, state, last_activity, created_at, updated_at)
            SELECT 'c-' || id, $number, profile_id, id, external_user_id, user_principal_name, 'ready', last_activity, $now, $now
            FROM subscriptions WHERE profile_id = $profile AND external_user_id = $external
            """;
        var number = command.Parameters.Add("$number", Microsoft.Data.Sqlite.SqliteType.Text);
        var external = command.Parameters.Add("$external", Microsoft.Data.Sqlite.SqliteType.Text);
        command.Parameters.AddWithValue("$now", BaselineStore.Time(now));
        command.Parameters.AddWithValue("$profile", BaselineStore.Profile);
        var n = store.NextNumber(transaction);
        foreach (var id in externalIds)
        {
            number.Value = $"RCC{n++:D7}";
            external.Value = id;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private sealed record Options(string Mode, string Vendor, string Url, string Db, string? Candidates, int Warmup);

    private static Options? Parse(string[] args)
    {
        if (args.Length == 0)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i + 1 < args.Length; i += 2)
        {
            values[args[i]] = args[i + 1];
        }

        return values.TryGetValue("--url", out var url) && values.TryGetValue("--db", out var db)
            ? new Options(args[0], values.GetValueOrDefault("--vendor", "pagerduty").ToLower(CultureInfo.InvariantCulture), url, db, values.GetValueOrDefault("--candidates"), int.Parse(values.GetValueOrDefault("--warmup", "0"), CultureInfo.InvariantCulture))
            : null;
    }
}
