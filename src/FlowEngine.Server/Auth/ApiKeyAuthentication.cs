using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace FlowEngine.Server.Auth;

/// <summary><c>Authorization: ApiKey &lt;key&gt;</c>, as Elsa Studio sends it.</summary>
internal sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeys keys)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith(SchemeName + " ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var found = await keys.CheckAsync(header[(SchemeName.Length + 1)..].Trim(), Context.RequestAborted).ConfigureAwait(false);
        if (found is not { } key)
        {
            return AuthenticateResult.Fail("unknown API key");
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, key.Name), new Claim(ClaimTypes.Role, key.Role)], SchemeName);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }
}

/// <summary>Policies named after the roles: each admits its role and the stronger ones.</summary>
public static class Policies
{
    /// <summary>Admin only.</summary>
    public const string Admin = Roles.Admin;

    /// <summary>Integrator or admin.</summary>
    public const string Integrator = Roles.Integrator;

    /// <summary>Any key.</summary>
    public const string Viewer = Roles.Viewer;

    internal static IServiceCollection AddFlowEngineAuth(this IServiceCollection services)
    {
        services.AddAuthentication(ApiKeyAuthentication.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthentication>(ApiKeyAuthentication.SchemeName, _ => { });
        services.AddAuthorizationBuilder()
            .AddPolicy(Admin, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Integrator, p => p.RequireRole(Roles.Admin, Roles.Integrator))
            .AddPolicy(Viewer, p => p.RequireRole(Roles.All))
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(ApiKeyAuthentication.SchemeName).RequireRole(Roles.All).Build());
        return services;
    }
}
