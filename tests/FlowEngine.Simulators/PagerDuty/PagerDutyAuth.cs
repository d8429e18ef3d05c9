namespace FlowEngine.Simulators.PagerDuty;

/// <summary>
/// Checks <c>Authorization</c> on REST endpoints: <c>Token token=&lt;api key&gt;</c> (exactly) or <c>Bearer &lt;oauth token&gt;</c>,
/// then the endpoint's scope. Attach with <see cref="RequireScope"/>.
/// </summary>
internal sealed class PagerDutyAuth(string apiToken, OAuthStore oauth, PagerDutyFaults faults)
{
    private const string TokenPrefix = "Token token=";
    private const string BearerPrefix = "Bearer ";

    public IResult? Check(HttpRequest request, string scope)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith(TokenPrefix, StringComparison.Ordinal))
        {
            return header[TokenPrefix.Length..] == apiToken && !faults.ApiTokenRevoked ? null : PagerDutyErrors.Unauthorized();
        }

        if (header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            var scopes = oauth.ValidateAccessToken(header[BearerPrefix.Length..].Trim());
            if (scopes is null)
            {
                return PagerDutyErrors.Unauthorized();
            }

            return PagerDutyScopes.Allows(scopes, scope) ? null : PagerDutyErrors.AccessDeniedError(scope);
        }

        return PagerDutyErrors.Unauthorized();
    }
}

internal static class PagerDutyAuthExtensions
{
    /// <summary>Answers 401/403 before the handler runs unless the caller is authenticated and holds <paramref name="scope"/>.</summary>
    public static RouteHandlerBuilder RequireScope(this RouteHandlerBuilder builder, PagerDutyAuth auth, string scope) =>
        builder.AddEndpointFilter(async (context, next) => auth.Check(context.HttpContext.Request, scope) ?? await next(context));
}
