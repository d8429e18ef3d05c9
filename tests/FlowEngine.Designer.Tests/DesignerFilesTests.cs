using System.Net;
using FlowEngine.Server.Designer;
using FlowEngine.Tests.Shared;

namespace FlowEngine.Designer.Tests;

/// <summary>/designer: the host page, the package's files with the right types, nothing outside; the installer's messages.</summary>
public sealed class DesignerFilesTests(DesignerServer server) : IClassFixture<DesignerServer>
{
    [Fact]
    public async Task ServesTheHostPageAndThePackageWithTheirTypesWithoutAKey()
    {
        await DesignerServer.EnsureDesignerAsync();
        using var anonymous = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = server.BaseAddress };
        using (var bare = await anonymous.GetAsync("/designer"))
        {
            Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
            Assert.Equal("/designer/", bare.Headers.Location!.ToString());
        }

        foreach (var page in new[] { "/designer/", "/designer/workflows/instances/0000/view" })
        {
            using var response = await anonymous.GetAsync(page);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType!.MediaType);
            var html = await response.Content.ReadAsStringAsync();
            Assert.Contains("<base href=\"/designer/\"/>", html, StringComparison.Ordinal);
            Assert.Contains("_framework/blazor.webassembly.js", html, StringComparison.Ordinal);
        }

        var framework = Path.Combine(DesignerInstaller.PackageFolder(DesignerServer.DesignerFolder), "_framework");
        var wasm = Path.GetFileName(Directory.EnumerateFiles(framework, "*.wasm").First());
        var dat = Path.GetFileName(Directory.EnumerateFiles(framework, "*.dat").First());
        foreach (var (path, type) in new[]
        {
            ("/designer/designer.js", "text/javascript"), ("/designer/designer.css", "text/css"),
            ("/designer/_framework/" + wasm, "application/wasm"), ("/designer/_framework/" + dat, "application/octet-stream"),
            ("/designer/_framework/blazor.webassembly.js", "text/javascript"), ("/designer/_content/MudBlazor/MudBlazor.min.css", "text/css"),
        })
        {
            using var response = await anonymous.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
            Assert.Equal(type, response.Content.Headers.ContentType!.MediaType);
        }

        foreach (var path in new[] { "/designer/missing.js", "/designer/..%2Fpackage.json", "/designer/_framework/..%2F..%2F..%2F..%2Fpackage.json" })
        {
            using var response = await anonymous.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
    }

    [Fact]
    public async Task SaysWhatToDoWhenNpmIsMissing()
    {
        var folder = TestPaths.TempFolder();
        try
        {
            var none = await DesignerInstaller.InstallAsync(folder, null, folder);
            Assert.False(none.Ready);
            Assert.Contains("has no package.json", none.Error, StringComparison.Ordinal);

            File.Copy(Path.Combine(DesignerServer.DesignerFolder, "package.json"), Path.Combine(folder, "package.json"));
            var noNpm = await DesignerInstaller.InstallAsync(folder, null, Path.Combine(folder, "empty-path"));
            Assert.False(noNpm.Ready);
            Assert.Contains("npm was not found on PATH", noNpm.Error, StringComparison.Ordinal);
            Assert.Contains("npm install", noNpm.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task AnInstallWaitsForOneRunningElsewhere_AndAHalfExtractedPackageIsNotInstalled()
    {
        var folder = TestPaths.TempFolder();
        try
        {
            File.Copy(Path.Combine(DesignerServer.DesignerFolder, "package.json"), Path.Combine(folder, "package.json"));
            var path = Path.Combine(folder, "bin");
            Directory.CreateDirectory(path);
            File.WriteAllText(Path.Combine(path, "npm"), "never run: the install found running elsewhere finishes the job");

            // Another process (a server, a test run) holds the folder's install lock while its npm install runs.
            var elsewhere = new FileStream(Path.Combine(folder, ".npm-install.lock"), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            var waiting = DesignerInstaller.InstallAsync(folder, null, path);
            await Task.Delay(TimeSpan.FromSeconds(1));
            Assert.False(waiting.IsCompleted);

            // Its npm has extracted the package's files but not finished: not installed yet.
            var framework = Path.Combine(DesignerInstaller.PackageFolder(folder), "_framework");
            Directory.CreateDirectory(framework);
            File.WriteAllText(Path.Combine(framework, "blazor.webassembly.js"), "");
            Assert.False(DesignerInstaller.IsInstalled(folder));

            // npm finishes (its hidden lockfile last) and lets go: the waiting install finds the package, runs nothing.
            File.WriteAllText(Path.Combine(folder, "node_modules", ".package-lock.json"), "{}");
            await elsewhere.DisposeAsync();
            var result = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(result.Ready, result.Error);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
