using Spectre.Console;
using System.CommandLine;
using FlowEngine.Definitions.Validation;

namespace FlowEngine.Cli.Commands;

/// <summary><c>flowengine validate [paths]</c>: every error in every file, exit 1 on any.</summary>
internal static class ValidateCommand
{
    public static Command Build()
    {
        var paths = new Argument<string[]>("paths") { Description = "Files or folders (default: flows)", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("validate", "Check flow files: syntax, keys, types, pills, calls, versions, cycles.") { paths };
        command.SetAction(parse =>
        {
            var given = parse.GetValue(paths) is { Length: > 0 } p ? p : ["flows"];
            var loader = new FlowLoader(LicenseManagement.LicenseStepTypes.Catalog());
            var result = loader.Load(given);
            var spokes = Integration.Spokes.SpokeCatalog.Load(given);
            result = result with { Diagnostics = [.. result.Diagnostics, .. spokes.Diagnostics] };
            Output.Diagnostics(result.Diagnostics);
            var errors = result.Diagnostics.Count(d => d.Severity == Definitions.Severity.Error);
            var summary = $"{result.FileCount} file(s), {result.Definitions.Count} valid definition(s), {errors} error(s)";
            if (errors > 0)
            {
                Output.Error.MarkupLine($"[red]{summary}[/]");
                return ExitCodes.Failed;
            }

            Output.Error.MarkupLine($"[green]{summary}[/]");
            return ExitCodes.Ok;
        });
        return command;
    }
}
