using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using FlowEngine.Hosting;

namespace FlowEngine.Benchmarks;

/// <summary>
/// Cold starts beyond <c>validate</c>: the server until <c>/health</c> answers, and the first execution, both as
/// <c>flowengine run demo.idle_report</c> (a fresh process and store) and as an HTTP trigger sent the moment a fresh
/// server is ready. Every sample is a new process with a new SQLite file (so the store is created and migrated, the
/// shipped flows registered, and an admin key made: a first start).
/// </summary>
public static class ColdServer
{
    /// <summary>Options of the cold mode.</summary>
    public sealed record Options(int Runs = 10, string Command = "dotnet run -c Release --project bench/FlowEngine.Benchmarks -- cold");

    /// <summary>Runs validate (via <see cref="ColdStart"/>), server and first-execution cold starts; returns Markdown.</summary>
    public static async Task<string> RunAsync(Options options, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        var header = MachineInfo.Header(options.Command);
        var validate = ColdStart.Run(new ColdStart.Options(Runs: options.Runs), progress);
        var work = Path.Combine(Path.GetTempPath(), "flowengine-bench", "cold-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        Directory.CreateDirectory(work);
        var flows = Path.Combine(Locations.RepositoryRoot, "flows");
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };

        var ready = new List<double>();
        var trigger = new List<double>();
        var run = new List<double>();
        for (var i = 0; i < options.Runs; i++)
        {
            await using (var server = ServerProcess.Start(work, flows))
            {
                ready.Add(await server.WaitReadyAsync(http, TimeSpan.FromSeconds(60)));
            }

            await using (var server = ServerProcess.Start(work, flows))
            {
                await server.WaitReadyAsync(http, TimeSpan.FromSeconds(60));
                var key = await server.AdminKey.WaitAsync(TimeSpan.FromSeconds(10));
                using var request = new HttpRequestMessage(HttpMethod.Post, server.BaseUrl + "/flows/http/hello") { Content = new StringContent("{\"name\":\"Ana\"}", Encoding.UTF8, "application/json") };
                request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
                using var response = await http.SendAsync(request);
                var body = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode || !body.Contains("Hello Ana", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"the first trigger answered {(int)response.StatusCode}: {body}");
                }

                trigger.Add(server.Started.Elapsed.TotalMilliseconds);
            }

            var db = Path.Combine(work, $"run-{i}.db");
            var result = ChildProcess.Run(Locations.CliDll, ["run", "demo.idle_report", "-q", "--db", db], new Dictionary<string, string> { [JitProfile.DirectoryVariable] = "off" }, timeout: TimeSpan.FromSeconds(60));
            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException($"flowengine run demo.idle_report exited {result.ExitCode}: {result.Stderr}");
            }

            run.Add(result.ElapsedMs);
            progress.WriteLine(FormattableString.Invariant($"run {i + 1}/{options.Runs}: server ready {ready[^1]:0} ms, first trigger answered {trigger[^1]:0} ms, 'run demo.idle_report' {run[^1]:0} ms"));
        }

        var md = new StringBuilder();
        md.Append(header);
        md.AppendLine(CultureInfo.InvariantCulture, $"- {options.Runs} fresh processes each; every server and `run` starts on a new SQLite file (created, migrated, flows registered), without a JIT profile (`FLOWENGINE_JIT_PROFILE_DIR=off`: a first start on a machine)");
        md.AppendLine();
        md.AppendLine("| cold start | median (ms) | min (ms) | max (ms) | target | result |");
        md.AppendLine("| --- | ---: | ---: | ---: | --- | --- |");
        md.AppendLine(Row("`flowengine validate flows` (process)", validate.Validate, 1000));
        md.AppendLine(Row("`flowengine --version` (host start-up only, for scale)", validate.Baseline, null));
        md.AppendLine(Row("`flowengine serve` until `/health` answers 200", ready, 2000));
        md.AppendLine(Row("first execution: `flowengine run demo.idle_report -q` (process)", run, 2000));
        md.AppendLine(Row("first execution: `serve` start → first `POST /flows/http/hello` answered", trigger, 2000));
        return md.ToString();
    }

    private static string Row(string name, IReadOnlyList<double> samples, double? target)
    {
        var median = MachineInfo.Median(samples);
        var verdict = target is { } t ? (median < t ? "met" : "**missed**") : "";
        var goal = target is { } g ? FormattableString.Invariant($"< {g / 1000:0} s") : "";
        return FormattableString.Invariant($"| {name} | {median:0} | {samples.Min():0} | {samples.Max():0} | {goal} | {verdict} |");
    }
}
