namespace FlowEngine.Simulators.Hosting;

/// <summary>
/// A host lifetime that ignores process signals: simulators live inside tests or the command line, which decide when
/// to stop them (the default console lifetime would swallow SIGTERM and Ctrl+C for every instance).
/// </summary>
internal sealed class EmbeddedLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
