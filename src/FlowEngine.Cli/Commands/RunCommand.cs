using System.CommandLine;
using System.Text.Json;
using FlowEngine.Definitions;
using FlowEngine.Definitions.Model;
using FlowEngine.Expressions;
using FlowEngine.Persistence;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using Spectre.Console;

namespace FlowEngine.Cli.Commands;

/// <summary><c>flowengine run &lt;id[@version] | file&gt;</c>: loads flows, runs one definition, shows its steps, prints outputs.</summary>
internal static class RunCommand
{
    public static Command Build(Option<string?> db)
    {
        var target = new Argument<string>("target") { Description = "A definition id (id or id@version) or a flow file" };
        var inputs = new Option<string[]>("--input", "-i") { Description = "An input as name=value (value is JSON when it parses, else text); repeatable", AllowMultipleArgumentsPerToken = false };
        var inputFile = new Option<string?>("--input-file") { Description = "A JSON file with an object of inputs" };
        var flows = new Option<string>("--flows") { Description = "Folder of flow files to load first", DefaultValueFactory = _ => "flows" };
        var timeout = new Option<double?>("--timeout")
        {
            Description = "Cancel the execution after this many seconds",
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
                if (double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2)
                {
                    return seconds;
                }

                result.AddError($"--timeout '{text}' is not a number of seconds above 0, e.g. --timeout 30");
                return null;
            },
        };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Do not show steps as they run" };
        var command = new Command("run", "Run a flow, subflow or action and print its outputs as JSON.") { target, inputs, inputFile, flows, timeout, quiet };
        command.SetAction((parse, ct) => RunAsync(
            parse.GetValue(target)!, parse.GetValue(inputs) ?? [], parse.GetValue(inputFile), parse.GetValue(flows)!,
            parse.GetValue(timeout), parse.GetValue(quiet), parse.GetValue(db), ct));
        return command;
    }

    private static async Task<int> RunAsync(string target, string[] inputArgs, string? inputFile, string flowsFolder, double? timeout, bool quiet, string? db, CancellationToken ct)
    {
        Dictionary<string, object?> inputs;
        try
        {
            inputs = ParseInputs(inputArgs, inputFile);
        }
        catch (Exception ex) when (ex is FormatException or IOException or JsonException)
        {
            Output.Problem(ex.Message);
            return ExitCodes.Usage;
        }

        var engine = await Engine.OpenAsync(db, ct, flowsFolder).ConfigureAwait(false);
        var isFile = File.Exists(target);
        var paths = new List<string>();
        if (Directory.Exists(flowsFolder))
        {
            paths.Add(flowsFolder);
        }

        if (isFile && !Path.GetFullPath(target).StartsWith(Path.GetFullPath(flowsFolder) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            paths.Add(target);
        }

        var (load, registrations) = await engine.LoadAsync(paths, ct).ConfigureAwait(false);
        Output.Diagnostics(load.Diagnostics);

        var runner = await engine.RunnerAsync(ct).ConfigureAwait(false);
        Definition? definition;
        if (isFile)
        {
            var relative = Path.GetRelativePath(Environment.CurrentDirectory, target);
            if (Engine.Errors(load.Diagnostics).Any(d => d.File == relative))
            {
                Output.Problem($"{relative} has errors (above); fix them and run again");
                return ExitCodes.Failed;
            }

            var fromFile = registrations.FirstOrDefault(r => r.Definition.SourceFile == relative)?.Definition;
            definition = fromFile is null ? null : runner.Definitions.Find(fromFile.Id, fromFile.Version);
        }
        else
        {
            var at = target.IndexOf('@', StringComparison.Ordinal);
            int? version = at > 0 && int.TryParse(target[(at + 1)..], out var v) ? v : null;
            var id = at > 0 ? target[..at] : target;
            definition = runner.Definitions.Find(id, version);
            if (definition is null)
            {
                var known = runner.Definitions.Ids.ToList();
                Output.Problem(runner.Definitions.Versions(id).Count > 0
                    ? $"'{id}' has no {(version is null ? "published version" : $"version {version}")}; versions: {string.Join(", ", runner.Definitions.Versions(id))}"
                    : Engine.Errors(load.Diagnostics).Any()
                        ? $"no valid definition '{id}'; the errors above keep some files from loading"
                        : $"no definition '{id}'{Suggest.DidYouMean(id, known)}; 'flowengine definitions list' shows what is loaded");
                return ExitCodes.Usage;
            }
        }

        if (definition is null)
        {
            Output.Problem($"{target} could not be registered; see the errors above");
            return ExitCodes.Failed;
        }

        try
        {
            Coercion.Inputs(definition, inputs);
        }
        catch (Exception ex) when (ex is StepFailedException or FormatException)
        {
            Output.Problem(ex.Message + $"; see the inputs with 'flowengine definitions versions {definition.Id}' or the file {definition.SourceFile}");
            return ExitCodes.Usage;
        }

        Output.Error.MarkupLine($"[bold]running {Markup.Escape(definition.Key)}[/] [grey]({Markup.Escape(definition.Name)})[/]");
        var observer = quiet ? null : new ConsoleObserver();
        var options = new RunOptions
        {
            TriggeredBy = "cli",
            Observer = observer,
            Timeout = timeout is { } seconds ? TimeSpan.FromSeconds(seconds) : null,
        };

        ExecutionResult result;
        try
        {
            result = await runner.RunAsync(definition, inputs, options, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Output.Problem("cancelled");
            return ExitCodes.Cancelled;
        }

        observer?.Finish();
        var record = result.Record;
        Console.Out.WriteLine(Values.ToJson(result.Outputs, indented: true));
        var colour = record.Status switch { ExecutionStatus.Completed => "green", ExecutionStatus.Failed => "red", _ => "yellow" };
        Output.Error.MarkupLine($"[{colour}]{record.Status.ToString().ToLowerInvariant()}[/] in {Output.Duration(record.StartedAt, record.EndedAt)}, {record.StepCount} step(s); execution {record.Id}");
        if (record.Error is not null)
        {
            Output.Problem(record.Error);
        }

        Output.Error.MarkupLine($"[grey]details: flowengine executions show {record.Id.ToString()[..13]}[/]");
        return record.Status switch
        {
            ExecutionStatus.Completed => ExitCodes.Ok,
            ExecutionStatus.Cancelled => ExitCodes.Cancelled,
            _ => ExitCodes.Failed,
        };
    }

    internal static Dictionary<string, object?> ParseInputs(IEnumerable<string> pairs, string? inputFile)
    {
        var inputs = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (inputFile is not null)
        {
            if (!File.Exists(inputFile))
            {
                throw new FormatException($"--input-file '{inputFile}' does not exist; give a JSON file with an object of inputs");
            }

            object? parsed;
            try
            {
                parsed = Values.ParseJson(File.ReadAllText(inputFile));
            }
            catch (JsonException ex)
            {
                var reason = ex.Message.Split(" LineNumber:")[0].Split(" Path:")[0].TrimEnd('.');
                throw new FormatException($"--input-file {inputFile} line {(ex.LineNumber ?? 0) + 1}, column {(ex.BytePositionInLine ?? 0) + 1}: not valid JSON ({reason}); it must hold a JSON object of inputs, e.g. {{ \"users\": [] }}");
            }

            if (parsed is not Dictionary<string, object?> fromFile)
            {
                throw new FormatException($"{inputFile} must hold a JSON object of inputs, e.g. {{ \"users\": [] }}");
            }

            foreach (var (key, value) in fromFile)
            {
                inputs[key] = value;
            }
        }

        foreach (var pair in pairs)
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"--input '{pair}' must be name=value");
            }

            var text = pair[(eq + 1)..];
            object? value;
            try
            {
                value = Values.ParseJson(text);
            }
            catch (JsonException)
            {
                value = text;
            }

            inputs[pair[..eq]] = value;
        }

        return inputs;
    }

    /// <summary>Shows steps as they end, indented by depth; long loops are summarised after a few hundred lines.</summary>
    private sealed class ConsoleObserver : IExecutionObserver
    {
        private const int MaxLines = 300;
        private int _lines;
        private int _hidden;

        public void StepStarted(StepRecord step, int depth)
        {
        }

        public void StepEnded(StepRecord step, int depth)
        {
            if (Interlocked.Increment(ref _lines) > MaxLines)
            {
                Interlocked.Increment(ref _hidden);
                return;
            }

            var (mark, colour) = step.Status switch
            {
                StepStatus.Completed => ("✓", "green"),
                StepStatus.Failed => ("✗", "red"),
                _ => ("■", "yellow"),
            };
            var indent = new string(' ', depth * 2);
            var error = step.Error is null ? "" : $" [red]{Markup.Escape(step.Error)}[/]";
            Output.Error.MarkupLine($"{indent}[{colour}]{mark}[/] {Markup.Escape(step.Path)} [grey]{step.Type} {Output.Duration(step.StartedAt, step.EndedAt)}[/]{error}");
        }

        public void Logged(string stepId, string level, string message) =>
            Output.Error.MarkupLine($"  [blue]{level}[/] [grey]{Markup.Escape(stepId)}:[/] {Markup.Escape(message)}");

        public void Finish()
        {
            if (_hidden > 0)
            {
                Output.Error.MarkupLine($"[grey]… {_hidden} more step(s) not shown; see 'flowengine executions show'[/]");
            }
        }
    }
}
