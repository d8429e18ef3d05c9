namespace FlowEngine.Cli;

/// <summary>Exit codes a script can rely on.</summary>
internal static class ExitCodes
{
    /// <summary>Everything worked; the execution completed.</summary>
    public const int Ok = 0;

    /// <summary>Validation found errors, or the execution failed.</summary>
    public const int Failed = 1;

    /// <summary>Bad usage: an unknown definition, execution or argument.</summary>
    public const int Usage = 2;

    /// <summary>The execution was cancelled or timed out.</summary>
    public const int Cancelled = 3;
}
