using FlowEngine.Expressions;
using FlowEngine.Runtime.Records;

namespace FlowEngine.Runtime.Execution;

/// <summary>What every frame of one execution shares: the record, the store, the clock, cancellation and secrets.</summary>
internal sealed class RunState(ExecutionRecord record, FlowRunner runner, RunOptions options, CancellationToken cancellation, int firstSequence = 0)
{
    private readonly int _firstSequence = firstSequence;
    private int _sequence = firstSequence;

    public ExecutionRecord Record { get; } = record;

    public FlowRunner Runner { get; } = runner;

    public RunOptions Options { get; } = options;

    public CancellationToken Cancellation { get; } = cancellation;

    // Created just after the timeout's token source, so it is never earlier than the moment the timeout fires.
    public DateTimeOffset? Deadline { get; } = options.Timeout is { } limit ? runner.Time.GetUtcNow() + limit : null;

    public Redactor Redactor { get; } = new();

    public Dictionary<string, object?> ExecutionInfo { get; } = new(StringComparer.Ordinal)
    {
        ["id"] = record.Id.ToString(),
        ["definition_id"] = record.DefinitionId,
        ["version"] = (long)record.Version,
        ["started_at"] = record.StartedAt,
    };

    public int NextSequence()
    {
        var next = Interlocked.Increment(ref _sequence);
        if (next - _firstSequence > Options.MaxSteps)
        {
            throw new StepFailedException($"the execution ran more than {Options.MaxSteps} steps (its step budget); look for a loop that does not end, or start it with a larger budget", null, "budget");
        }

        return next;
    }

    public int LastSequence => Volatile.Read(ref _sequence);

    public EvaluationContext Evaluation(IExpressionScope scope) => new(scope, Runner.Time);
}

/// <summary>
/// Masks the plain text of every secret the execution has seen, as a second line of defence: values of type secret
/// already print as a mask, and this also catches one that ended up inside an error message.
/// </summary>
internal sealed class Redactor
{
    private readonly List<string> _secrets = [];

    public void Remember(object? value)
    {
        switch (value)
        {
            case SecretValue s when s.Reveal().Length >= 4:
                lock (_secrets)
                {
                    _secrets.Add(s.Reveal());
                }

                break;
            case IDictionary<string, object?> map:
                foreach (var item in map.Values)
                {
                    Remember(item);
                }

                break;
            case System.Collections.IList list:
                foreach (var item in list)
                {
                    Remember(item);
                }

                break;
        }
    }

    public string Scrub(string text)
    {
        if (_secrets.Count == 0)
        {
            return text;
        }

        lock (_secrets)
        {
            foreach (var secret in _secrets)
            {
                text = text.Replace(secret, SecretValue.Mask, StringComparison.Ordinal);
            }
        }

        return text;
    }

    public string Json(object? value) => Scrub(Values.ToJson(value));

    /// <summary>Lists longer than this are recorded as their first items and a count inside a data stream's block.</summary>
    public const int SampledItems = 3;

    /// <summary>
    /// A value as a step record keeps it: whole, or, when the step runs once per batch of a data stream, with every
    /// list of more than <see cref="SampledItems"/> items cut to its first items and a note of how many there were.
    /// A download of 100,000 users would otherwise store every user again in its step records, once per step of its
    /// block; the records of a stream's steps are never read back to resume (only top-level steps' are).
    /// </summary>
    public string Recorded(object? value, bool perBatch) => Json(perBatch ? Sample(value) : value);

    private static object? Sample(object? value) => value switch
    {
        IDictionary<string, object?> map when map.Values.Any(NeedsSample) => map.ToDictionary(p => p.Key, p => Sample(p.Value), StringComparer.Ordinal),
        System.Collections.IList list when list.Count > SampledItems =>
            (List<object?>)[.. list.Cast<object?>().Take(SampledItems).Select(Sample), $"... {list.Count - SampledItems} more ({list.Count} items in all; step records in a data stream keep the first {SampledItems})"],
        System.Collections.IList list when list.Cast<object?>().Any(NeedsSample) => list.Cast<object?>().Select(Sample).ToList(),
        _ => value,
    };

    private static bool NeedsSample(object? value) => value switch
    {
        System.Collections.IList list => list.Count > SampledItems || list.Cast<object?>().Any(NeedsSample),
        IDictionary<string, object?> map => map.Values.Any(NeedsSample),
        _ => false,
    };
}
