using System.CommandLine;
using System.Globalization;
using System.Text;
using FlowEngine.Expressions;
using FlowEngine.LicenseManagement;
using FlowEngine.Persistence.LicenseManagement;
using Spectre.Console;

namespace FlowEngine.Cli.Commands;

/// <summary>What the license-management commands share: opening the services, error handling and formatting.</summary>
internal static class LicenseCli
{
    /// <summary>The <c>--flows</c> option of a license-management command (and its subcommands).</summary>
    public static Option<string> FlowsOption() => new("--flows")
    {
        Description = "Folder with the spokes and the vendors' license subflows",
        DefaultValueFactory = _ => "flows",
        Recursive = true,
    };

    /// <summary>
    /// Opens the store and the license-management services (jobs managed, not fired, unless <paramref name="runJobs"/>),
    /// runs <paramref name="action"/>, and turns a <see cref="LicenseException"/> into its message and exit code 2.
    /// </summary>
    public static async Task<int> RunAsync(ParseResult parse, Option<string?> db, Option<string> flows, CancellationToken ct, Func<Engine, LicenseParts, Task<int>> action, bool runJobs = false)
    {
        var folder = parse.GetValue(flows)!;
        var engine = await Engine.OpenAsync(parse.GetValue(db), ct, folder).ConfigureAwait(false);
        LicenseParts license;
        try
        {
            license = await engine.LicenseAsync(folder, runJobs, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            Output.Problem($"cannot open the scheduler's job store: {ex.Message}");
            return ExitCodes.Usage;
        }

        await using (license.ConfigureAwait(false))
        {
            Output.Diagnostics(license.Diagnostics);
            try
            {
                return await action(engine, license).ConfigureAwait(false);
            }
            catch (LicenseException ex)
            {
                Output.Problem(ex.Message);
                return ExitCodes.Usage;
            }
        }
    }

    /// <summary>Adds a row whose cells are plain text (escaped, so brackets in names are shown as they are).</summary>
    public static Table Row(this Table table, params string?[] cells)
    {
        ArgumentNullException.ThrowIfNull(table);
        return table.AddRow(cells.Select(c => Markup.Escape(c ?? "")).ToArray());
    }

    /// <summary>A plain line on stdout (no markup).</summary>
    public static void Say(string text) => Output.Out.WriteLine(text);

    /// <summary>A plain line on stderr (no markup).</summary>
    public static void Note(string text) => Output.Error.WriteLine(text);

    public static string Date(DateTimeOffset? value, string none = "") =>
        value is { } v ? v.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : none;

    public static string Money(decimal value) => value.ToString("#,0.00", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string OnOff(bool value) => value ? "on" : "off";

    public static string Percent(double share) => (share * 100).ToString("0.##", CultureInfo.InvariantCulture) + "%";

    /// <summary>"Attention Required", "Closed Complete", …</summary>
    public static string Name(CandidateState state)
    {
        var text = state.ToString();
        var name = new StringBuilder(text.Length + 4);
        foreach (var c in text)
        {
            if (char.IsUpper(c) && name.Length > 0)
            {
                name.Append(' ');
            }

            name.Append(c);
        }

        return name.ToString();
    }

    /// <summary>Reads a state as "Ready", "attention required", "ClosedComplete" or "closed_complete".</summary>
    public static bool TryParseState(string text, out CandidateState state)
    {
        var key = new string(text.Where(char.IsLetter).ToArray());
        return Enum.TryParse(key, ignoreCase: true, out state) && Enum.IsDefined(state) && key.Length > 0;
    }

    public static string States => string.Join(", ", Enum.GetValues<CandidateState>().Select(Name));

    /// <summary>An ISO date or date-time; without an offset it is UTC.</summary>
    public static DateTimeOffset ParseDate(string text, string option) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value)
            ? value
            : throw new LicenseException($"{option} '{text}' is not a date; use an ISO date such as {DateTime.UtcNow.AddDays(-30):yyyy-MM-dd} or 2025-01-31T08:00:00Z");

    /// <summary>A whole-number output of a subflow run ("added", "candidates_created"), or null when it has none.</summary>
    public static long? Count(RunOutcome outcome, string name)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.Outputs.TryGetValue(name, out var value) && value is not null
            && long.TryParse(Values.ToText(value), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    /// <summary>"completed (execution 0198…)" or "failed: message (execution …)".</summary>
    public static string Outcome(RunOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        return outcome.Succeeded
            ? $"completed (execution {outcome.Execution.Id})"
            : $"failed: {outcome.Execution.Error ?? outcome.Execution.Status.ToString()} (execution {outcome.Execution.Id}; 'flowengine executions show {outcome.Execution.Id.ToString()[..8]}' has the steps)";
    }

    /// <summary>What a download changed, from the download subflow's outputs.</summary>
    public static string DownloadSummary(RunOutcome download)
    {
        ArgumentNullException.ThrowIfNull(download);
        return download.Succeeded
            ? $"{Count(download, "total") ?? 0} users read; subscriptions {Count(download, "added") ?? 0} added, {Count(download, "updated") ?? 0} updated, {Count(download, "removed") ?? 0} removed"
            : Outcome(download);
    }

    /// <summary>What an activity update changed, from the activity subflow's outputs.</summary>
    public static string ActivitySummary(RunOutcome activity)
    {
        ArgumentNullException.ThrowIfNull(activity);
        return activity.Succeeded
            ? $"{Count(activity, "updated") ?? 0} update(s) moved last activity forward; removal candidates {Count(activity, "candidates_created") ?? 0} created, {Count(activity, "candidates_canceled") ?? 0} canceled"
            : Outcome(activity);
    }
}
