using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace FlowEngine.Server.Endpoints;

/// <summary>
/// OAuth consents started and not yet completed: the PKCE verifier stays on the server, keyed by the random
/// <c>state</c> sent to the vendor; each is taken once and expires after ten minutes.
/// </summary>
internal sealed class ConsentStore(TimeProvider time)
{
    /// <summary>How long a started consent can be completed.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, PendingConsent> _pending = new(StringComparer.Ordinal);

    /// <summary>Keeps a started consent; returns its state.</summary>
    public PendingConsent Add(string alias, string? verifier, string redirectUri)
    {
        var now = time.GetUtcNow();
        foreach (var (key, old) in _pending)
        {
            if (old.ExpiresAt <= now)
            {
                _pending.TryRemove(key, out _);
            }
        }

        var state = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).Replace('+', '-').Replace('/', '_').TrimEnd('=');
        var pending = new PendingConsent(state, alias, verifier, redirectUri, now + Lifetime);
        _pending[state] = pending;
        return pending;
    }

    /// <summary>Takes a started consent by its state: null when unknown, used already, or expired.</summary>
    public PendingConsent? Take(string? state)
    {
        if (string.IsNullOrEmpty(state) || !_pending.TryRemove(state, out var pending))
        {
            return null;
        }

        return pending.ExpiresAt > time.GetUtcNow() ? pending : null;
    }
}

/// <summary>A consent waiting for the vendor's redirect.</summary>
internal sealed record PendingConsent(string State, string Alias, string? Verifier, string RedirectUri, DateTimeOffset ExpiresAt);
