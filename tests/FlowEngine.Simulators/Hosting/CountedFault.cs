namespace FlowEngine.Simulators.Hosting;

/// <summary>A fault armed for the next <c>count</c> requests, carrying one setting (status, delay, …).</summary>
internal sealed class CountedFault<T>
{
    private readonly Lock _lock = new();
    private int _remaining;
    private T _value = default!;

    public void Arm(int count, T value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        lock (_lock)
        {
            _remaining = count;
            _value = value;
        }
    }

    public bool TryTake(out T value)
    {
        lock (_lock)
        {
            value = _value;
            if (_remaining == 0)
            {
                return false;
            }

            _remaining--;
            return true;
        }
    }

    public void Clear() => Arm(0, default!);
}
