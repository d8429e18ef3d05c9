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
