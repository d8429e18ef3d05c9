using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using FlowEngine.Hosting;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Benchmarks;

/// <summary>
/// Two-step executions per minute with full step records on SQLite: through the runtime API (<c>FlowRunner</c> over
/// the EF store, composed as the CLI does) and through an HTTP trigger on the real server (<c>flowengine serve</c> as a
/// child process, concurrent loopback HttpClient clients). Latency is request → outputs back (the flow completes
/// within it), so the start latency is at most that.
/// </summary>
public static class RuntimeThroughput
{
    /// <summary>The two-step flow both paths run.</summary>
    public const string Flow = """
        kind: flow
        id: bench.two_steps
        version: 1
        description: Two steps (a set and the outputs), started by the runtime API or POST /flows/http/bench/two-steps.
        triggers:
          - manual: {}
          - http: { path: bench/two-steps, method: POST }
        inputs:
          n: { type: integer, default: 1 }
        outputs:
          doubled: { type: integer }
        steps:
          - id: double
            set: { doubled: "{{ inputs.n * 2 }}" }
          - outputs:
              doubled: "{{ vars.doubled }}"
        """;

    /// <summary>Options of the runtime mode.</summary>
    public sealed record Options(int Seconds = 20, int Clients = 4, int Warmup = 100, string Command = "dotnet run -c Release --project bench/FlowEngine.Benchmarks -- runtime");

    /// <summary>Runs both measurements; returns the Markdown report.</summary>
    public static async Task<string> RunAsync(Options options, TextWriter progress)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(progress);
        var header = MachineInfo.Header(options.Command);
        var work = Path.Combine(Path.GetTempPath(), "flowengine-bench", "runtime-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        var flows = Path.Combine(work, "flows");
        Directory.CreateDirectory(Path.Combine(flows, "bench"));
        await File.WriteAllTextAsync(Path.Combine(flows, "bench", "two_steps.yaml"), Flow);

        progress.WriteLine($"runtime API: {options.Clients} concurrent callers for {options.Seconds} s");
        var api = await ApiAsync(options, work, flows);
        progress.WriteLine(Describe("runtime API", api));
        progress.WriteLine($"HTTP trigger: {options.Clients} concurrent clients for {options.Seconds} s");
        var http = await HttpAsync(options, work, flows);
        progress.WriteLine(Describe("HTTP trigger", http));

        var md = new StringBuilder();
        md.Append(header);
        md.AppendLine(CultureInfo.InvariantCulture, $"- flow: `bench.two_steps` (a `set` and an `outputs` step); {options.Clients} concurrent callers, {options.Seconds} s each after {options.Warmup} warm-up executions; every execution and its step records written to a new SQLite file");
        md.AppendLine("- latency: from the call (or request) to the outputs back; an execution's start is within it");
        md.AppendLine();
        md.AppendLine("| path | executions | executions/min | p50 latency (ms) | p99 latency (ms) | step records per execution | ≥ 10,000/min | p99 < 50 ms |");
        md.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |");
        md.AppendLine(Row("runtime API (`FlowRunner`, EF store on SQLite)", api));
        md.AppendLine(Row("HTTP trigger (`flowengine serve`, loopback HttpClient)", http));
        return md.ToString();
    }

    /// <summary>Measured executions, elapsed time, latencies, and step records found in the store afterwards.</summary>
    public sealed record Result(int Executions, double Seconds, IReadOnlyList<double> Latencies, double StepRecordsPerExecution)
    {
        /// <summary>Executions per minute.</summary>
        public double PerMinute => Executions / Seconds * 60;

        /// <summary>A percentile of the latencies (nearest rank).</summary>
        public double Percentile(double p)
        {
            var sorted = Latencies.Order().ToList();
            return sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p / 100 * sorted.Count) - 1, 0, sorted.Count - 1)];
        }
    }

    private static async Task<Result> ApiAsync(Options options, string work, string flows)
    {
        var engine = await Engine.OpenAsync(Path.Combine(work, "api.db"), CancellationToken.None, flows);
        var (load, _) = await engine.LoadAsync([flows], CancellationToken.None);
        if (Engine.Errors(load.Diagnostics).FirstOrDefault() is { } error)
        {
            throw new InvalidOperationException(error.ToString());
        }

        var runner = await engine.RunnerAsync(CancellationToken.None);
        var definition = runner.Definitions.Find("bench.two_steps", null) ?? throw new InvalidOperationException("bench.two_steps did not load");
        async Task<double> OnceAsync()
        {
            var watch = Stopwatch.StartNew();
            var result = await runner.RunAsync(definition, new Dictionary<string, object?> { ["n"] = 21L }, new Runtime.Execution.RunOptions { TriggeredBy = "bench" }, CancellationToken.None);
            if (result.Record.Status != Runtime.Records.ExecutionStatus.Completed)
            {
                throw new InvalidOperationException($"the execution failed: {result.Record.Error}");
            }

            return watch.Elapsed.TotalMilliseconds;
        }

        var result = await LoadAsync(options, OnceAsync);
        await using var db = engine.Store.CreateContext();
        var executions = await db.Executions.CountAsync();
        var steps = await db.StepRecords.CountAsync();
        return result with { StepRecordsPerExecution = (double)steps / executions };
    }

    private static async Task<Result> HttpAsync(Options options, string work, string flows)
    {
        await using var server = ServerProcess.Start(work, flows);
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = options.Clients * 2 }) { Timeout = TimeSpan.FromSeconds(60) };
        await server.WaitReadyAsync(http, TimeSpan.FromSeconds(60));
        var key = await server.AdminKey.WaitAsync(TimeSpan.FromSeconds(10));
        var url = server.BaseUrl + "/flows/http/bench/two-steps";
        async Task<double> OnceAsync()
        {
            var watch = Stopwatch.StartNew();
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent("{\"n\":21}", Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode || !body.Contains("42", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"POST {url} answered {(int)response.StatusCode}: {body}");
            }

            return watch.Elapsed.TotalMilliseconds;
        }

        var result = await LoadAsync(options, OnceAsync);
        await server.DisposeAsync();
        var stepsPerExecution = await StepsPerExecutionAsync(Path.Combine(server.WorkingFolder, "flowengine.db"));
        return result with { StepRecordsPerExecution = stepsPerExecution };
    }

    private static async Task<double> StepsPerExecutionAsync(string db)
    {
        await using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Mode=ReadOnly;Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT (SELECT count(*) FROM step_records) * 1.0 / (SELECT count(*) FROM executions WHERE DefinitionId = 'bench.two_steps')";
        return Convert.ToDouble(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

    /// <summary>Warm-up calls, then <see cref="Options.Clients"/> loops for <see cref="Options.Seconds"/>.</summary>
    private static async Task<Result> LoadAsync(Options options, Func<Task<double>> once)
    {
        for (var i = 0; i < options.Warmup; i++)
        {
            await once();
        }

        var latencies = new ConcurrentBag<double>();
        var watch = Stopwatch.StartNew();
        var until = TimeSpan.FromSeconds(options.Seconds);
        var clients = Enumerable.Range(0, options.Clients).Select(_ => Task.Run(async () =>
        {
            while (watch.Elapsed < until)
            {
                latencies.Add(await once());
            }
        }));
        await Task.WhenAll(clients);
        watch.Stop();
        return new Result(latencies.Count, watch.Elapsed.TotalSeconds, [.. latencies], 0);
    }

    private static string Describe(string name, Result r) => FormattableString.Invariant(
        $"  {name}: {r.Executions} executions in {r.Seconds:0.0} s = {r.PerMinute:N0}/min, p50 {r.Percentile(50):0.0} ms, p99 {r.Percentile(99):0.0} ms, {r.StepRecordsPerExecution:0.##} step records each");

    private static string Row(string name, Result r) => FormattableString.Invariant(
        $"| {name} | {r.Executions:N0} | {r.PerMinute:N0} | {r.Percentile(50):0.0} | {r.Percentile(99):0.0} | {r.StepRecordsPerExecution:0.##} | {(r.PerMinute >= 10_000 ? "met" : "**missed**")} | {(r.Percentile(99) < 50 ? "met" : "**missed**")} |");
}
