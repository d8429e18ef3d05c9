using System.Globalization;
using Microsoft.Data.Sqlite;

namespace FlowEngine.Baseline;

/// <summary>A user as the download subflows map it.</summary>
public sealed record MappedUser(string ExternalUserId, string UserPrincipalName, string? DisplayName, string Identifier, DateTimeOffset? ExternalCreated, DateTimeOffset? LastActivity);

/// <summary>
/// The baseline's SQLite file: subscriptions keyed by (profile, external user id), removal candidates and their history,
/// written with plain Microsoft.Data.Sqlite commands. Times are stored as round-trip UTC text, so they compare as text.
/// </summary>
public sealed class BaselineStore : IDisposable
{
    /// <summary>The one profile the baseline writes.</summary>
    public const string Profile = "baseline";

    private readonly SqliteConnection _connection;

    private BaselineStore(SqliteConnection connection) => _connection = connection;

    /// <summary>The open connection.</summary>
    public SqliteConnection Connection => _connection;

    /// <summary>Opens (and creates when new) the file: WAL with <c>synchronous = NORMAL</c>, the same durability as the engine's store.</summary>
    public static BaselineStore Open(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        var store = new BaselineStore(connection);
        store.Execute("""
            PRAGMA journal_mode = WAL;
            PRAGMA synchronous = NORMAL;
            CREATE TABLE IF NOT EXISTS subscriptions (
                id TEXT PRIMARY KEY,
                profile_id TEXT NOT NULL,
                external_user_id TEXT NOT NULL,
                user_principal_name TEXT NOT NULL,
                display_name TEXT,
                identifier TEXT,
                external_created TEXT,
                last_activity TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL,
                UNIQUE (profile_id, external_user_id));
            CREATE TABLE IF NOT EXISTS candidates (
                id TEXT PRIMARY KEY,
                number TEXT NOT NULL UNIQUE,
                profile_id TEXT NOT NULL,
                subscription_id TEXT,
                external_user_id TEXT NOT NULL,
                user_principal_name TEXT NOT NULL,
                state TEXT NOT NULL,
                last_activity TEXT,
                error_message TEXT,
                created_at TEXT NOT NULL,
                updated_at TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS candidates_state ON candidates (profile_id, state);
            CREATE TABLE IF NOT EXISTS candidate_history (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                candidate_id TEXT NOT NULL,
                from_state TEXT,
                to_state TEXT NOT NULL,
                by TEXT NOT NULL,
                why TEXT NOT NULL,
                at TEXT NOT NULL);
            """);
        return store;
    }

    /// <summary>Round-trip UTC text.</summary>
    public static string Time(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    /// <summary>Runs a statement without parameters.</summary>
    public int Execute(string sql, SqliteTransaction? transaction = null)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command.ExecuteNonQuery();
    }

    /// <summary>Rows in a table for the profile.</summary>
    public long Count(string table, string where = "1 = 1")
    {
        using var command = _connection.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM {table} WHERE profile_id = '{Profile}' AND {where}";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// Makes the profile's subscriptions exactly <paramref name="pages"/>' users, in one transaction over the run:
    /// each page is upserted as it arrives (and its ids noted in a temporary table), users not seen are deleted at
    /// the end, and nothing is committed unless every page was read. Only one page is in memory at a time.
    /// </summary>
    public async Task<int> ReplaceSubscriptionsAsync(IAsyncEnumerable<IReadOnlyList<MappedUser>> pages, DateTimeOffset now)
    {
        Execute("CREATE TEMP TABLE IF NOT EXISTS seen (external_user_id TEXT PRIMARY KEY); DELETE FROM seen;");
        using var transaction = _connection.BeginTransaction();
        using var upsert = _connection.CreateCommand();
        upsert.Transaction = transaction;
        upsert.CommandText = """
            INSERT INTO subscriptions (id, profile_id, external_user_id, user_principal_name, display_name, identifier, external_created, last_activity, created_at, updated_at)
            VALUES ($id, $profile, $external, $upn, $name, $identifier, $created, $activity, $now, $now)
            ON CONFLICT (profile_id, external_user_id) DO UPDATE SET
                user_principal_name = excluded.user_principal_name,
                display_name = excluded.display_name,
                identifier = excluded.identifier,
                external_created = CASE WHEN subscriptions.external_created IS NOT NULL AND (excluded.external_created IS NULL OR excluded.external_created > subscriptions.external_created)
                    THEN subscriptions.external_created ELSE excluded.external_created END,
                last_activity = CASE WHEN excluded.last_activity IS NOT NULL AND (subscriptions.last_activity IS NULL OR excluded.last_activity > subscriptions.last_activity)
                    THEN excluded.last_activity ELSE subscriptions.last_activity END,
                updated_at = excluded.updated_at
            WHERE subscriptions.user_principal_name IS NOT excluded.user_principal_name
                OR subscriptions.display_name IS NOT excluded.display_name
                OR subscriptions.identifier IS NOT excluded.identifier
                OR (excluded.external_created IS NOT NULL AND subscriptions.external_created IS NULL)
                OR (excluded.last_activity IS NOT NULL AND (subscriptions.last_activity IS NULL OR excluded.last_activity > subscriptions.last_activity));
            """;
        var id = upsert.Parameters.Add("$id", SqliteType.Text);
        upsert.Parameters.AddWithValue("$profile", Profile);
        var external = upsert.Parameters.Add("$external", SqliteType.Text);
        var upn = upsert.Parameters.Add("$upn", SqliteType.Text);
        var name = upsert.Parameters.Add("$name", SqliteType.Text);
        var identifier = upsert.Parameters.Add("$identifier", SqliteType.Text);
        var created = upsert.Parameters.Add("$created", SqliteType.Text);
        var activity = upsert.Parameters.Add("$activity", SqliteType.Text);
        upsert.Parameters.AddWithValue("$now", Time(now));
        upsert.Prepare();

        using var seen = _connection.CreateCommand();
        seen.Transaction = transaction;
        seen.CommandText = "INSERT INTO seen (external_user_id) VALUES ($external)";
        var seenId = seen.Parameters.Add("$external", SqliteType.Text);
        seen.Prepare();

        var total = 0;
        await foreach (var page in pages.ConfigureAwait(false))
        {
            foreach (var user in page)
            {
                id.Value = Guid.CreateVersion7(now).ToString();
                external.Value = user.ExternalUserId;
                upn.Value = user.UserPrincipalName;
                name.Value = (object?)user.DisplayName ?? DBNull.Value;
                identifier.Value = user.Identifier;
                created.Value = user.ExternalCreated is { } c ? Time(c) : DBNull.Value;
                activity.Value = user.LastActivity is { } a ? Time(a) : DBNull.Value;
                upsert.ExecuteNonQuery();
                seenId.Value = user.ExternalUserId; // a duplicate id fails here, and nothing is stored
                seen.ExecuteNonQuery();
                total++;
            }
        }

        Execute($"""
            UPDATE candidates SET state = 'closed_skipped', subscription_id = NULL, updated_at = '{Time(now)}'
            WHERE profile_id = '{Profile}' AND state IN ('attention_required', 'ready', 'awaiting_user', 'awaiting_approval', 'awaiting_revocation')
              AND external_user_id NOT IN (SELECT external_user_id FROM seen);
            DELETE FROM subscriptions WHERE profile_id = '{Profile}' AND external_user_id NOT IN (SELECT external_user_id FROM seen);
            """, transaction);
        transaction.Commit();
        return total;
    }

    /// <summary>
    /// The reclamation rule after an activity update: a Ready candidate for every idle subscription (no activity
    /// since the cutoff, and not created after it) that has no open one, with a history row; open candidates of users
    /// active again are Closed Canceled. One transaction.
    /// </summary>
    public (int Created, int Canceled) EvaluateCandidates(DateTimeOffset now, int thresholdDays)
    {
        var cutoff = Time(now.AddDays(-thresholdDays));
        var at = Time(now);
        using var transaction = _connection.BeginTransaction();
        var next = NextNumber(transaction);
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            CREATE TEMP TABLE IF NOT EXISTS idle (subscription_id TEXT PRIMARY KEY, n INTEGER);
            DELETE FROM idle;
            INSERT INTO idle (subscription_id, n)
              SELECT s.id, {next} - 1 + row_number() OVER (ORDER BY s.id) FROM subscriptions s
              WHERE s.profile_id = '{Profile}'
                AND NOT (s.external_created IS NOT NULL AND s.external_created > '{cutoff}')
                AND (s.last_activity IS NULL OR s.last_activity < '{cutoff}')
                AND NOT EXISTS (SELECT 1 FROM candidates c WHERE c.subscription_id = s.id
                    AND c.state IN ('attention_required', 'ready', 'awaiting_user', 'awaiting_approval', 'awaiting_revocation'));
            INSERT INTO candidates (id, number, profile_id, subscription_id, external_user_id, user_principal_name, state, last_activity, created_at, updated_at)
              SELECT 'c-' || s.id, 'RCC' || printf('%07d', i.n), s.profile_id, s.id, s.external_user_id, s.user_principal_name, 'ready', s.last_activity, '{at}', '{at}'
              FROM idle i JOIN subscriptions s ON s.id = i.subscription_id;
            INSERT INTO candidate_history (candidate_id, from_state, to_state, by, why, at)
              SELECT 'c-' || s.id, NULL, 'ready', 'activity refresh',
                CASE WHEN s.last_activity IS NULL THEN 'no recorded activity, threshold {thresholdDays} days'
                     ELSE 'no activity since ' || s.last_activity || ', threshold {thresholdDays}' END, '{at}'
              FROM idle i JOIN subscriptions s ON s.id = i.subscription_id;
            """;
        command.ExecuteNonQuery();
        var created = (int)(long)Scalar("SELECT count(*) FROM idle", transaction)!;
        command.CommandText = $"""
            CREATE TEMP TABLE IF NOT EXISTS active_again (candidate_id TEXT PRIMARY KEY);
            DELETE FROM active_again;
            INSERT INTO active_again SELECT c.id FROM candidates c JOIN subscriptions s ON s.id = c.subscription_id
              WHERE c.profile_id = '{Profile}' AND c.state IN ('attention_required', 'ready', 'awaiting_user', 'awaiting_approval')
                AND NOT ((s.external_created IS NULL OR s.external_created <= '{cutoff}') AND (s.last_activity IS NULL OR s.last_activity < '{cutoff}'));
            INSERT INTO candidate_history (candidate_id, from_state, to_state, by, why, at)
              SELECT c.id, c.state, 'closed_canceled', 'activity refresh', 'activity detected', '{at}' FROM candidates c JOIN active_again a ON a.candidate_id = c.id;
            UPDATE candidates SET state = 'closed_canceled', updated_at = '{at}' WHERE id IN (SELECT candidate_id FROM active_again);
            """;
        command.ExecuteNonQuery();
        var canceled = (int)(long)Scalar("SELECT count(*) FROM active_again", transaction)!;
        transaction.Commit();
        return (created, canceled);
    }

    /// <summary>The next candidate number (RCC0000001, …).</summary>
    public int NextNumber(SqliteTransaction? transaction = null) =>
        Scalar("SELECT max(number) FROM candidates", transaction) is string last ? int.Parse(last[3..], CultureInfo.InvariantCulture) + 1 : 1;

    /// <summary>One value.</summary>
    public object? Scalar(string sql, SqliteTransaction? transaction = null)
    {
        using var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        var value = command.ExecuteScalar();
        return value is DBNull ? null : value;
    }

    /// <inheritdoc />
    public void Dispose() => _connection.Dispose();
}
