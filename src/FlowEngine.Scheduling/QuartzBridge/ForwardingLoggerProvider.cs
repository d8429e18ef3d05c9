using Microsoft.Extensions.Logging;

namespace FlowEngine.Scheduling.QuartzBridge;

/// <summary>
/// Hands Quartz's loggers out of the application's <see cref="ILoggerFactory"/>.
/// </summary>
/// <remarks>
/// Quartz's standalone builder sends its logs to the process-wide <c>Quartz.Diagnostics.LogProvider</c>
/// unless its container holds both a logger factory and a logging provider. Registering the application's
/// factory with this provider beside it keeps Quartz's lines in the application's logging, and leaves that
/// static alone.
/// </remarks>
internal sealed class ForwardingLoggerProvider(ILoggerFactory factory) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

    public void Dispose()
    {
        // The factory is the application's; it disposes it.
    }
}
