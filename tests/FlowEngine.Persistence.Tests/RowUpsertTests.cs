using FlowEngine.Persistence.LicenseManagement;
using FlowEngine.Tests.Shared;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Persistence.Tests;

/// <summary>The plain-SQL row writer stores exactly what EF would, in batches of any size, and refuses a taken key when told to insert only.</summary>
public sealed class RowUpsertTests
{
    private static readonly DateTimeOffset At = new(2026, 11, 25, 23, 59, 58, 123, TimeSpan.FromHours(1));

    private static RemovalCandidateEntity Candidate(int n) => new()
    {
        Id = Guid.CreateVersion7(At.AddSeconds(n)),
        Number = $"RCC{n:D7}",
        ProfileId = n % 3 == 0 ? null : Guid.Parse("0193a6f0-0000-7000-8000-00000000abcd"),
        SubscriptionId = n % 2 == 0 ? Guid.CreateVersion7(At) : null,
        ExternalUserId = $"P{n:D5}",
        UserPrincipalName = $"user{n}@example.com",
        State = (CandidateState)(n % Enum.GetValues<CandidateState>().Length),
        ThresholdDays = 60 + n,
        LastActivity = n % 4 == 0 ? null : At.AddDays(-n),
        ErrorMessage = n % 5 == 0 ? $"error ‘{n}’" : null,
        CreatedAt = At,
        UpdatedAt = At.AddMinutes(n),
    };

    [Theory]
    [InlineData(1)]
    [InlineData(64)]
    [InlineData(150)]
    public async Task Rows_AreStoredAsEfStoresThem(int count)
    {
        var path = Path.Combine(TestPaths.TempFolder(), "rows.db");
        var store = await FlowStore.OpenAsync(StoreOptions.Sqlite(path));
        var rows = Enumerable.Range(1, count).Select(Candidate).ToList();
        await using (var db = store.CreateContext())
        {
            // EF writes a copy of every row under other ids: the stored text of each column must be the same.
            db.Candidates.AddRange(rows.Select(r => Copy(r, Guid.CreateVersion7(), "EF" + r.Number)));
            await db.SaveChangesAsync();
            await db.Database.OpenConnectionAsync();
            await using var transaction = await db.Database.BeginTransactionAsync();
            await RowUpsert<RemovalCandidateEntity>.For(db, SamColumns.Candidates).WriteAsync(db, rows, default, insertOnly: true);
            await transaction.CommitAsync();
        }

        var stored = Raw(path);
        Assert.Equal(2 * count, stored.Count);
        foreach (var row in rows)
        {
            var mine = stored[row.Number];
            var efs = stored["EF" + row.Number];
            Assert.Equal(efs.Skip(2), mine.Skip(2));
        }

        await using (var db = store.CreateContext())
        {
            var read = await db.Candidates.AsNoTracking().Where(c => !c.Number.StartsWith("EF")).OrderBy(c => c.Number).ToListAsync();
            Assert.Equal(rows.Select(Describe), read.Select(Describe));
        }
    }

    [Fact]
    public async Task AnUpsert_ReplacesTheRowWithItsKey_AndInsertOnly_RefusesIt()
    {
        var path = Path.Combine(TestPaths.TempFolder(), "rows.db");
        var store = await FlowStore.OpenAsync(StoreOptions.Sqlite(path));
        var rows = Enumerable.Range(1, 70).Select(Candidate).ToList();
        await using var db = store.CreateContext();
        await db.Database.OpenConnectionAsync();
        var writer = RowUpsert<RemovalCandidateEntity>.For(db, SamColumns.Candidates);
        await writer.WriteAsync(db, rows, default);

        var changed = rows.Select(r => Copy(r, r.Id, r.Number, "changed")).ToList();
        await writer.WriteAsync(db, changed, default);
        Assert.All(await db.Candidates.AsNoTracking().ToListAsync(), c => Assert.Equal("changed", c.ErrorMessage));

        var error = await Assert.ThrowsAsync<SqliteException>(() => writer.WriteAsync(db, [rows[0]], default, insertOnly: true));
        Assert.Contains("UNIQUE", error.Message, StringComparison.Ordinal);
        Assert.Equal(70, await db.Candidates.CountAsync());
    }

    private static RemovalCandidateEntity Copy(RemovalCandidateEntity r, Guid id, string number, string? error = null) => new()
    {
        Id = id,
        Number = number,
        ProfileId = r.ProfileId,
        SubscriptionId = r.SubscriptionId,
        ExternalUserId = r.ExternalUserId,
        UserPrincipalName = r.UserPrincipalName,
        State = r.State,
        RuleId = r.RuleId,
        ThresholdDays = r.ThresholdDays,
        LastActivity = r.LastActivity,
        ErrorMessage = error ?? r.ErrorMessage,
        CreatedAt = r.CreatedAt,
        UpdatedAt = r.UpdatedAt,
    };

    private static string Describe(RemovalCandidateEntity c) =>
        $"{c.Id}|{c.Number}|{c.ProfileId}|{c.SubscriptionId}|{c.ExternalUserId}|{c.UserPrincipalName}|{c.State}|{c.RuleId}|{c.ThresholdDays}|{c.LastActivity?.UtcTicks}|{c.ErrorMessage}|{c.CreatedAt.UtcTicks}|{c.UpdatedAt.UtcTicks}";

    /// <summary>Every candidate row by number: each column as SQLite's storage class and text.</summary>
    private static Dictionary<string, List<string>> Raw(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        var names = new List<string>();
        using (var info = connection.CreateCommand())
        {
            info.CommandText = "SELECT name FROM pragma_table_info('sam_removal_candidates') ORDER BY cid";
            using var reader = info.ExecuteReader();
            while (reader.Read())
            {
                names.Add(reader.GetString(0));
            }
        }

        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT \"Number\", {string.Join(", ", names.Select(n => $"typeof(\"{n}\") || ':' || coalesce(\"{n}\", '')"))} FROM sam_removal_candidates";
        using var rows = command.ExecuteReader();
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        while (rows.Read())
        {
            result[rows.GetString(0)] = [.. names.Select((n, i) => $"{n}={rows.GetString(i + 1)}")];
        }

        return result;
    }
}
