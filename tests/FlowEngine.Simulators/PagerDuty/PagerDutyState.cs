namespace FlowEngine.Simulators.PagerDuty;

/// <summary>The account's mutable state and the counters tests read. One lock guards it all; requests can be concurrent.</summary>
internal sealed class PagerDutyState(PagerDutyData data)
{
    private readonly Lock _lock = new();
    private readonly List<PagerDutyUser> _users = [.. data.Users];
    private readonly List<PagerDutyOnCall> _onCalls = [.. data.OnCalls];
    private readonly Dictionary<string, int> _deleteCounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _lastPageOffset = new(StringComparer.Ordinal);
    private int _missingAccept;
    private IReadOnlyList<PagerDutyUser>? _byName;

    public IReadOnlyList<PagerDutyUser> Users
    {
        get
        {
            lock (_lock)
            {
                return [.. _users];
            }
        }
    }

    /// <summary>
    /// The users in the order GET /users pages them (name, then id), sorted once and kept until a user changes, so
    /// paging a large account does not sort it again for every page.
    /// </summary>
    public IReadOnlyList<PagerDutyUser> UsersByName
    {
        get
        {
            lock (_lock)
            {
                return _byName ??= [.. _users.OrderBy(u => u.Name, StringComparer.Ordinal).ThenBy(u => u.Id, StringComparer.Ordinal)];
            }
        }
    }

    public IReadOnlyList<PagerDutyOnCall> OnCalls
    {
        get
        {
            lock (_lock)
            {
                return [.. _onCalls];
            }
        }
    }

    public int MissingAcceptHeaderCount => Volatile.Read(ref _missingAccept);

    public void CountMissingAccept() => Interlocked.Increment(ref _missingAccept);

    public void CountDelete(string userId)
    {
        lock (_lock)
        {
            _deleteCounts[userId] = _deleteCounts.GetValueOrDefault(userId) + 1;
        }
    }

    public int DeleteCount(string userId)
    {
        lock (_lock)
        {
            return _deleteCounts.GetValueOrDefault(userId);
        }
    }

    public IReadOnlyDictionary<string, int> DeleteCounts
    {
        get
        {
            lock (_lock)
            {
                return new Dictionary<string, int>(_deleteCounts, StringComparer.Ordinal);
            }
        }
    }

    public PagerDutyUser? FindUser(string id)
    {
        lock (_lock)
        {
            return _users.Find(u => u.Id == id);
        }
    }

    /// <summary>Removes the user and their on-call entries unless PagerDuty would refuse; returns the refused user otherwise.</summary>
    public (bool Deleted, PagerDutyUser? User) TryDelete(string id)
    {
        lock (_lock)
        {
            var user = _users.Find(u => u.Id == id);
            if (user is null || user.Role == "owner" || user.OpenIncidents > 0)
            {
                return (false, user);
            }

            _users.Remove(user);
            _byName = null;
            _onCalls.RemoveAll(o => o.UserId == id);
            return (true, user);
        }
    }

    public void SetOpenIncidents(string userId, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_lock)
        {
            var index = _users.FindIndex(u => u.Id == userId);
            if (index < 0)
            {
                throw new KeyNotFoundException($"No PagerDuty user '{userId}'.");
            }

            _users[index] = _users[index] with { OpenIncidents = count };
            _byName = null;
        }
    }

    public void AddOnCall(PagerDutyOnCall onCall)
    {
        lock (_lock)
        {
            _onCalls.Add(onCall);
        }
    }

    /// <summary>
    /// Remembers the offset a paged endpoint served; when <paramref name="repeat"/> is set, answers the previous offset instead
    /// (the "repeated page" fault).
    /// </summary>
    public int PageOffset(string endpoint, int requested, bool repeat)
    {
        lock (_lock)
        {
            var served = repeat && _lastPageOffset.TryGetValue(endpoint, out var previous) ? previous : requested;
            _lastPageOffset[endpoint] = served;
            return served;
        }
    }
}
