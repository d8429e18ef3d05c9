using System.CommandLine;
using FlowEngine.Hosting;
using FlowEngine.Runtime.Records;
using Spectre.Console;

namespace FlowEngine.Cli.Commands;

/// <summary><c>flowengine executions list|show</c>.</summary>
internal static class ExecutionsCommand
{
    public static Command Build(Option<string?> db)
    {
        var definition = new Option<string?>("--definition", "-d") { Description = "Only executions of this definition id" };
        var take = new Option<int>("--take", "-n") { Description = "How many (newest first)", DefaultValueFactory = _ => 20 };
        var list = new Command("list", "Recent executions, newest first.") { definition, take };
        list.SetAction(async (parse, ct) =>
        {
            var engine = await Engine.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var executions = await engine.Executions.ListAsync(parse.GetValue(definition), parse.GetValue(take), ct).ConfigureAwait(false);
            var table = new Table().AddColumns("id", "definition", "status", "started (UTC)", "duration", "steps", "by");
            foreach (var e in executions)
            {
                table.AddRow(
                    Markup.Escape(e.Id.ToString()),
                    Markup.Escape($"{e.DefinitionId}@{e.Version}"),
                    Status(e.Status),
                    e.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture),
                    Output.Duration(e.StartedAt, e.EndedAt),
                    e.StepCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Markup.Escape(e.TriggeredBy));
            }

            Output.Out.Write(table);
            return ExitCodes.Ok;
        });

        var id = new Argument<string>("id") { Description = "Execution id, or its first characters" };
        var full = new Option<bool>("--values") { Description = "Show each step's inputs and outputs (secrets are masked)" };
        var show = new Command("show", "One execution: status, inputs, outputs and the step tree with timings.") { id, full };
        show.SetAction(async (parse, ct) =>
        {
            var engine = await Engine.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var prefix = parse.GetValue(id)!;
            var matches = Guid.TryParse(prefix, out var exact) ? [exact] : await engine.Executions.FindByPrefixAsync(prefix, ct).ConfigureAwait(false);
            if (matches.Count != 1)
            {
                Output.Problem(matches.Count == 0 ? $"no execution '{prefix}'; 'flowengine executions list' shows recent ones" : $"'{prefix}' matches {matches.Count} executions; give more characters");
                return ExitCodes.Usage;
            }

            var execution = await engine.Executions.GetAsync(matches[0], ct).ConfigureAwait(false);
            if (execution is null)
            {
                Output.Problem($"no execution '{prefix}'");
                return ExitCodes.Usage;
            }

            Render(execution, parse.GetValue(full));
            return ExitCodes.Ok;
        });

        var olderThan = new Option<int>("--older-than-days") { Description = "Delete executions that ended more than this many days ago", DefaultValueFactory = _ => 14 };
        var prune = new Command("prune", "Delete old execution records (14 days by default); license data is never touched.") { olderThan };
        prune.SetAction(async (parse, ct) =>
        {
            var days = parse.GetValue(olderThan);
            if (days < 0)
            {
                Output.Problem("--older-than-days must be 0 or more");
                return ExitCodes.Usage;
            }

            var engine = await Engine.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var deleted = await engine.Executions.PruneAsync(DateTimeOffset.UtcNow.AddDays(-days), ct).ConfigureAwait(false);
            Output.Error.MarkupLine($"deleted {deleted} execution(s) that ended more than {days} day(s) ago");
            return ExitCodes.Ok;
        });

        var flows = new Option<string>("--flows") { Description = "Folder of flow files", DefaultValueFactory = _ => "flows" };
        var recover = new Command("recover", "Finish work whose process stopped (a crash, kill -9): resume running executions whose lease ran out, finish abandoned reclaim runs; waits until they end. The server does this by itself.") { flows };
        recover.SetAction(async (parse, ct) =>
        {
            var engine = await Engine.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            await using var license = await engine.LicenseAsync(parse.GetValue(flows)!, runJobs: false, ct).ConfigureAwait(false);
            var recovery = new Recovery(engine, license);
            var pass = await recovery.RunOnceAsync(ct).ConfigureAwait(false);
            await recovery.Pending.ConfigureAwait(false);
            foreach (var result in recovery.Finished)
            {
                Output.Out.WriteLine($"{result.Record.Id}  {result.Record.DefinitionId}@{result.Record.Version}  attempt {result.Record.Attempt}  {result.Status}{(result.Record.Error is { } e ? "  " + e : "")}");
            }

            Output.Error.MarkupLine($"resumed {pass.Resumed.Count} interrupted execution(s); finished {pass.ReclaimRuns} abandoned reclaim run(s)");
            return recovery.Finished.All(r => r.Status == ExecutionStatus.Completed) ? ExitCodes.Ok : ExitCodes.Failed;
        });

        return new Command("executions", "Look at recorded executions.") { list, show, prune, recover };
    }

    private static string Status(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Completed => "[green]completed[/]",
        ExecutionStatus.Failed => "[red]failed[/]",
        ExecutionStatus.Running => "[blue]running[/]",
        _ => $"[yellow]{status.ToString().ToLowerInvariant()}[/]",
    };

    private static void Render(ExecutionRecord e, bool values)
    {
        var console = Output.Out;
        console.MarkupLine($"[bold]execution {e.Id}[/]");
        console.MarkupLine($"definition  {Markup.Escape($"{e.DefinitionId}@{e.Version}")} [grey](hash {e.DefinitionHash[..12]})[/]");
        console.MarkupLine($"status      {Status(e.Status)}");
        console.MarkupLine($"started     {e.StartedAt:u} by {Markup.Escape(e.TriggeredBy)}, took {Output.Duration(e.StartedAt, e.EndedAt)}");
        console.MarkupLine($"inputs      {Markup.Escape(e.InputsJson)}");
        console.MarkupLine($"outputs     {Markup.Escape(e.OutputsJson ?? "")}");
        if (e.Error is not null)
        {
            console.MarkupLine($"error       [red]{Markup.Escape(e.Error)}[/]");
        }

        var tree = new Tree($"steps ({e.Steps.Count})");
        var nodes = new Dictionary<int, TreeNode>();
        foreach (var step in e.Steps.OrderBy(s => s.Sequence))
        {
            var label = $"{Mark(step.Status)} {Markup.Escape(step.StepId)}{(step.Iteration is { } i ? $" [grey]{Markup.Escape($"[{i}]")}[/]" : "")} [grey]{step.Type} {Output.Duration(step.StartedAt, step.EndedAt)}{(step.RetryCount > 0 ? $" retries {step.RetryCount}" : "")}[/]";
            if (step.Error is not null)
            {
                label += $" [red]{Markup.Escape(step.Error)}[/]";
            }

            if (values)
            {
                label += $"\n[grey]in:[/] {Markup.Escape(step.InputsJson ?? "")}\n[grey]out:[/] {Markup.Escape(step.OutputsJson ?? "")}";
            }

            var node = step.ParentSequence is { } p && nodes.TryGetValue(p, out var parent) ? parent.AddNode(label) : tree.AddNode(label);
            nodes[step.Sequence] = node;
        }

        console.Write(tree);
    }

    private static string Mark(StepStatus status) => status switch
    {
        StepStatus.Completed => "[green]✓[/]",
        StepStatus.Failed => "[red]✗[/]",
        StepStatus.Running => "[blue]▶[/]",
        _ => "[yellow]■[/]",
    };
}
