using System.Collections.Frozen;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FlowEngine.Server.Endpoints;

/// <summary>
/// The admin pages under <c>/admin</c>: static HTML, CSS and JavaScript embedded in this assembly (from Pages/). They
/// need no key to load; their scripts call the API with the key the admin signs in with (kept in sessionStorage).
/// </summary>
internal static class AdminPages
{
    public const string ResourcePrefix = "admin/";

    private static readonly FrozenDictionary<string, (byte[] Content, string ContentType)> Files = Load();

    /// <summary>The names of the embedded files (index.html, admin.js, …).</summary>
    public static IEnumerable<string> Names => Files.Keys;

    public static IEndpointRouteBuilder MapAdminPages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/admin/{**file}", (string? file, HttpContext context) =>
        {
            if (string.IsNullOrEmpty(file) && context.Request.Path.Value?.EndsWith('/') != true)
            {
                // The pages link their scripts relatively, so the folder must end with a slash.
                return Results.Redirect("/admin/");
            }

            var name = string.IsNullOrEmpty(file) ? "index.html" : file;
            if (!Files.TryGetValue(name, out var found))
            {
                return ApiResults.NotFound($"no admin page '{name}'");
            }

            var headers = context.Response.Headers;
            headers.CacheControl = "no-cache";
            headers.XContentTypeOptions = "nosniff";
            headers.ContentSecurityPolicy = "default-src 'self'; frame-ancestors 'none'; form-action 'self'";
            return Results.Bytes(found.Content, found.ContentType);
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static FrozenDictionary<string, (byte[], string)> Load()
    {
        var assembly = typeof(AdminPages).Assembly;
        var files = new Dictionary<string, (byte[], string)>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            files[resource[ResourcePrefix.Length..]] = (buffer.ToArray(), ContentType(resource));
        }

        return files.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static string ContentType(string name) => Path.GetExtension(name).ToLowerInvariant() switch
    {
        ".html" => "text/html; charset=utf-8",
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        _ => "application/octet-stream",
    };
}
