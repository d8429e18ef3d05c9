using System.Net;
using System.Text.RegularExpressions;

namespace FlowEngine.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed partial class AdminPagesTests(ServerFixture server)
{
    private static readonly string[] Pages = ["index.html", "profiles.html", "aliases.html", "candidates.html", "reconciliation.html"];

    [Fact]
    public async Task Pages_AreServedWithoutAKey_WithTheirScriptsAndStyles()
    {
        using var browser = server.Client(null);
        using var root = await browser.GetAsync("/admin");
        Assert.Equal(HttpStatusCode.OK, root.StatusCode);
        Assert.Equal("/admin/", root.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("<script src=\"admin.js\">", await root.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("sessionStorage", await browser.GetStringAsync("/admin/admin.js"), StringComparison.Ordinal);

        foreach (var page in Pages)
        {
            using var response = await browser.GetAsync($"/admin/{page}");
            var html = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{page}: {(int)response.StatusCode}");
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("default-src 'self'", string.Join(" ", response.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
            Assert.DoesNotContain("style=", html, StringComparison.Ordinal);
            var assets = Asset().Matches(html).Select(m => m.Groups["url"].Value).ToList();
            Assert.Contains("admin.js", assets);
            Assert.Contains("admin.css", assets);
            Assert.Contains("favicon.svg", assets);
            foreach (var asset in assets)
            {
                using var file = await browser.GetAsync($"/admin/{asset}");
                Assert.True(file.StatusCode == HttpStatusCode.OK, $"{page} links {asset}, which answers {(int)file.StatusCode}");
                Assert.Equal(Path.GetExtension(asset) switch { ".js" => "text/javascript", ".css" => "text/css", _ => "image/svg+xml" }, file.Content.Headers.ContentType?.MediaType);
            }
        }

        using var missing = await browser.GetAsync("/admin/nothing.html");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task EveryApiCallOfThePages_ResolvesToAMappedEndpoint_ThatTheSignedInRoleReaches()
    {
        using var browser = server.Client(null);
        var endpoints = MappedEndpoints.Of(server.App);
        var scripts = Endpoints.AdminPages.Names.Where(n => n.EndsWith(".js", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, scripts.Count);
        var calls = new List<(string Script, string Method, string Path)>();
        foreach (var script in scripts)
        {
            var text = await browser.GetStringAsync($"/admin/{script}");
            calls.AddRange(ApiCall().Matches(text).Select(m => (script, m.Groups["method"].Value, m.Groups["path"].Value)));
        }

        Assert.True(calls.Count >= 30, $"only {calls.Count} API calls found in the pages' scripts");
        var unresolved = new List<string>();
        foreach (var (script, method, template) in calls)
        {
            var path = Interpolation().Replace(template, "x").Split('?')[0];
            if (!endpoints.Any(e => e.Methods.Contains(method) && MappedEndpoints.Matches(e.Route, path)))
            {
                unresolved.Add($"{script}: {method} {template}");
            }
        }

        Assert.True(unresolved.Count == 0, "calls to no endpoint:\n" + string.Join("\n", unresolved));
        Assert.Contains(calls, c => c.Path.EndsWith("/consent", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.Path.EndsWith("/validate", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.Path.EndsWith("/publish", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.Path.Contains("/attachments", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.Path.StartsWith("/api/candidates", StringComparison.Ordinal));
        Assert.Contains(calls, c => c.Path.StartsWith("/api/reconciliation", StringComparison.Ordinal));

        // Every GET the pages make answers a viewer (the pages load with any key).
        using var viewer = server.Client(Auth.Roles.Viewer);
        foreach (var (script, _, template) in calls.Where(c => c.Method == "GET" && !c.Path.Contains("${", StringComparison.Ordinal)).Distinct())
        {
            using var response = await viewer.GetAsync(template.Replace("${query}", "", StringComparison.Ordinal));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{script}: GET {template} answers {(int)response.StatusCode}");
        }
    }

    [GeneratedRegex(@"(?:src|href)=""(?<url>[a-z]+\.(?:js|css|svg))""")]
    private static partial Regex Asset();

    [GeneratedRegex(@"api\('(?<method>GET|POST|PUT|PATCH|DELETE)',\s*`(?<path>[^`]+)`")]
    private static partial Regex ApiCall();

    [GeneratedRegex(@"\$\{[^}]*\}")]
    private static partial Regex Interpolation();
}
