namespace FlowEngine.Simulators;

/// <summary>An id and name of a schedule or an escalation policy.</summary>
public sealed record PagerDutyReference(string Id, string Name);

/// <summary>
/// One on-call entry: a user is on call for an escalation policy level, through a schedule or directly (schedule null).
/// <see cref="Start"/> null means on call permanently from the past; <see cref="End"/> null means never goes off call.
/// </summary>
public sealed record PagerDutyOnCall(
    string UserId,
    PagerDutyReference? Schedule,
    PagerDutyReference EscalationPolicy,
    int EscalationLevel,
    DateTimeOffset? Start,
    DateTimeOffset? End)
{
    /// <summary>True when the entry overlaps [since, until], the way <c>GET /oncalls</c> selects entries.</summary>
    public bool Overlaps(DateTimeOffset since, DateTimeOffset until) =>
        (Start is null || Start <= until) && (End is null || End >= since);
}
