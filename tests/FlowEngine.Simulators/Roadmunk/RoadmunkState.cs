namespace FlowEngine.Simulators.Roadmunk;

internal enum InactivateOutcome
{
    Inactivated,
    UnknownUser,
    EmailMismatch,
    DefaultAdmin,
}

/// <summary>The account's users and the counters tests read; one lock guards it all.</summary>
internal sealed class RoadmunkState(RoadmunkData data)
{
    private readonly Lock _lock = new();
    private readonly List<RoadmunkUser> _users = [.. data.Users];
    private readonly Dictionary<string, int> _inactivateCounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _operationCounts = new(StringComparer.Ordinal);
    private int? _lastUsersPageStart;

    // Users are never added or removed (only made inactive in place), so a user's position never changes.
    private readonly Dictionary<string, int> _positions = data.Users.Select((u, i) => (u.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);

    /// <summary>The position of a user in <see cref="Users"/>, or -1.</summary>
    public int IndexOf(string id) => _positions.TryGetValue(id, out var index) ? index : -1;

    /// <summary>Up to <paramref name="count"/> users from <paramref name="start"/>, and the number of users.</summary>
    public (IReadOnlyList<RoadmunkUser> Page, int Total) Page(int start, int count)
    {
        lock (_lock)
        {
            var from = Math.Min(start, _users.Count);
            return (_users.GetRange(from, Math.Min(count, _users.Count - from)), _users.Count);
        }
    }

    public IReadOnlyList<RoadmunkUser> Users
    {
        get
        {
            lock (_lock)
            {
                return [.. _users];
            }
        }
    }

    public InactivateOutcome Inactivate(string id, string email)
    {
        lock (_lock)
        {
            _inactivateCounts[id] = _inactivateCounts.GetValueOrDefault(id) + 1;
            var index = IndexOf(id);
            if (index < 0)
            {
                return InactivateOutcome.UnknownUser;
            }

            var user = _users[index];
            if (!string.Equals(user.Email, email, StringComparison.OrdinalIgnoreCase))
            {
                return InactivateOutcome.EmailMismatch;
            }

            if (user.IsDefaultAdmin)
            {
                return InactivateOutcome.DefaultAdmin;
            }

            _users[index] = user with { IsActive = false };
            return InactivateOutcome.Inactivated;
        }
    }

    public int InactivateCount(string userId)
    {
        lock (_lock)
        {
            return _inactivateCounts.GetValueOrDefault(userId);
        }
    }

    /// <summary>Where a users page starts: <paramref name="requested"/>, or the previous page's start when it repeats.</summary>
    public int UsersPageStart(int requested, bool repeat)
    {
        lock (_lock)
        {
            var served = repeat && _lastUsersPageStart is { } previous ? previous : requested;
            _lastUsersPageStart = served;
            return served;
        }
    }

    public void CountOperation(string name)
    {
        lock (_lock)
        {
            _operationCounts[name] = _operationCounts.GetValueOrDefault(name) + 1;
        }
    }

    public int OperationCount(string name)
    {
        lock (_lock)
        {
            return _operationCounts.GetValueOrDefault(name);
        }
    }
}
