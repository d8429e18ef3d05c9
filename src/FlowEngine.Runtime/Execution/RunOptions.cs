namespace FlowEngine.Runtime.Execution;

/// <summary>How to run one execution.</summary>
public sealed record RunOptions
{
    /// <summary>Cancels the execution when it runs longer. Null: no limit.</summary>
    public TimeSpan? Timeout { get; init; }

    /// <summary>What started it (cli, http, scheduler, designer, test), recorded on the execution.</summary>
    public string TriggeredBy { get; init; } = "api";

    /// <summary>Receives step events as they happen (the CLI's live view).</summary>
    public IExecutionObserver? Observer { get; init; }

    /// <summary>Alias overrides from the caller, e.g. an integration profile's child alias: { parent: child }.</summary>
    public IReadOnlyDictionary<string, string> AliasOverrides { get; init; } = new Dictionary<string, string>();

    /// <summary>A fixed execution id, when the caller needs to know it up front.</summary>
    public Guid? ExecutionId { get; init; }

    /// <summary>Work that must not run twice at once (e.g. <c>download:&lt;profile&gt;</c>); a second start fails with <see cref="Records.ExecutionConflictException"/>.</summary>
    public string? ConcurrencyKey { get; init; }

    /// <summary>False: after an interruption the execution is failed, not resumed (see <see cref="Records.ExecutionRecord.Resumable"/>).</summary>
    public bool Resumable { get; init; } = true;

    /// <summary>The node running it (holds its lease); default <see cref="NodeIdentity.Current"/>.</summary>
    public string? Node { get; init; }

    /// <summary>How long a lease lasts without renewal (renewed every third of it while the execution runs). Default 30 s.</summary>
    public TimeSpan LeaseDuration { get; init; } = NodeIdentity.DefaultLease;

    /// <summary>Most steps one execution may run (every step, loops and calls included); more fails the execution. Default 1,000,000.</summary>
    public int MaxSteps { get; init; } = 1_000_000;
}

/// <summary>Who this process is among the nodes sharing a store.</summary>
public static class NodeIdentity
{
    /// <summary>
    /// FLOWENGINE_NODE when set (a stable name lets a restarted node take back its own executions at once), else
    /// machine name and process id.
    /// </summary>
    public static string Current { get; } = Environment.GetEnvironmentVariable("FLOWENGINE_NODE") is { Length: > 0 } name
        ? name
        : $"{Environment.MachineName}:{Environment.ProcessId}";

    /// <summary>True when <see cref="Current"/> is a configured, stable name.</summary>
    public static bool IsStable { get; } = Environment.GetEnvironmentVariable("FLOWENGINE_NODE") is { Length: > 0 };

    /// <summary>FLOWENGINE_LEASE_SECONDS, default 30.</summary>
    public static TimeSpan DefaultLease { get; } = TimeSpan.FromSeconds(
        int.TryParse(Environment.GetEnvironmentVariable("FLOWENGINE_LEASE_SECONDS"), out var seconds) && seconds > 0 ? seconds : 30);
}

/// <summary>Receives step events while an execution runs.</summary>
public interface IExecutionObserver
{
    /// <summary>A step started.</summary>
    void StepStarted(Records.StepRecord step, int depth);

    /// <summary>A step ended (completed, failed or cancelled).</summary>
    void StepEnded(Records.StepRecord step, int depth);

    /// <summary>A log step wrote a message.</summary>
    void Logged(string stepId, string level, string message);
}
