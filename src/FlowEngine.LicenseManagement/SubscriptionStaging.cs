using System.Data.Common;
using FlowEngine.Persistence;
using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace FlowEngine.LicenseManagement;

/// <summary>
/// A streamed download: each page of users is staged as it arrives (insert or update by execution and external user
/// id, so a page staged again after a resume changes nothing), then the profile's subscriptions are replaced from the
/// staged rows in one transaction with set-based SQL. Memory stays flat whatever the number of users.
/// The SQL is the same on SQLite and PostgreSQL except for null-safe comparison and how ids are bound.
/// </summary>
public sealed class SubscriptionStaging(SamStore sam)
{
    // Rows per INSERT statement: one statement per page of 100 users, well under SQLite's parameter limit.
    private const int RowsPerStatement = 100;
    private const int ColumnsPerRow = 11;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, string> Statements = new();

    /// <summary>Stages one page of users for an execution, in one transaction.</summary>
    /// <returns>How many rows were staged.</returns>
    /// <remarks>
    /// A user already staged by the same attempt, or twice in this page, is counted as repeated (the commit then
    /// refuses the download); one staged by an earlier attempt is a page read again after a resume, and is not.
    /// </remarks>
    public async Task<int> StageAsync(Guid executionId, int attempt, Guid profileId, IReadOnlyList<DownloadedUser> users, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(users);
        await using var db = sam.Store.CreateContext();
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await StageWrite(executionId, attempt, profileId, users)(db.Database.GetDbConnection(), transaction.GetDbTransaction(), cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return users.Count;
    }

    /// <summary>
    /// The write that stages one page, on a given connection and transaction: <see cref="StageAsync"/> runs it in its
    /// own transaction; a paged download joins it to the transaction that saves the page's progress (one commit per page,
    /// and the page's users and "this page is done" are stored together or not at all).
    /// </summary>
    public Func<DbConnection, DbTransaction, CancellationToken, Task> StageWrite(Guid executionId, int attempt, Guid profileId, IReadOnlyList<DownloadedUser> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        // The same user twice in one page: staged once, already counted as repeated (one statement cannot change a row twice).
        var rows = new List<(DownloadedUser User, int Repeated)>(users.Count);
        var positions = new Dictionary<string, int>(users.Count, StringComparer.Ordinal);
        foreach (var user in users)
        {
            if (positions.TryGetValue(user.ExternalUserId, out var at))
            {
                rows[at] = (user, rows[at].Repeated + 1);
            }
            else
            {
                positions[user.ExternalUserId] = rows.Count;
                rows.Add((user, 0));
            }
        }

        var time = sam.Time;
        return (connection, transaction, cancellationToken) => WriteAsync(connection, transaction, cancellationToken);

        async Task WriteAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
        {
            var sqlite = connection is Microsoft.Data.Sqlite.SqliteConnection;
            var execution = Id(sqlite, executionId);
            var profile = Id(sqlite, profileId);
            var now = time.GetUtcNow();
            // SQLite binds parameters by name with a linear search, so many rows per statement cost more than they save:
            // there one prepared single-row statement runs per user; PostgreSQL gets a page per statement (one round trip).
            var perStatement = sqlite ? 1 : RowsPerStatement;
            System.Data.Common.DbCommand? command = null;
            try
            {
                foreach (var chunk in rows.Chunk(perStatement))
                {
                    if (command is null || command.Parameters.Count != chunk.Length * ColumnsPerRow)
                    {
                        if (command is not null)
                        {
                            await command.DisposeAsync().ConfigureAwait(false);
                        }

                        command = connection.CreateCommand();
                        command.Transaction = transaction;
                        command.CommandText = Statements.GetOrAdd(chunk.Length, StageStatement);
                        for (var i = 0; i < chunk.Length * ColumnsPerRow; i++)
                        {
                            var parameter = command.CreateParameter();
                            parameter.ParameterName = $"@p{i}";
                            command.Parameters.Add(parameter);
                        }
                    }

                    for (var r = 0; r < chunk.Length; r++)
                    {
                        var (user, repeated) = chunk[r];
                        var at = r * ColumnsPerRow;
                        var parameters = command.Parameters;
                        parameters[at].Value = execution;
                        parameters[at + 1].Value = user.ExternalUserId;
                        parameters[at + 2].Value = profile;
                        parameters[at + 3].Value = Id(sqlite, Guid.CreateVersion7(now));
                        parameters[at + 4].Value = user.UserPrincipalName;
                        parameters[at + 5].Value = (object?)user.DisplayName ?? DBNull.Value;
                        parameters[at + 6].Value = Dialect.Ticks(user.LastActivity);
                        parameters[at + 7].Value = Dialect.Ticks(user.ExternalCreated);
                        parameters[at + 8].Value = (object?)user.Identifier ?? DBNull.Value;
                        parameters[at + 9].Value = attempt;
                        parameters[at + 10].Value = repeated;
                    }

                    await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                if (command is not null)
                {
                    await command.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    // EF stores a Guid as upper-case text on SQLite and as uuid on PostgreSQL.
    private static object Id(bool sqlite, Guid id) => sqlite ? id.ToString().ToUpperInvariant() : id;

    private static string StageStatement(int rows)
    {
        var text = new System.Text.StringBuilder("""
            INSERT INTO sam_staged_subscriptions ("ExecutionId", "ExternalUserId", "ProfileId", "NewId", "UserPrincipalName", "DisplayName", "LastActivity", "ExternalCreated", "Identifier", "Attempt", "Repeated")
            VALUES
            """);
        for (var r = 0; r < rows; r++)
        {
            text.Append(r == 0 ? " (" : ", (");
            for (var c = 0; c < ColumnsPerRow; c++)
            {
                text.Append(c == 0 ? "@p" : ", @p").Append((r * ColumnsPerRow) + c);
            }

            text.Append(')');
        }

        return text.Append("""

            ON CONFLICT ("ExecutionId", "ExternalUserId") DO UPDATE SET
              "UserPrincipalName" = excluded."UserPrincipalName", "DisplayName" = excluded."DisplayName",
              "LastActivity" = excluded."LastActivity", "ExternalCreated" = excluded."ExternalCreated", "Identifier" = excluded."Identifier",
              "Repeated" = sam_staged_subscriptions."Repeated" + excluded."Repeated" + CASE WHEN sam_staged_subscriptions."Attempt" = excluded."Attempt" THEN 1 ELSE 0 END,
              "Attempt" = excluded."Attempt"
            """).ToString();
    }

    /// <summary>
    /// Makes the profile's subscriptions exactly the users this execution staged, in one transaction: new ones added,
    /// known ones updated (creation date never later, last activity never earlier), missing ones removed with their
    /// open candidates closed skipped. Refuses, changing nothing, when the vendor repeated users across pages.
    /// </summary>
    /// <exception cref="InvalidOperationException">The staged users are not a clean list; nothing was stored.</exception>
    public async Task<DownloadSummary> CommitAsync(Guid executionId, Guid profileId, CancellationToken cancellationToken)
    {
        await using var db = sam.Store.CreateContext();
        var sql = new Dialect(db);
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        // Plain SQL, not LINQ: each LINQ query costs its compilation on a process's first download.
        var e = sql.Id(executionId);
        var p = sql.Id(profileId);
        var profile = await sql.ListAsync("""SELECT "SoftwareModelId" FROM sam_profiles WHERE "Id" = @p0""", [p], r => r.IsDBNull(0) ? (Guid?)null : r.GetGuid(0), cancellationToken).ConfigureAwait(false);
        if (profile.Count == 0)
        {
            throw new InvalidOperationException($"no integration profile {profileId}");
        }

        var softwareModelId = profile[0];
        var repeated = await sql.ListAsync("""SELECT "ExternalUserId" FROM sam_staged_subscriptions WHERE "ExecutionId" = @p0 AND "Repeated" > 0 ORDER BY "ExternalUserId" LIMIT 3""", [e], r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        if (repeated.Count > 0)
        {
            throw new InvalidOperationException($"the download returned the same user more than once ({string.Join(", ", repeated)}): the vendor's pages overlap, so users may also be missing; nothing was stored");
        }

        var total = (int)await sql.CountAsync("""SELECT COUNT(*) FROM sam_staged_subscriptions WHERE "ExecutionId" = @p0""", [e], cancellationToken).ConfigureAwait(false);
        if (total == 0 && await sql.CountAsync("""SELECT COUNT(*) FROM (SELECT 1 FROM sam_subscriptions WHERE "ProfileId" = @p0 LIMIT 1) AS any_subscription""", [p], cancellationToken).ConfigureAwait(false) > 0)
        {
            // A vendor account always has at least its owner: an empty download is a broken answer, not an empty account.
            throw new InvalidOperationException("the download read no users at all, while the profile has subscriptions; a vendor account always has at least its owner, so this looks like a broken answer, and nothing was changed. Check the alias's URL and credential, and the vendor's status");
        }

        var added = (int)await sql.CountAsync("""
            SELECT COUNT(*) FROM sam_staged_subscriptions s WHERE s."ExecutionId" = @p0
              AND NOT EXISTS (SELECT 1 FROM sam_subscriptions x WHERE x."ProfileId" = @p1 AND x."ExternalUserId" = s."ExternalUserId")
            """, [e, p], cancellationToken).ConfigureAwait(false);
        var goneIds = await sql.ListAsync("""
            SELECT x."Id" FROM sam_subscriptions x WHERE x."ProfileId" = @p0
              AND NOT EXISTS (SELECT 1 FROM sam_staged_subscriptions s WHERE s."ExecutionId" = @p1 AND s."ExternalUserId" = x."ExternalUserId")
            """, [p, e], r => r.GetGuid(0), cancellationToken).ConfigureAwait(false);
        var now = sam.Time.GetUtcNow();
        if (goneIds.Count > 0)
        {
            foreach (var chunk in goneIds.Chunk(500))
            {
                var candidates = await db.Candidates.Where(c => c.SubscriptionId != null && chunk.Contains(c.SubscriptionId.Value)).ToListAsync(cancellationToken).ConfigureAwait(false);
                foreach (var candidate in candidates)
                {
                    if (SamStore.Open.Contains(candidate.State))
                    {
                        SamStore.Move(db, candidate, CandidateState.ClosedSkipped, "download", "the user is no longer in the vendor's account", now);
                    }

                    candidate.SubscriptionId = null;
                }

                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                db.ChangeTracker.Clear();
                await db.Subscriptions.Where(x => chunk.Contains(x.Id)).ExecuteDeleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        var changed = string.Join(" OR ", new[] { "UserPrincipalName", "DisplayName", "Identifier" }.Select(c => sql.Differs($"sam_subscriptions.\"{c}\"", $"excluded.\"{c}\"")))
            + " OR " + sql.Differs("sam_subscriptions.\"ExternalCreated\"", Earliest)
            + " OR (excluded.\"LastActivity\" IS NOT NULL AND (sam_subscriptions.\"LastActivity\" IS NULL OR excluded.\"LastActivity\" > sam_subscriptions.\"LastActivity\"))";
        var model = softwareModelId is null ? "NULL" : "{2}";
        var upsert = $$"""
            INSERT INTO sam_subscriptions ("Id", "ProfileId", "ExternalUserId", "UserPrincipalName", "DisplayName", "LastActivity", "ExternalCreated", "Identifier", "SoftwareModelId", "CreatedAt", "UpdatedAt")
            SELECT s."NewId", s."ProfileId", s."ExternalUserId", s."UserPrincipalName", s."DisplayName", s."LastActivity", s."ExternalCreated", s."Identifier", {{model}}, {0}, {0}
            FROM sam_staged_subscriptions s WHERE s."ExecutionId" = {1}
            ON CONFLICT ("ProfileId", "ExternalUserId") DO UPDATE SET
              "UserPrincipalName" = excluded."UserPrincipalName", "DisplayName" = excluded."DisplayName", "Identifier" = excluded."Identifier",
              "ExternalCreated" = {{Earliest}},
              "LastActivity" = CASE WHEN excluded."LastActivity" IS NOT NULL AND (sam_subscriptions."LastActivity" IS NULL OR excluded."LastActivity" > sam_subscriptions."LastActivity")
                THEN excluded."LastActivity" ELSE sam_subscriptions."LastActivity" END,
              "UpdatedAt" = {0}
            WHERE {{changed}}
            """;
        var written = await db.Database.ExecuteSqlRawAsync(upsert, softwareModelId is { } modelId ? [now.UtcTicks, e, sql.Id(modelId)] : [now.UtcTicks, e], cancellationToken).ConfigureAwait(false);
        await db.Database.ExecuteSqlRawAsync("""DELETE FROM sam_staged_subscriptions WHERE "ExecutionId" = {0}""", [e], cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new DownloadSummary(added, written - added, goneIds.Count, total);
    }

    /// <summary>
    /// After a run: one that ended without completing (and was not taken over by another node) leaves staged pages no
    /// one will use, so they are deleted; the subscriptions are untouched.
    /// </summary>
    public async Task AfterRunAsync(ExecutionResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Status == ExecutionStatus.Completed || result.TakenOver)
        {
            return;
        }

        await using var db = sam.Store.CreateContext();
        await db.StagedSubscriptions.Where(s => s.ExecutionId == result.Record.Id).ExecuteDeleteAsync(CancellationToken.None).ConfigureAwait(false);
    }

    // An account's creation date never moves later: a pending invitation counts from when it was first seen.
    private const string Earliest = """
        CASE WHEN sam_subscriptions."ExternalCreated" IS NOT NULL AND excluded."ExternalCreated" IS NOT NULL AND excluded."ExternalCreated" > sam_subscriptions."ExternalCreated"
          THEN sam_subscriptions."ExternalCreated" ELSE excluded."ExternalCreated" END
        """;

    /// <summary>The little that differs between SQLite and PostgreSQL here.</summary>
    private readonly struct Dialect(FlowEngineDbContext db)
    {
        private readonly bool _sqlite = db.Database.ProviderName?.Contains("Sqlite", StringComparison.OrdinalIgnoreCase) == true;

        public object Id(Guid? id) => id is not { } value ? DBNull.Value : SubscriptionStaging.Id(_sqlite, value);

        public string Differs(string left, string right) => _sqlite ? $"{left} IS NOT {right}" : $"{left} IS DISTINCT FROM {right}";

        public static object Ticks(DateTimeOffset? at) => at is { } value ? value.UtcTicks : DBNull.Value;

        // A query on the context's open connection and transaction, parameters named @p0, @p1, …
        public async Task<List<T>> ListAsync<T>(string text, object[] parameters, Func<System.Data.Common.DbDataReader, T> read, CancellationToken cancellationToken)
        {
            await using var command = Command(text, parameters);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            var rows = new List<T>();
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                rows.Add(read(reader));
            }

            return rows;
        }

        public async Task<long> CountAsync(string text, object[] parameters, CancellationToken cancellationToken)
        {
            await using var command = Command(text, parameters);
            return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false), System.Globalization.CultureInfo.InvariantCulture);
        }

        private System.Data.Common.DbCommand Command(string text, object[] parameters)
        {
            var command = db.Database.GetDbConnection().CreateCommand();
            command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
            command.CommandText = text;
            for (var i = 0; i < parameters.Length; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = $"@p{i}";
                parameter.Value = parameters[i];
                command.Parameters.Add(parameter);
            }

            return command;
        }
    }
}
