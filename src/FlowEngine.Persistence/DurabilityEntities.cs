namespace FlowEngine.Persistence;

/// <summary>Where a write to a vendor stands: sent and not known yet, or known to have happened or failed.</summary>
public enum IdempotencyState
{
    /// <summary>About to be sent, or sent with no answer recorded: the outcome is unknown until checked.</summary>
    Started,

    /// <summary>The vendor confirmed it.</summary>
    Succeeded,

    /// <summary>The vendor refused it, or it was found not to be needed.</summary>
    Failed,
}

/// <summary>
/// The record of one write to a vendor (e.g. the reclaim of one removal candidate), written before the write is sent
/// and updated with its outcome. Its key is unique, so two nodes or two requests cannot both start the same write;
/// one left in <see cref="IdempotencyState.Started"/> by a process that died is checked against the vendor before
/// anything is sent again.
/// </summary>
public sealed class IdempotencyRecordEntity
{
    /// <summary>What the write is, e.g. <c>reclaim:&lt;candidate id&gt;</c>.</summary>
    public required string Key { get; set; }

    public IdempotencyState State { get; set; }

    /// <summary>The node that started it.</summary>
    public string? Node { get; set; }

    /// <summary>The execution that sent the write, when there is one.</summary>
    public Guid? ExecutionId { get; set; }

    /// <summary>The outcome in words (the vendor's message, or how an unknown outcome was settled).</summary>
    public string? Detail { get; set; }

    public int Attempts { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public DateTimeOffset? EndedAt { get; set; }
}

/// <summary>
/// A named lock held by one holder until it expires (renewed while the holder works): one download per profile at a
/// time, one reclaim run per profile. Taken by a single conditional write, so it works across nodes on one database.
/// </summary>
public sealed class RunLockEntity
{
    /// <summary>What is locked, e.g. <c>download:&lt;profile id&gt;</c>.</summary>
    public required string Name { get; set; }

    /// <summary>Who holds it (node and execution or request).</summary>
    public required string Holder { get; set; }

    public DateTimeOffset AcquiredAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }
}
