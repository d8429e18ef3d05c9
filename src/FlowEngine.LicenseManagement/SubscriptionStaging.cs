using System.Data.Common;
using FlowEngine.Persistence;
using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace FlowEngine.LicenseManagement;

/// <summary>
/// A streamed download: each page of users is staged as it arrives, as one row holding the page's users as JSON; then
/// the profile's subscriptions are replaced from the staged pages in one transaction with set-based SQL (the database
/// itself expands the pages). Memory stays flat whatever the number of users, and a page costs one insert, not one per
/// user. The SQL is the same on SQLite and PostgreSQL except for how JSON is expanded, null-safe comparison and how ids
/// are bound.
/// </summary>
public sealed class SubscriptionStaging(SamStore sam)
{
    // On SQLite the page is kept as SQLite's binary JSON (jsonb): parsed once here, so the commit reads its fields
    // without parsing each user's text again. PostgreSQL keeps the text and the commit casts it to its jsonb.
    private const string StagePage = """
        INSERT INTO sam_staged_pages ("ExecutionId", "ProfileId", "Attempt", "Count", "Users") VALUES (@p0, @p1, @p2, @p3, @p4)
        """;

    private const string StagePageSqlite = """
        INSERT INTO sam_staged_pages ("ExecutionId", "ProfileId", "Attempt", "Count", "Users") VALUES (@p0, @p1, @p2, @p3, jsonb(@p4))
        """;

    /// <summary>Stages one page of users for an execution, in one transaction.</summary>
    /// <returns>How many users were staged.</returns>
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
    /// <remarks>
    /// A user staged twice by the same attempt (twice in a page, or in two pages) makes the commit refuse the download;
    /// one staged by an earlier attempt is a page read again after a resume, and the later attempt's copy is used.
    /// </remarks>
    public Func<DbConnection, DbTransaction, CancellationToken, Task> StageWrite(Guid executionId, int attempt, Guid profileId, IReadOnlyList<DownloadedUser> users)
    {
        ArgumentNullException.ThrowIfNull(users);
        var now = sam.Time.GetUtcNow();
        return (connection, transaction, cancellationToken) => WriteAsync(connection, transaction, cancellationToken);

        async Task WriteAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
        {
            // A joined write gets the connection, not a context: the provider is told from the connection's type.
            var sqlite = connection is Microsoft.Data.Sqlite.SqliteConnection;
            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = sqlite ? StagePageSqlite : StagePage;
            object[] values = [Id(sqlite, executionId), Id(sqlite, profileId), attempt, users.Count, PageJson(users, sqlite, now)];
            for (var i = 0; i < values.Length; i++)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = $"@p{i}";
                parameter.Value = values[i];
                command.Parameters.Add(parameter);
            }

            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // [external user id, user principal name, display name, last activity, external created, identifier, new id] per user.
    private static string PageJson(IReadOnlyList<DownloadedUser> users, bool sqlite, DateTimeOffset now)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(Math.Max(256, users.Count * 160));
        using (var json = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var user in users)
            {
                json.WriteStartArray();
                json.WriteStringValue(user.ExternalUserId);
                json.WriteStringValue(user.UserPrincipalName);
                WriteText(json, user.DisplayName);
                WriteTicks(json, user.LastActivity);
                WriteTicks(json, user.ExternalCreated);
                WriteText(json, user.Identifier);
                json.WriteStringValue(IdText(sqlite, Guid.CreateVersion7(now)));
                json.WriteEndArray();
            }

            json.WriteEndArray();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);

        static void WriteText(System.Text.Json.Utf8JsonWriter json, string? text)
        {
            if (text is null)
            {
                json.WriteNullValue();
            }
            else
            {
                json.WriteStringValue(text);
            }
        }

        static void WriteTicks(System.Text.Json.Utf8JsonWriter json, DateTimeOffset? at)
        {
            if (at is { } value)
            {
                json.WriteNumberValue(value.UtcTicks);
            }
            else
            {
                json.WriteNullValue();
            }
        }
    }

    // EF stores a Guid as upper-case text on SQLite and as uuid on PostgreSQL (where the text form is cast in SQL).
    private static object Id(bool sqlite, Guid id) => sqlite ? IdText(sqlite, id) : id;

    private static string IdText(bool sqlite, Guid id) => sqlite ? id.ToString().ToUpperInvariant() : id.ToString();

    /// <summary>
    /// Makes the profile's subscriptions exactly the users this execution staged, in one transaction: new ones added,
    /// known ones updated (creation date never later, last activity never earlier), missing ones removed with their
    /// open candidates closed skipped. Refuses, changing nothing, when the vendor repeated users across pages.
    /// </summary>
    /// <exception cref="InvalidOperationException">The staged users are not a clean list; nothing was stored.</exception>
    public async Task<DownloadSummary> CommitAsync(Guid executionId, Guid profileId, CancellationToken cancellationToken)
    {
        await using var db = sam.Store.CreateContext();
        // Plain SQL, not LINQ: each LINQ query costs its compilation on a process's first download.
        var sql = new ModelSql(db);
        var dialect = new Dialect(db.Database.IsSqlite());
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var execution = sql.Value<StagedPageEntity>(nameof(StagedPageEntity.ExecutionId), "@execution", executionId);
        var profile = sql.Value<SubscriptionEntity>(nameof(SubscriptionEntity.ProfileId), "@profile", profileId);
        var models = await sql.ListAsync("""SELECT "SoftwareModelId" FROM sam_profiles WHERE "Id" = @profile""", r => r.IsDBNull(0) ? (Guid?)null : r.GetGuid(0), cancellationToken, profile).ConfigureAwait(false);
        if (models.Count == 0)
        {
            throw new InvalidOperationException($"no integration profile {profileId}");
        }

        var softwareModelId = models[0];
        // The staged pages expanded by the database into a table of this transaction (dropped before it commits).
        await sql.ExecuteAsync(dialect.ExpandPages, cancellationToken, execution).ConfigureAwait(false);
        await sql.ExecuteAsync("""CREATE INDEX fe_staged_user ON fe_staged ("ExternalUserId", "Attempt")""", cancellationToken).ConfigureAwait(false);
        var repeated = await sql.ListAsync("""
            SELECT "ExternalUserId" FROM fe_staged GROUP BY "ExternalUserId", "Attempt" HAVING COUNT(*) > 1 ORDER BY "ExternalUserId" LIMIT 3
            """, r => r.GetString(0), cancellationToken).ConfigureAwait(false);
        if (repeated.Count > 0)
        {
            throw new InvalidOperationException($"the download returned the same user more than once ({string.Join(", ", repeated)}): the vendor's pages overlap, so users may also be missing; nothing was stored");
        }

        // A page read again after a resume: the later attempt's copy of a user is the one kept.
        if (await sql.CountAsync("""SELECT COUNT(DISTINCT "Attempt") FROM sam_staged_pages WHERE "ExecutionId" = @execution""", cancellationToken, execution).ConfigureAwait(false) > 1)
        {
            await sql.ExecuteAsync("""
                DELETE FROM fe_staged WHERE EXISTS (SELECT 1 FROM fe_staged later WHERE later."ExternalUserId" = fe_staged."ExternalUserId" AND later."Attempt" > fe_staged."Attempt")
                """, cancellationToken).ConfigureAwait(false);
        }

        var total = (int)await sql.CountAsync("""SELECT COUNT(*) FROM fe_staged""", cancellationToken).ConfigureAwait(false);
        if (total == 0 && await sql.CountAsync("""SELECT COUNT(*) FROM (SELECT 1 FROM sam_subscriptions WHERE "ProfileId" = @profile LIMIT 1) AS any_subscription""", cancellationToken, profile).ConfigureAwait(false) > 0)
        {
            // A vendor account always has at least its owner: an empty download is a broken answer, not an empty account.
            throw new InvalidOperationException("the download read no users at all, while the profile has subscriptions; a vendor account always has at least its owner, so this looks like a broken answer, and nothing was changed. Check the alias's URL and credential, and the vendor's status");
        }

        var added = (int)await sql.CountAsync("""
            SELECT COUNT(*) FROM fe_staged s
              WHERE NOT EXISTS (SELECT 1 FROM sam_subscriptions x WHERE x."ProfileId" = @profile AND x."ExternalUserId" = s."ExternalUserId")
            """, cancellationToken, profile).ConfigureAwait(false);
        var goneIds = await sql.ListAsync("""
            SELECT x."Id" FROM sam_subscriptions x WHERE x."ProfileId" = @profile
              AND NOT EXISTS (SELECT 1 FROM fe_staged s WHERE s."ExternalUserId" = x."ExternalUserId")
            """, r => r.GetGuid(0), cancellationToken, profile).ConfigureAwait(false);
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

        var changed = string.Join(" OR ", new[] { "UserPrincipalName", "DisplayName", "Identifier" }.Select(c => dialect.Differs($"sam_subscriptions.\"{c}\"", $"excluded.\"{c}\"")))
            + " OR " + dialect.Differs("sam_subscriptions.\"ExternalCreated\"", Earliest)
            + " OR (excluded.\"LastActivity\" IS NOT NULL AND (sam_subscriptions.\"LastActivity\" IS NULL OR excluded.\"LastActivity\" > sam_subscriptions.\"LastActivity\"))";
        var upsert = $$"""
            INSERT INTO sam_subscriptions ("Id", "ProfileId", "ExternalUserId", "UserPrincipalName", "DisplayName", "LastActivity", "ExternalCreated", "Identifier", "SoftwareModelId", "CreatedAt", "UpdatedAt")
            SELECT s."NewId", @profile, s."ExternalUserId", s."UserPrincipalName", s."DisplayName", s."LastActivity", s."ExternalCreated", s."Identifier", @model, @now, @now
            FROM fe_staged s WHERE true
            ON CONFLICT ("ProfileId", "ExternalUserId") DO UPDATE SET
              "UserPrincipalName" = excluded."UserPrincipalName", "DisplayName" = excluded."DisplayName", "Identifier" = excluded."Identifier",
              "ExternalCreated" = {{Earliest}},
              "LastActivity" = CASE WHEN excluded."LastActivity" IS NOT NULL AND (sam_subscriptions."LastActivity" IS NULL OR excluded."LastActivity" > sam_subscriptions."LastActivity")
                THEN excluded."LastActivity" ELSE sam_subscriptions."LastActivity" END,
              "UpdatedAt" = @now
            WHERE {{changed}}
            """;
        var written = await sql.ExecuteAsync(upsert, cancellationToken, profile,
            sql.Value<SubscriptionEntity>(nameof(SubscriptionEntity.SoftwareModelId), "@model", softwareModelId),
            sql.Value<SubscriptionEntity>(nameof(SubscriptionEntity.CreatedAt), "@now", now)).ConfigureAwait(false);
        await sql.ExecuteAsync("DROP TABLE fe_staged", cancellationToken).ConfigureAwait(false);
        await sql.ExecuteAsync("""DELETE FROM sam_staged_pages WHERE "ExecutionId" = @execution""", cancellationToken, execution).ConfigureAwait(false);
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
        await db.StagedPages.Where(s => s.ExecutionId == result.Record.Id).ExecuteDeleteAsync(CancellationToken.None).ConfigureAwait(false);
    }

    // An account's creation date never moves later: a pending invitation counts from when it was first seen.
    private const string Earliest = """
        CASE WHEN sam_subscriptions."ExternalCreated" IS NOT NULL AND excluded."ExternalCreated" IS NOT NULL AND excluded."ExternalCreated" > sam_subscriptions."ExternalCreated"
          THEN sam_subscriptions."ExternalCreated" ELSE excluded."ExternalCreated" END
        """;

    /// <summary>The little SQL text that differs between SQLite and PostgreSQL here.</summary>
    private readonly struct Dialect(bool sqlite)
    {
        public string Differs(string left, string right) => sqlite ? $"{left} IS NOT {right}" : $"{left} IS DISTINCT FROM {right}";

        // An execution's staged pages (@execution) as rows: one per user, with the attempt that staged it.
        public string ExpandPages => sqlite
            ? """
                CREATE TEMP TABLE fe_staged AS
                SELECT j.value ->> 0 AS "ExternalUserId", j.value ->> 1 AS "UserPrincipalName", j.value ->> 2 AS "DisplayName",
                  j.value ->> 3 AS "LastActivity", j.value ->> 4 AS "ExternalCreated", j.value ->> 5 AS "Identifier", j.value ->> 6 AS "NewId", p."Attempt" AS "Attempt"
                FROM sam_staged_pages p, jsonb_each(p."Users") j WHERE p."ExecutionId" = @execution
                """
            : """
                CREATE TEMP TABLE fe_staged AS
                SELECT j.value ->> 0 AS "ExternalUserId", j.value ->> 1 AS "UserPrincipalName", j.value ->> 2 AS "DisplayName",
                  (j.value ->> 3)::bigint AS "LastActivity", (j.value ->> 4)::bigint AS "ExternalCreated", j.value ->> 5 AS "Identifier", (j.value ->> 6)::uuid AS "NewId", p."Attempt" AS "Attempt"
                FROM sam_staged_pages p CROSS JOIN LATERAL jsonb_array_elements(p."Users"::jsonb) AS j(value) WHERE p."ExecutionId" = @execution
                """;
    }
}
