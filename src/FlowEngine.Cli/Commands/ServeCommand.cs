using System.CommandLine;
using FlowEngine.Server;
using Spectre.Console;

namespace FlowEngine.Cli.Commands;

/// <summary><c>flowengine serve</c>: the server on the embedded SQLite store with the flows under flows/.</summary>
internal static class ServeCommand
{
    public static Command Build(Option<string?> db)
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1", DefaultValueFactory = _ => 5080 };
        var flows = new Option<string>("--flows") { Description = "Folder of flow files to load", DefaultValueFactory = _ => "flows" };
        var command = new Command("serve", "Run the server: REST API, Elsa Studio designer, HTTP triggers, OAuth redirect and the scheduler.") { port, flows };
        command.SetAction(async (parse, ct) =>
        {
            var url = $"http://127.0.0.1:{parse.GetValue(port)}";
            var start = await ServerHost.BuildAsync(new ServerOptions { Urls = url, FlowsFolder = parse.GetValue(flows)!, DatabasePath = parse.GetValue(db) }, ct).ConfigureAwait(false);
            Output.Diagnostics(start.Diagnostics);
            await using var license = start.License;
            await start.App.StartAsync(ct).ConfigureAwait(false);
            var console = Output.Error;
            console.MarkupLine($"[bold]FlowEngine[/] on {Markup.Escape(url)} with store {Markup.Escape(Persistence.FlowStore.Describe(start.Engine.StoreOptions))}");
            if (start.NewAdminKey is { } key)
            {
                console.MarkupLine($"[yellow]admin API key (shown once, keep it):[/] {Markup.Escape(key)}");
                console.MarkupLine("[grey]send it as 'Authorization: ApiKey <key>'; the designer asks for it when you open it[/]");
            }

            Output.Out.WriteLine($"designer: {url}/designer (sign in with an API key) · API: {url}/openapi/v1.json · health: {url}/health");
            try
            {
                await Task.Delay(Timeout.Infinite, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            await start.App.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return ExitCodes.Ok;
        });
        return command;
    }
}
