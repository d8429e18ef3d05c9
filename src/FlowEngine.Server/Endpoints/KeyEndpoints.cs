using System.Security.Claims;
using FlowEngine.Hosting;
using FlowEngine.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Server.Endpoints;

/// <summary><c>/api/me</c> and <c>/api/keys</c>: who the caller is; API keys (admin only), shown in clear once when created.</summary>
internal static class KeyEndpoints
{
    public static IEndpointRouteBuilder MapKeyEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/me", (ClaimsPrincipal user) => TypedResults.Ok(new MeView(user.Identity?.Name ?? "", user.FindFirstValue(ClaimTypes.Role) ?? "")))
            .WithTags("API keys").RequireAuthorization(Policies.Viewer);

        var group = app.MapGroup("/api/keys").WithTags("API keys").RequireAuthorization(Policies.Admin);
        group.MapGet("/", async (Engine engine, CancellationToken ct) =>
        {
            await using var db = engine.Store.CreateContext();
            var keys = await db.ApiKeys.AsNoTracking().ToListAsync(ct).ConfigureAwait(false);
            return TypedResults.Ok(keys.OrderBy(k => k.CreatedAt).Select(k => new KeyView(k.Id, k.Name, k.Role, k.Prefix + "…", k.CreatedAt)).ToList());
        });

        group.MapPost("/", async Task<Results<Created<NewKeyView>, ProblemHttpResult>> (KeyInput input, ApiKeys keys, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(input.Name) || input.Role is null || !Roles.All.Contains(input.Role))
            {
                return ApiResults.BadRequest($"give a 'name' and a 'role': {string.Join(", ", Roles.All)}");
            }

            var key = await keys.CreateAsync(input.Name.Trim(), input.Role, ct).ConfigureAwait(false);
            return TypedResults.Created("/api/keys", new NewKeyView(input.Name.Trim(), input.Role, key, "shown once: keep it; only its hash is stored"));
        });

        group.MapDelete("/{id:guid}", async Task<Results<Ok<KeyView>, ProblemHttpResult>> (Guid id, Engine engine, CancellationToken ct) =>
        {
            await using var db = engine.Store.CreateContext();
            var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, ct).ConfigureAwait(false);
            if (key is null)
            {
                return ApiResults.NotFound($"no API key {id}");
            }

            if (key.Role == Roles.Admin && await db.ApiKeys.CountAsync(k => k.Role == Roles.Admin, ct).ConfigureAwait(false) == 1)
            {
                return ApiResults.Conflict("this is the last admin key; create another admin key first");
            }

            db.ApiKeys.Remove(key);
            await db.SaveChangesAsync(ct).ConfigureAwait(false);
            return TypedResults.Ok(new KeyView(key.Id, key.Name, key.Role, key.Prefix + "…", key.CreatedAt));
        });

        group.MapDelete("/{id}", (string id) => ApiResults.BadRequest($"'{id}' is not an API key id; ids are GUIDs (GET /api/keys lists them)"))
            .ExcludeFromDescription();

        return app;
    }

    internal sealed record MeView(string Name, string Role);

    [System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
    internal sealed record KeyInput(string? Name, string? Role);

    internal sealed record KeyView(Guid Id, string Name, string Role, string Prefix, DateTimeOffset CreatedAt);

    internal sealed record NewKeyView(string Name, string Role, string Key, string Note);
}
