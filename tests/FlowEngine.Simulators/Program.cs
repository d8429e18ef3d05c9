namespace FlowEngine.Simulators;

internal static class Program
{
    public static Task<int> Main(string[] args) => SimulatorCommandLine.RunAsync(args, Console.Out, Console.Error);
}
