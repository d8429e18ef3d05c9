using System.Text.RegularExpressions;
using FlowEngine.Server.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace FlowEngine.Server.Tests;

/// <summary>One endpoint the server maps: its route, methods, and the least role it admits (null: anonymous).</summary>
public sealed record MappedEndpoint(string Route, IReadOnlyList<string> Methods, string? Role)
{
    public override string ToString() => $"{string.Join(",", Methods)} {Route}";
}

/// <summary>Reads the endpoints from the application's <see cref="EndpointDataSource"/>, so a new one cannot be missed.</summary>
public static partial class MappedEndpoints
{
    private static readonly string[] Strength = [Roles.Viewer, Roles.Integrator, Roles.Admin];

    public static IReadOnlyList<MappedEndpoint> Of(WebApplication app) =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => new MappedEndpoint(
                Normalise(e.RoutePattern.RawText ?? ""),
                e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods.ToList() is { Count: > 0 } methods ? methods : ["GET"],
                RoleOf(e)))
            .ToList();

    /// <summary>The roles weaker than <paramref name="role"/>: the ones that must get 403.</summary>
    public static IEnumerable<string> Weaker(string role) => Strength.TakeWhile(r => r != role);

    /// <summary>The route with its parameters filled: by <paramref name="values"/> when it knows the name, else a value its constraint accepts.</summary>
    public static string Fill(string route, Func<string, string?>? values = null) => Parameter().Replace(route, m =>
    {
        var name = m.Groups["name"].Value;
        var constraint = m.Groups["constraint"].Value;
        return values?.Invoke(name) ?? constraint switch
        {
            "int" or "long" => "1",
            "guid" => Guid.Empty.ToString(),
            _ => name == "documentName" ? "v1" : "x",
        };
    });

    /// <summary>Whether a request path (no query) is matched by a route template.</summary>
    public static bool Matches(string route, string path)
    {
        var pattern = "^" + Parameter().Replace(Regex.Escape(route).Replace("\\{", "{", StringComparison.Ordinal).Replace("\\*", "*", StringComparison.Ordinal), m => m.Groups["star"].Length > 0 ? ".+" : "[^/]+") + "/?$";
        return Regex.IsMatch(path, pattern);
    }

    private static string Normalise(string route)
    {
        var text = "/" + route.Trim('/');
        return text;
    }

    private static string? RoleOf(RouteEndpoint endpoint)
    {
        if (endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return null;
        }

        var level = 0;
        foreach (var data in endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>())
        {
            if (data.Policy is { } policy && Array.IndexOf(Strength, policy) is var p && p >= 0)
            {
                level = Math.Max(level, p);
            }

            if (data.Roles is { } roles)
            {
                level = Math.Max(level, roles.Split(',').Select(r => Array.IndexOf(Strength, r.Trim())).Where(i => i >= 0).DefaultIfEmpty(0).Min());
            }
        }

        return Strength[level];
    }

    [GeneratedRegex(@"\{(?<star>\*{0,2})(?<name>[A-Za-z_][A-Za-z0-9_]*)(:(?<constraint>[a-z]+)[^}]*)?[?]?\}")]
    private static partial Regex Parameter();
}
