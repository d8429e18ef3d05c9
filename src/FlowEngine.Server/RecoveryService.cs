using FlowEngine.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FlowEngine.Server;

/// <summary>
/// Runs <see cref="Recovery"/> when the server starts and then every FLOWENGINE_RECOVERY_SECONDS (default 10): work
/// whose node stopped (a crash, a kill -9, a node taken out) is finished here.
/// </summary>
internal sealed partial class RecoveryService(Recovery recovery, ILogger<RecoveryService> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("FLOWENGINE_RECOVERY_SECONDS"), out var seconds) && seconds > 0 ? seconds : 10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pass = await recovery.RunOnceAsync(stoppingToken).ConfigureAwait(false);
                if (pass.Resumed.Count > 0 || pass.ReclaimRuns > 0)
                {
                    Resumed(logger, pass.Resumed.Count, string.Join(", ", pass.Resumed), pass.ReclaimRuns);
                }

                await Task.Delay(Interval, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                Failed(logger, ex.Message);
                await Task.Delay(Interval, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "recovery: resuming {Count} interrupted execution(s) [{Ids}] and finishing {ReclaimRuns} reclaim run(s) whose node stopped")]
    private static partial void Resumed(ILogger logger, int count, string ids, int reclaimRuns);

    [LoggerMessage(Level = LogLevel.Warning, Message = "recovery pass failed: {Message}; trying again in the next pass")]
    private static partial void Failed(ILogger logger, string message);
}
