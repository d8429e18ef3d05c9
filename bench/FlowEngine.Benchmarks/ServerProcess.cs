using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using FlowEngine.Hosting;

namespace FlowEngine.Benchmarks;

/// <summary>
/// <c>dotnet flowengine.dll serve</c> as a child process in its own working folder (a copy of a flows folder, a new
/// SQLite file, no designer folder so no npm install runs), and the admin API key it prints on its first start
/// (kept in memory, never printed).
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private bool _disposed;
    private readonly TaskCompletionSource<string> _key = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServerProcess(Process process, string baseUrl, Stopwatch started, string folder)
    {
        WorkingFolder = folder;
        _process = process;
        BaseUrl = baseUrl;
        Started = started;
    }

    /// <summary>The server's working folder (flows/, flowengine.db).</summary>
    public string WorkingFolder { get; }

    /// <summary>e.g. http://127.0.0.1:41234</summary>
    public string BaseUrl { get; }

    /// <summary>Running since just before the process was started.</summary>
    public Stopwatch Started { get; }

    /// <summary>The admin API key of the new store (send <c>Authorization: ApiKey &lt;key&gt;</c>).</summary>
    public Task<string> AdminKey => _key.Task;

    /// <summary>Copies <paramref name="flows"/> into a new folder under <paramref name="work"/> and starts the server there.</summary>
    public static ServerProcess Start(string work, string flows)
    {
        var folder = Path.Combine(work, "server-" + Guid.NewGuid().ToString("N")[..8]);
        CopyFolder(flows, Path.Combine(folder, "flows"));
        var port = FreePort();
        var start = new ProcessStartInfo(Locations.DotnetHost)
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { Locations.CliDll, "serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--flows", "flows", "--db", Path.Combine(folder, "flowengine.db") })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["NO_COLOR"] = "1";
        // Measured as a first start on a machine: without the JIT profile an earlier graceful stop would have left.
        start.Environment[JitProfile.DirectoryVariable] = "off";
        var watch = Stopwatch.StartNew();
        var process = new Process { StartInfo = start };
        var server = new ServerProcess(process, $"http://127.0.0.1:{port}", watch, folder);
        process.OutputDataReceived += (_, e) => server.Read(e.Data);
        process.ErrorDataReceived += (_, e) => server.Read(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return server;
    }

    /// <summary>Polls <c>/health</c> until it answers 200; returns the milliseconds since start.</summary>
    public async Task<double> WaitReadyAsync(HttpClient http, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(http);
        while (Started.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"the server exited {_process.ExitCode}: {Output()}");
            }

            try
            {
                using var response = await http.GetAsync(BaseUrl + "/health");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return Started.Elapsed.TotalMilliseconds;
                }
            }
            catch (HttpRequestException)
            {
                // not listening yet
            }

            await Task.Delay(5);
        }

        throw new TimeoutException($"the server did not answer /health within {timeout}: {Output()}");
    }

    /// <summary>What the server printed, with the admin key blanked.</summary>
    public string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void Read(string? line)
    {
        if (line is null)
        {
            return;
        }

        const string Marker = "admin API key (shown once, keep it):";
        var at = line.IndexOf(Marker, StringComparison.Ordinal);
        if (at >= 0)
        {
            _key.TrySetResult(line[(at + Marker.Length)..].Trim());
            line = line[..at] + Marker + " ********";
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Copies a folder with everything below it.</summary>
    public static void CopyFolder(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
