using System.CommandLine;
using FlowEngine.Cli.Commands;

namespace FlowEngine.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = BuildCommand();
        // Ctrl+C cancels the command's token; give a running job or execution time to record how it ended.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30), EnableDefaultExceptionHandler = false };
        try
        {
            var parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                // A usage error is a few lines saying what is wrong and where to look, and exit code 2; not the whole help.
                foreach (var error in parse.Errors)
                {
                    Output.Problem(error.Message);
                }

                await Console.Error.WriteLineAsync($"run '{string.Join(' ', parse.CommandResult.Command.Name == root.Name ? ["flowengine"] : ["flowengine", .. CommandPath(parse.CommandResult)])} --help' for usage").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            // The JIT profile of this command (what the last run compiled) is compiled ahead on another core while it starts.
            Hosting.JitProfile.Start(string.Join('-', ["flowengine", .. CommandPath(parse.CommandResult)]));
            return await parse.InvokeAsync(invocation).ConfigureAwait(false);
        }
        catch (Persistence.StoreUnavailableException ex)
        {
            // Says where the database was looked for and what to check; a stack trace would only hide that.
            Output.Problem(ex.Message);
            return ExitCodes.Failed;
        }
        catch (Exception ex)
        {
            // What System.CommandLine's default handler does, which is off so that the case above can be told apart.
            if (ex is not OperationCanceledException)
            {
                await Console.Error.WriteLineAsync($"Unhandled exception: {ex}").ConfigureAwait(false);
            }

            return ExitCodes.Failed;
        }
    }

    private static IEnumerable<string> CommandPath(System.CommandLine.Parsing.CommandResult result)
    {
        var names = new Stack<string>();
        for (var current = result; current?.Parent is not null; current = current.Parent as System.CommandLine.Parsing.CommandResult)
        {
            names.Push(current.Command.Name);
        }

        return names;
    }

    internal static RootCommand BuildCommand()
    {
        var db = new Option<string?>("--db")
        {
            Description = $"SQLite database file (default: FLOWENGINE_STORE, else {Persistence.StoreOptions.DefaultSqlitePath})",
            Recursive = true,
        };
        var root = new RootCommand("FlowEngine: a workflow runtime for SaaS license management.")
        {
            ValidateCommand.Build(),
            RunCommand.Build(db),
            ExecutionsCommand.Build(db),
            DefinitionsCommand.Build(db),
            AliasesCommand.Build(db),
            ServeCommand.Build(db),
            SchemaCommand.Build(),
        };
        root.Options.Add(db);
        LicenseCommands.AddTo(root, db);
        return root;
    }
}
