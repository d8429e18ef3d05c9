using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace FlowEngine.BadInput.Tests;

/// <summary>
/// Every row of the stored data a bad request must not change, as text: definitions and their versions, aliases and
/// connections, API keys, profiles, attachments, subscriptions, candidates and their history, rules, models,
/// entitlements, exclusions, reconciliations, idempotency records, staged subscriptions and the scheduler's jobs.
/// Execution records (with their progress and run locks) are left out: a refused run may record that it failed.
/// </summary>
internal static class StoreSnapshot
{
    /// <summary>Null when nothing stored changed between the snapshots; else what a bad input's answer must not do, and the difference.</summary>
    public static string? Changed(string before, string after) =>
        after == before ? null : "changed stored data:\n" + Difference(before, after);

    private static readonly string[] Skipped = ["executions", "step_records", "execution_checkpoints", "execution_progress", "run_locks", "__EFMigrationsHistory"];

    /// <summary>Quartz columns that move on their own (fire times, check-ins).</summary>
    private static readonly string[] SkippedQuartzTables = ["QRTZ_FIRED_TRIGGERS", "QRTZ_SCHEDULER_STATE", "QRTZ_LOCKS"];

    public static string Take(string databasePath)
    {
        var text = new StringBuilder();
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        var tables = new List<string>();
        using (var list = connection.CreateCommand())
        {
            list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
            using var reader = list.ExecuteReader();
            while (reader.Read())
            {
                tables.Add(reader.GetString(0));
            }
        }

        foreach (var table in tables.Where(t => !Skipped.Contains(t, StringComparer.OrdinalIgnoreCase) && !SkippedQuartzTables.Contains(t, StringComparer.OrdinalIgnoreCase)))
        {
            using var select = connection.CreateCommand();
            select.CommandText = $"SELECT * FROM \"{table}\"";
            using var reader = select.ExecuteReader();
            var rows = new List<string>();
            while (reader.Read())
            {
                var row = new StringBuilder();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    row.Append(reader.GetName(i)).Append('=').Append(Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)).Append(" | ");
                }

                rows.Add(row.ToString());
            }

            rows.Sort(StringComparer.Ordinal);
            text.Append("## ").Append(table).Append(" (").Append(rows.Count).Append(")\n");
            foreach (var row in rows)
            {
                text.Append(row).Append('\n');
            }
        }

        return text.ToString();
    }

    /// <summary>The first lines that differ, to say what a request changed.</summary>
    public static string Difference(string before, string after)
    {
        var a = before.Split('\n');
        var b = after.Split('\n');
        var changed = a.Except(b).Select(l => "- " + l).Concat(b.Except(a).Select(l => "+ " + l)).Take(6);
        return string.Join("\n", changed.Select(l => l.Length > 400 ? l[..400] + "…" : l));
    }
}
