using System.Globalization;

namespace FlowEngine.Simulators.PagerDuty;

/// <summary><c>GET /oncalls</c>: entries overlapping [since, until], filtered by ids, offset-paged.</summary>
internal static class OnCallsEndpoint
{
    public static void Map(WebApplication app, PagerDutyState state, PagerDutyFaults faults, PagerDutyAuth auth, PagerDutyRender render, TimeProvider time)
    {
        app.MapGet("/oncalls", (HttpRequest request) =>
        {
            if (!PagerDutyPaging.TryParse(request.Query, out var paging, out var error))
            {
                return error!;
            }

            var now = time.GetUtcNow();
            if (!TryTime(request.Query, "since", now, out var since) || !TryTime(request.Query, "until", now, out var until))
            {
                return PagerDutyErrors.InvalidInputError("Invalid Input Provided", "since and until must be ISO 8601 date-times.");
            }

            if (until < since)
            {
                return PagerDutyErrors.InvalidInputError("Invalid Input Provided", "The until parameter must not be before the since parameter.");
            }

            if (!PagerDutyPaging.TryBool(request.Query, "earliest", out var earliest))
            {
                return PagerDutyErrors.InvalidInputError("Invalid Input Provided", "earliest must be true or false.");
            }

            var userIds = Ids(request.Query, "user_ids");
            var policyIds = Ids(request.Query, "escalation_policy_ids");
            var scheduleIds = Ids(request.Query, "schedule_ids");
            var names = state.Users.ToDictionary(u => u.Id, u => u.Name, StringComparer.Ordinal);
            var entries = state.OnCalls
                .Where(o => o.Overlaps(since, until))
                .Where(o => userIds is null || userIds.Contains(o.UserId))
                .Where(o => policyIds is null || policyIds.Contains(o.EscalationPolicy.Id))
                .Where(o => scheduleIds is null || (o.Schedule is not null && scheduleIds.Contains(o.Schedule.Id)))
                .OrderBy(o => o.Start ?? DateTimeOffset.MinValue)
                .ThenBy(o => o.UserId, StringComparer.Ordinal)
                .ThenBy(o => o.EscalationLevel)
                .ToList();
            if (earliest)
            {
                entries = [.. entries.GroupBy(o => (o.UserId, o.EscalationPolicy.Id, o.EscalationLevel)).Select(g => g.First())];
            }

            var served = state.PageOffset("/oncalls", paging.Offset, faults.TakeRepeatPage());
            var apiBase = PagerDutyRender.ApiBase(request);
            return PagerDutyErrors.Json(paging.Envelope(
                "oncalls", entries, served, o => render.OnCall(o, names.GetValueOrDefault(o.UserId, "Deleted user"), apiBase)));
        }).RequireScope(auth, PagerDutyScopes.OnCallsRead);
    }

    private static bool TryTime(IQueryCollection query, string name, DateTimeOffset fallback, out DateTimeOffset value)
    {
        var text = query[name].ToString();
        value = fallback;
        return text.Length == 0
            || DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    /// <summary>Ids from <c>name[]</c> (PagerDuty's form) or <c>name</c>, repeated or comma-separated; null when absent.</summary>
    private static HashSet<string>? Ids(IQueryCollection query, string name)
    {
        var values = query[name + "[]"].Concat(query[name]).ToList();
        return values.Count == 0
            ? null
            : values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToHashSet(StringComparer.Ordinal);
    }
}
