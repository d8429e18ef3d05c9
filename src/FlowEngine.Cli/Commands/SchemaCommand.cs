using Spectre.Console;
using System.CommandLine;
using FlowEngine.Definitions.Schema;

namespace FlowEngine.Cli.Commands;

/// <summary><c>flowengine schema [--write path]</c>: the JSON Schema of the format, from the registered step types.</summary>
internal static class SchemaCommand
{
    public static Command Build()
    {
        var write = new Option<string?>("--write") { Description = $"Write it to this file (e.g. flows/{SchemaGenerator.FileName}) instead of stdout" };
        var command = new Command("schema", "Print the JSON Schema of flow files, generated from the registered step types.") { write };
        command.SetAction(parse =>
        {
            var schema = SchemaGenerator.Generate(LicenseManagement.LicenseStepTypes.Catalog());
            if (parse.GetValue(write) is { } path)
            {
                File.WriteAllText(path, schema);
                Output.Error.MarkupLine($"wrote {Markup.Escape(path)}");
            }
            else
            {
                Console.Out.Write(schema);
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
