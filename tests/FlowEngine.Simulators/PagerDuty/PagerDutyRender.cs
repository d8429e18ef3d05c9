using FlowEngine.Simulators.Hosting;

namespace FlowEngine.Simulators.PagerDuty;

/// <summary>Turns users and on-call entries into PagerDuty's JSON shapes. <c>self</c> points at the simulator; <c>html_url</c> at the web app.</summary>
internal sealed class PagerDutyRender(PagerDutySeed seed)
{
    public string WebBase { get; } = seed.Region == PagerDutyRegion.Eu
        ? $"https://{seed.Subdomain}.eu.pagerduty.com"
        : $"https://{seed.Subdomain}.pagerduty.com";

    public static string ApiBase(HttpRequest request) => $"{request.Scheme}://{request.Host}";

    public object User(PagerDutyUser user, string apiBase) => new
    {
        id = user.Id,
        type = "user",
        summary = user.Name,
        self = $"{apiBase}/users/{user.Id}",
        html_url = $"{WebBase}/users/{user.Id}",
        name = user.Name,
        email = user.Email,
        time_zone = user.TimeZone,
        color = user.Color,
        avatar_url = $"https://secure.gravatar.com/avatar/{user.Id.ToLowerInvariant()}.png?d=mm&r=PG",
        description = user.Description,
        invitation_sent = user.InvitationSent,
        job_title = user.JobTitle,
        role = user.Role,
        teams = Array.Empty<object>(),
        contact_methods = Array.Empty<object>(),
        notification_rules = Array.Empty<object>(),
    };

    public object OnCall(PagerDutyOnCall onCall, string userName, string apiBase) => new
    {
        escalation_policy = Reference(onCall.EscalationPolicy, "escalation_policy_reference", "escalation_policies", apiBase),
        escalation_level = onCall.EscalationLevel,
        schedule = onCall.Schedule is null ? null : Reference(onCall.Schedule, "schedule_reference", "schedules", apiBase),
        user = Reference(new PagerDutyReference(onCall.UserId, userName), "user_reference", "users", apiBase),
        start = onCall.Start is { } start ? SeededData.Iso(start) : null,
        end = onCall.End is { } end ? SeededData.Iso(end) : null,
    };

    private object Reference(PagerDutyReference reference, string type, string collection, string apiBase) => new
    {
        id = reference.Id,
        type,
        summary = reference.Name,
        self = $"{apiBase}/{collection}/{reference.Id}",
        html_url = $"{WebBase}/{collection}/{reference.Id}",
    };
}
