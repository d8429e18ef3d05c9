using Xunit.Abstractions;

namespace FlowEngine.BadInput.Tests;

/// <summary>The figures each door prints: cases, and how many were answered clearly without changing data.</summary>
internal static class Figures
{
    public static void Report(ITestOutputHelper output, string door, int cases, int clear) =>
        output.WriteLine($"Reliability: bad input through {door}: {cases} case(s), {clear} answered clearly with no data changed, {cases - clear} not");
}
