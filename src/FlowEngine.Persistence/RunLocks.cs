using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Persistence;

/// <summary>
/// Named locks with an expiry in the shared database: taken by one conditional write (so of two nodes or two requests
/// only one gets it), renewed while the holder works, released when it is done, and taken over once expired (the
/// holder's process died). A holder is <c>&lt;node&gt;/&lt;unique id&gt;</c>, so a restarted node with a stable name
/// can take back its own locks at once.
/// </summary>
public sealed class RunLocks(FlowStore store, TimeProvider clock)
{
    /// <summary>Takes the lock for <paramref name="node"/> unless another live holder has it; null when it could not.</summary>
    /// <param name="name">What is locked.</param>
    /// <param name="node">This node's name.</param>
    /// <param name="duration">How long it lasts without renewal.</param>
    /// <param name="restartedNode">This node's stable name on its first pass after a restart (its old locks are free), else null.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public async Task<RunLockHandle?> TryAcquireAsync(string name, string node, TimeSpan duration, string? restartedNode, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        var holder = $"{node}/{Guid.NewGuid():N}";
        await using var db = store.CreateContext();
        var stolen = await db.RunLocks
            .Where(l => l.Name == name && (l.ExpiresAt < now || (restartedNode != null && l.Holder.StartsWith(restartedNode + "/"))))
            .ExecuteUpdateAsync(u => u.SetProperty(l => l.Holder, holder).SetProperty(l => l.AcquiredAt, now).SetProperty(l => l.ExpiresAt, now + duration), cancellationToken)
            .ConfigureAwait(false);
        if (stolen == 0)
        {
            db.RunLocks.Add(new RunLockEntity { Name = name, Holder = holder, AcquiredAt = now, ExpiresAt = now + duration });
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                return null;
            }
        }

        return new RunLockHandle(this, name, holder, duration);
    }

    /// <summary>Who holds a lock now, or null.</summary>
    public async Task<RunLockEntity?> FindAsync(string name, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        return await db.RunLocks.AsNoTracking().FirstOrDefaultAsync(l => l.Name == name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Names of locks starting with <paramref name="prefix"/> that can be taken over: expired, or held by <paramref name="restartedNode"/>.</summary>
    public async Task<IReadOnlyList<string>> AbandonedAsync(string prefix, string? restartedNode, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        await using var db = store.CreateContext();
        return await db.RunLocks.AsNoTracking()
            .Where(l => l.Name.StartsWith(prefix) && (l.ExpiresAt < now || (restartedNode != null && l.Holder.StartsWith(restartedNode + "/"))))
            .Select(l => l.Name).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    internal async Task<bool> RenewAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken)
    {
        var until = clock.GetUtcNow() + duration;
        await using var db = store.CreateContext();
        return await db.RunLocks.Where(l => l.Name == name && l.Holder == holder)
            .ExecuteUpdateAsync(u => u.SetProperty(l => l.ExpiresAt, until), cancellationToken).ConfigureAwait(false) == 1;
    }

    internal async Task ReleaseAsync(string name, string holder)
    {
        await using var db = store.CreateContext();
        await db.RunLocks.Where(l => l.Name == name && l.Holder == holder).ExecuteDeleteAsync(CancellationToken.None).ConfigureAwait(false);
    }
}

/// <summary>A held lock: renewed in the background every third of its duration, released when disposed.</summary>
public sealed class RunLockHandle : IAsyncDisposable
{
    private readonly RunLocks _locks;
    private readonly CancellationTokenSource _stop = new();
    private readonly CancellationTokenSource _lost = new();
    private readonly Task _renewing;

    internal RunLockHandle(RunLocks locks, string name, string holder, TimeSpan duration)
    {
        _locks = locks;
        Name = name;
        Holder = holder;
        _renewing = Runtime.Execution.LeaseRenewal.RunAsync(duration, TimeProvider.System, stop => _locks.RenewAsync(Name, Holder, duration, stop), _lost, _stop.Token);
    }

    /// <summary>The lock.</summary>
    public string Name { get; }

    /// <summary>This holder.</summary>
    public string Holder { get; }

    /// <summary>Cancelled when another holder took the lock over (this one was not renewed in time).</summary>
    public CancellationToken Lost => _lost.Token;

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _renewing.ConfigureAwait(false);
        await _locks.ReleaseAsync(Name, Holder).ConfigureAwait(false);
        _stop.Dispose();
        _lost.Dispose();
    }
}
