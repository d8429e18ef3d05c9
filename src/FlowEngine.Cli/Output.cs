using FlowEngine.Definitions;
using Spectre.Console;

namespace FlowEngine.Cli;

/// <summary>Console output: diagnostics, progress and results. Data goes to stdout, progress and errors to stderr.</summary>
internal static class Output
{
    public static IAnsiConsole Error { get; set; } = Wide(AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }));

    public static IAnsiConsole Out { get; set; } = Wide(AnsiConsole.Console);

    // When output goes to a file or a pipe there is no terminal width; don't wrap ids and paths at 80 columns.
    private static IAnsiConsole Wide(IAnsiConsole console)
    {
        if (!console.Profile.Out.IsTerminal)
        {
            console.Profile.Width = 240;
        }

        return console;
    }

    public static void Diagnostics(IEnumerable<Diagnostic> diagnostics)
    {
        foreach (var d in diagnostics.OrderBy(d => d.File, StringComparer.Ordinal).ThenBy(d => d.Line).ThenBy(d => d.Column))
        {
            var colour = d.Severity == Severity.Error ? "red" : "yellow";
            var step = d.StepId is null ? "" : $" [grey]{Markup.Escape($"[step '{d.StepId}']")}[/]";
            Error.MarkupLine($"{Markup.Escape($"{d.File}:{d.Line}:{d.Column}")}: [{colour}]{(d.Severity == Severity.Error ? "error" : "warning")} {d.Code}[/]{step}: {Markup.Escape(d.Message)}");
        }
    }

    public static void Problem(string message) => Error.MarkupLine($"[red]error:[/] {Markup.Escape(message)}");

    public static string Duration(DateTimeOffset start, DateTimeOffset? end) => end is null
        ? "…"
        : (end.Value - start) switch
        {
            var t when t.TotalMilliseconds < 1 => $"{t.TotalMicroseconds:0} µs",
            var t when t.TotalSeconds < 1 => $"{t.TotalMilliseconds:0.0} ms",
            var t => $"{t.TotalSeconds:0.00} s",
        };
}
