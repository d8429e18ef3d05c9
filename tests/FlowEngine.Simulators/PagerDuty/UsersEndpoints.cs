namespace FlowEngine.Simulators.PagerDuty;

/// <summary><c>GET /users</c>, <c>GET /users/{id}</c>, <c>DELETE /users/{id}</c> and <c>GET /abilities</c>.</summary>
internal static class UsersEndpoints
{
    /// <summary>Roughly what a Business-plan account reports; no <c>offboarding</c>, so users with incidents cannot be deleted.</summary>
    private static readonly string[] s_abilities =
    [
        "advanced_reports", "coordinated_responding", "event_rules", "manage_api_keys", "manage_schedules",
        "read_only_users", "response_operations", "service_support_hours", "sso", "team_responders", "teams", "urgencies",
    ];

    public static void Map(WebApplication app, PagerDutyState state, PagerDutyFaults faults, PagerDutyAuth auth, PagerDutyRender render)
    {
        app.MapGet("/users", (HttpRequest request) =>
        {
            if (!PagerDutyPaging.TryParse(request.Query, out var paging, out var error))
            {
                return error!;
            }

            var query = request.Query["query"].ToString();
            var filterByTeam = request.Query.ContainsKey("team_ids[]");
            var sorted = state.UsersByName;
            var users = filterByTeam ? [] // Seeded users belong to no team.
                : query.Length == 0 ? sorted
                : sorted.Where(u => u.Name.Contains(query, StringComparison.OrdinalIgnoreCase)
                    || u.Email.Contains(query, StringComparison.OrdinalIgnoreCase)).ToList();
            var served = state.PageOffset("/users", paging.Offset, faults.TakeRepeatPage());
            var apiBase = PagerDutyRender.ApiBase(request);
            return PagerDutyErrors.Json(paging.Envelope("users", users, served, u => render.User(u, apiBase)));
        }).RequireScope(auth, PagerDutyScopes.UsersRead);

        app.MapGet("/users/{id}", (string id, HttpRequest request) => state.FindUser(id) is { } user
            ? PagerDutyErrors.Json(new { user = render.User(user, PagerDutyRender.ApiBase(request)) })
            : PagerDutyErrors.NotFoundError()).RequireScope(auth, PagerDutyScopes.UsersRead);

        app.MapDelete("/users/{id}", (string id) =>
        {
            state.CountDelete(id);
            var (deleted, user) = state.TryDelete(id);
            if (deleted)
            {
                return Results.NoContent();
            }

            if (user is null)
            {
                return PagerDutyErrors.NotFoundError();
            }

            return user.Role == "owner"
                ? PagerDutyErrors.InvalidInputError(
                    "The account owner cannot be deleted.",
                    "Transfer account ownership to another user before deleting this user.")
                : PagerDutyErrors.InvalidInputError(
                    $"User cannot be deleted as they have {user.OpenIncidents} open incidents",
                    $"User {user.Id} has {user.OpenIncidents} open incidents; resolve or reassign them first.");
        }).RequireScope(auth, PagerDutyScopes.UsersWrite);

        app.MapGet("/abilities", () => PagerDutyErrors.Json(new { abilities = s_abilities }))
            .RequireScope(auth, PagerDutyScopes.AbilitiesRead);
    }
}
