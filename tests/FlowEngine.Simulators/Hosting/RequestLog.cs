namespace FlowEngine.Simulators.Hosting;

/// <summary>Every request a simulator received (method and path), safe to record from concurrent requests.</summary>
internal sealed class RequestLog
{
    private readonly Lock _lock = new();
    private readonly List<(string Method, string Path)> _requests = [];

    public void Add(string method, string path)
    {
        lock (_lock)
        {
            _requests.Add((method, path));
        }
    }

    public int Count(string? method, string pathPrefix)
    {
        lock (_lock)
        {
            return _requests.Count(r =>
                (method is null || string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase))
                && r.Path.StartsWith(pathPrefix, StringComparison.Ordinal));
        }
    }
}
