using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FlowEngine.Durability.Tests;

/// <summary>
/// A real <c>flowengine serve</c> process on 127.0.0.1 over a SQLite file, started with a node name, short leases and
/// a fast recovery pass, so a test can kill it with SIGKILL (<see cref="KillHard"/>) and start another.
/// </summary>
internal sealed class ServerNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServerNode(Process process, int port)
    {
        _process = process;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromMinutes(5) };
    }

    public int Port { get; }

    public HttpClient Http { get; }

    /// <summary>What the process wrote so far (stdout and stderr).</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public static async Task<ServerNode> StartAsync(string folder, string? database, string node, string apiKey, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "flowengine.dll"));
        foreach (var arg in (database is null ? [] : new[] { "--db", database }).Concat(["serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("FLOWENGINE_STORE");
        info.Environment["FLOWENGINE_NODE"] = node;
        info.Environment["FLOWENGINE_LEASE_SECONDS"] = "2";
        info.Environment["FLOWENGINE_RECOVERY_SECONDS"] = "1";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var process = Process.Start(info)!;
        var server = new ServerNode(process, port);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        server.Http.DefaultRequestHeaders.Add("Authorization", $"ApiKey {apiKey}");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the server exited with {process.ExitCode}:\n{server.Output}");
            }

            try
            {
                if ((await server.Http.GetAsync("/health")).IsSuccessStatusCode)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the server did not answer /health within 60 s:\n{server.Output}");
    }

    /// <summary>SIGKILL: the process gets no chance to clean up, as with kill -9.</summary>
    public void KillHard()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Http.Dispose();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
