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
            return await root.Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
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
