using System.CommandLine;
using FlowEngine.Cli.Commands;

namespace FlowEngine.Cli;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = BuildCommand();
        // Ctrl+C cancels the command's token; give a running job or execution time to record how it ended.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30) };
        return await root.Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
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
