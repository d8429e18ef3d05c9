using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlowEngine.Server.Designer;

/// <summary>
/// Serves the designer at <c>/designer</c>: our host page and its script from <c>designer/</c>, Elsa Studio's files
/// from the npm package under <c>designer/node_modules</c>, and the host page for any other path under it (the studio
/// navigates to <c>/designer/workflows/instances/{id}/view</c> after a run). The files need no key; the API does.
/// </summary>
public static class DesignerFiles
{
    /// <summary>The path the designer is served under.</summary>
    public const string BasePath = "/designer";

    private static readonly string[] OwnExtensions = [".html", ".js", ".css", ".svg", ".png", ".ico"];

    private static readonly FileExtensionContentTypeProvider ContentTypes = CreateContentTypes();

    private static FileExtensionContentTypeProvider CreateContentTypes()
    {
        var provider = new FileExtensionContentTypeProvider();
        provider.Mappings[".wasm"] = "application/wasm";
        provider.Mappings[".dll"] = "application/octet-stream";
        provider.Mappings[".pdb"] = "application/octet-stream";
        provider.Mappings[".dat"] = "application/octet-stream";
        provider.Mappings[".blat"] = "application/octet-stream";
        provider.Mappings[".webcil"] = "application/octet-stream";
        provider.Mappings[".json"] = "application/json";
        provider.Mappings[".map"] = "application/json";
        provider.Mappings[".mjs"] = "text/javascript";
        provider.Mappings[".js"] = "text/javascript";
        provider.Mappings[".webmanifest"] = "application/manifest+json";
        provider.Mappings[".woff2"] = "font/woff2";
        provider.Mappings[".cur"] = "image/x-icon";
        return provider;
    }

    /// <summary>The content type served for a file name.</summary>
    public static string ContentType(string fileName) =>
        ContentTypes.TryGetContentType(fileName, out var type) ? type : "application/octet-stream";

    /// <summary>Maps <c>/designer</c> and starts installing the package when it is missing.</summary>
    public static IEndpointRouteBuilder MapDesigner(this IEndpointRouteBuilder app, ServerOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        var folder = Path.GetFullPath(options.DesignerFolder);
        var logger = app.ServiceProvider.GetService<ILoggerFactory>()?.CreateLogger("FlowEngine.Designer");
        _ = DesignerInstaller.EnsureInstalledAsync(folder, logger);
        // Routing matches "/designer/" here too: only the bare "/designer" is redirected, so relative links resolve.
        app.MapMethods(BasePath, [HttpMethods.Get, HttpMethods.Head], (Delegate)((HttpContext context) =>
            context.Request.Path.Value?.EndsWith('/') == true ? ServeAsync(folder, "", context, logger) : Task.FromResult(Results.Redirect(BasePath + "/"))))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapMethods(BasePath + "/{**path}", [HttpMethods.Get, HttpMethods.Head], (string? path, HttpContext context) => ServeAsync(folder, path ?? "", context, logger))
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> ServeAsync(string folder, string path, HttpContext context, ILogger? logger)
    {
        var install = await DesignerInstaller.EnsureInstalledAsync(folder, logger).WaitAsync(TimeSpan.FromSeconds(2)).ContinueWith(
            t => t.IsCompletedSuccessfully ? t.Result : new DesignerInstall(false, null), TaskScheduler.Default).ConfigureAwait(false);
        var relative = path.Replace('\\', '/').TrimStart('/');
        if (relative.Length > 0 && Resolve(folder, relative) is { } file)
        {
            context.Response.Headers.CacheControl = "no-cache";
            return Results.File(file, ContentType(file), enableRangeProcessing: true, lastModified: File.GetLastWriteTimeUtc(file));
        }

        // A missing asset is a 404; any other path is a page of the designer.
        if (Path.HasExtension(relative))
        {
            return Results.NotFound();
        }

        if (!install.Ready)
        {
            var message = install.Error ?? $"The designer is being installed (npm install in {folder}); this page reloads when it is ready.";
            var refresh = install.Error is null ? "<meta http-equiv=\"refresh\" content=\"3\">" : "";
            return Results.Content(
                $"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">{refresh}<title>FlowEngine designer</title></head>" +
                $"<body style=\"font-family:sans-serif;margin:3em\"><h1>FlowEngine designer</h1><p id=\"designer-status\">{WebUtility.HtmlEncode(message)}</p></body></html>",
                "text/html; charset=utf-8", statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        var page = Path.Combine(folder, "index.html");
        context.Response.Headers.CacheControl = "no-cache";
        return Results.File(page, "text/html; charset=utf-8");
    }

    /// <summary>Our own top-level files first, then the package's; never anything outside those two folders.</summary>
    private static string? Resolve(string folder, string relative)
    {
        if (relative.Contains("..", StringComparison.Ordinal) || relative.Contains(':', StringComparison.Ordinal))
        {
            return null;
        }

        if (!relative.Contains('/', StringComparison.Ordinal) && OwnExtensions.Contains(Path.GetExtension(relative), StringComparer.OrdinalIgnoreCase))
        {
            var own = Path.Combine(folder, relative);
            if (File.Exists(own))
            {
                return own;
            }
        }

        var package = DesignerInstaller.PackageFolder(folder);
        var candidate = Path.GetFullPath(Path.Combine(package, relative));
        return candidate.StartsWith(package + Path.DirectorySeparatorChar, StringComparison.Ordinal) && File.Exists(candidate) ? candidate : null;
    }
}
