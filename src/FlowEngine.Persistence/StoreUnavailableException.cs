namespace FlowEngine.Persistence;

/// <summary>
/// The database cannot be used: it is not configured (PostgreSQL chosen without a connection string), cannot be reached,
/// or refused the login. The message names where it was looked for (never the password) and what to check.
/// </summary>
public sealed class StoreUnavailableException : InvalidOperationException
{
    /// <summary>An exception with a message and the provider's error.</summary>
    public StoreUnavailableException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
