using System.Diagnostics;
using FlowEngine.Benchmarks;

namespace FlowEngine.Benchmarks.Tests;

/// <summary>
/// The harness's options: what each mode accepts, and a clear refusal (naming the option) for anything else, instead of
/// an exception's stack trace.
/// </summary>
public sealed class BenchOptionsTests
{
    [Fact]
    public void Runtime_reads_its_numbers_and_the_report_file()
    {
        var (options, output) = BenchOptions.Runtime(["--seconds", "5", "--clients", "2", "--warmup", "0", "--out", "runtime.md"]);

        Assert.Equal((5, 2, 0), (options.Seconds, options.Clients, options.Warmup));
        Assert.Equal("runtime.md", output);
        Assert.EndsWith("-- runtime --seconds 5 --clients 2 --warmup 0 --out runtime.md", options.Command, StringComparison.Ordinal);
    }

    [Fact]
    public void E2e_reads_sizes_with_separators_and_its_switches()
    {
        var (options, output) = BenchOptions.E2e(["--runs", "3", "--sizes", "1_000,10000", "--scenarios", "roadmunk-download", "--warm", "--jit", "--engine-records", "memory"]);

        Assert.Equal(3, options.Runs);
        Assert.Equal([1000, 10000], options.Sizes);
        Assert.Equal(["roadmunk-download"], options.Scenarios);
        Assert.True(options.Warm);
        Assert.False(options.ReadyToRun);
        Assert.Equal(["--records", "memory"], options.EngineArgs);
        Assert.Null(output);
    }

    [Theory]
    [InlineData("runtime", new[] { "--out" }, "--out needs a value")]
    [InlineData("runtime", new[] { "--seconds", "five" }, "--seconds takes a whole number of at least 1, not 'five'")]
    [InlineData("runtime", new[] { "--bogus", "1" }, "'--bogus' is not an option of runtime")]
    [InlineData("cold", new[] { "--runs", "0" }, "--runs takes a whole number of at least 1, not '0'")]
    [InlineData("cold", new[] { "--runs", "--out", "x.md" }, "--runs needs a value")]
    [InlineData("e2e", new[] { "--sizes", "1000,ten" }, "--sizes takes a whole number of at least 1, not 'ten'")]
    [InlineData("e2e", new[] { "--runs", "-1" }, "--runs takes a whole number of at least 1, not '-1'")]
    [InlineData("coldstart", new[] { "--cli" }, "--cli needs a value")]
    public void Bad_options_are_refused_by_name(string mode, string[] args, string message)
    {
        var refused = Assert.Throws<UsageException>(() =>
        {
            _ = mode switch
            {
                "runtime" => (object)BenchOptions.Runtime(args),
                "cold" => BenchOptions.Cold(args),
                "e2e" => BenchOptions.E2e(args),
                _ => BenchOptions.ColdStart(args),
            };
        });

        Assert.Equal(message, refused.Message);
    }

    [Fact]
    public async Task A_bad_option_ends_the_process_with_code_2_and_the_usage_not_a_stack_trace()
    {
        using var process = Process.Start(new ProcessStartInfo(Locations.DotnetHost)
        {
            ArgumentList = { Locations.BenchmarksDll, "runtime", "--out" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await output;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);

        Assert.Equal(2, process.ExitCode);
        Assert.StartsWith("--out needs a value", error, StringComparison.Ordinal);
        Assert.Contains("usage: dotnet run -c Release --project bench/FlowEngine.Benchmarks", error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }
}
