using System.CommandLine;
using FlowEngine.Persistence;
using Spectre.Console;

namespace FlowEngine.Cli.Commands;

/// <summary><c>flowengine definitions list|versions|load</c>.</summary>
internal static class DefinitionsCommand
{
    public static Command Build(Option<string?> db)
    {
        var list = new Command("list", "Stored definitions with their latest version.");
        list.SetAction(async (parse, ct) =>
        {
            var engine = await Engine.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var versions = await engine.Definitions.ListAsync(null, ct).ConfigureAwait(false);
            var table = new Table().AddColumns("id", "kind", "name", "latest", "published", "versions", "file");
            foreach (var group in versions.GroupBy(v => v.DefinitionId))
            {
                var latest = group.MaxBy(v => v.Version)!;
                var published = group.Where(v => v.Status == VersionStatus.Published).Select(v => v.Version).DefaultIfEmpty().Max();
                table.AddRow(Markup.Escape(group.Key), latest.Kind, Markup.Escape(latest.Name), latest.Version.ToString(Inv),
                    published == 0 ? "-" : published.ToString(Inv), group.Count().ToString(Inv), Markup.Escape(latest.SourcePath));
            }

            Output.Out.Write(table);
            return ExitCodes.Ok;
        });

        var id = new Argument<string>("id") { Description = "Definition id" };
        var versionsCommand = new Command("versions", "Every stored version of a definition, with hash and status.") { id };
        versionsCommand.SetAction(async (parse, ct) =>
        {
            var engine = await Engine.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var definitionId = parse.GetValue(id)!;
            var versions = await engine.Definitions.ListAsync(definitionId, ct).ConfigureAwait(false);
            if (versions.Count == 0)
            {
                Output.Problem($"no stored definition '{definitionId}'; 'flowengine definitions list' shows what is stored");
                return ExitCodes.Usage;
            }

            var table = new Table().AddColumns("version", "status", "hash", "stored (UTC)", "file");
            foreach (var v in versions)
            {
                table.AddRow(v.Version.ToString(Inv), v.Status.ToString().ToLowerInvariant(), v.Hash[..12],
                    v.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", Inv), Markup.Escape(v.SourcePath));
            }

            Output.Out.Write(table);
            return ExitCodes.Ok;
        });

        var paths = new Argument<string[]>("paths") { Description = "Files or folders (default: flows)", Arity = ArgumentArity.ZeroOrMore };
        var load = new Command("load", "Validate files and store changed ones as new published versions.") { paths };
        load.SetAction(async (parse, ct) =>
        {
            var engine = await Engine.OpenAsync(parse.GetValue(db), ct).ConfigureAwait(false);
            var given = parse.GetValue(paths) is { Length: > 0 } p ? p : ["flows"];
            var (result, registrations) = await engine.LoadAsync(given, ct).ConfigureAwait(false);
            Output.Diagnostics(result.Diagnostics);
            foreach (var r in registrations)
            {
                Output.Error.MarkupLine($"{r.Outcome.ToString().ToLowerInvariant(),-9} {Markup.Escape(r.Definition.Key)} [grey]{Markup.Escape(r.Definition.SourceFile)}[/]");
            }

            return Engine.Errors(result.Diagnostics).Any() ? ExitCodes.Failed : ExitCodes.Ok;
        });

        return new Command("definitions", "Stored definitions and their versions.") { list, versionsCommand, load };
    }

    private static readonly System.Globalization.CultureInfo Inv = System.Globalization.CultureInfo.InvariantCulture;
}
