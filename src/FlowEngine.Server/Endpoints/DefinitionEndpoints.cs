using FlowEngine.Hosting;
using FlowEngine.Persistence;
using FlowEngine.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FlowEngine.Server.Endpoints;

/// <summary><c>/api/definitions</c>: stored definitions and their versions.</summary>
internal static class DefinitionEndpoints
{
    public static IEndpointRouteBuilder MapDefinitionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/definitions").WithTags("Definitions").RequireAuthorization(Policies.Viewer);
        group.MapGet("/", async (Engine engine, CancellationToken ct) =>
        {
            var versions = await engine.Definitions.ListAsync(null, ct).ConfigureAwait(false);
            return versions.GroupBy(v => v.DefinitionId).Select(g => new DefinitionSummary(
                g.Key, g.Last().Name, g.Last().Kind, g.Max(v => v.Version),
                g.Where(v => v.Status == VersionStatus.Published).Select(v => (int?)v.Version).Max(), g.Last().SourcePath)).ToList();
        });
        return app;
    }

    internal sealed record DefinitionSummary(string Id, string Name, string Kind, int LatestVersion, int? PublishedVersion, string SourcePath);
}
