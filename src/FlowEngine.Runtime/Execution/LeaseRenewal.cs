namespace FlowEngine.Runtime.Execution;

/// <summary>
/// Keeps a lease alive while its holder works: renews it every third of its duration until stopped, and cancels
/// <c>lost</c> when a renewal finds the lease taken over. A store that cannot be reached is tried again next round,
/// since it may be back before the lease ends. Used by executions and by named run locks.
/// </summary>
public static class LeaseRenewal
{
    /// <summary>Renews until <paramref name="stop"/>; <paramref name="renew"/> returns false when the lease is no longer held.</summary>
    public static async Task RunAsync(TimeSpan duration, TimeProvider clock, Func<CancellationToken, Task<bool>> renew, CancellationTokenSource lost, CancellationToken stop)
    {
        ArgumentNullException.ThrowIfNull(renew);
        ArgumentNullException.ThrowIfNull(lost);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(duration / 3, clock, stop).ConfigureAwait(false);
                if (!await renew(stop).ConfigureAwait(false))
                {
                    await lost.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Not reached this round; the next one tries again.
            }
        }
    }
}
