using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FlowEngine.Server.Endpoints;

/// <summary>Registers and maps our own REST API, the HTTP triggers, the OAuth redirect and the admin pages.</summary>
internal static class ApiEndpoints
{
    /// <summary>The services the endpoints share: background executions and pending OAuth consents.</summary>
    public static IServiceCollection AddFlowEngineApi(this IServiceCollection services)
    {
        services.AddSingleton<BackgroundRuns>();
        services.AddSingleton<ConsentStore>();
        // A body, route or query value that does not bind throws, so BadRequests can say what and where instead of an empty 400.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequests>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context => context.ProblemDetails.Detail ??= BadRequests.StatusDetail(context.HttpContext));
        return services;
    }

    /// <summary>Everything but <c>/api/definitions</c> (mapped on its own) and the Elsa-compatible API.</summary>
    public static IEndpointRouteBuilder MapFlowEngineApi(this IEndpointRouteBuilder app)
    {
        app.MapExecutionEndpoints();
        app.MapAliasEndpoints();
        app.MapOAuthRedirect();
        app.MapProfileEndpoints();
        app.MapLicenseEndpoints();
        app.MapKeyEndpoints();
        app.MapHttpTriggers();
        app.MapAdminPages();
        return app;
    }
}
