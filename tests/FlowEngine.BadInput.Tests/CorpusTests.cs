using Xunit.Abstractions;

namespace FlowEngine.BadInput.Tests;

/// <summary>The corpus itself: at least 100 new cases across the doors besides flow files, every one named once.</summary>
public sealed class CorpusTests(ITestOutputHelper output)
{
    [Fact]
    public void Corpus_HasAtLeast100NewCases_WithUniqueNames()
    {
        var doors = new (string Door, IReadOnlyList<string> Names)[]
        {
            ("server API bodies", ApiCases.All.Select(c => c.Name).ToList()),
            ("CLI arguments", CliCases.All.Select(c => c.Name).ToList()),
            ("CSV attachments", CsvCases.All.Select(c => c.Name).ToList()),
            ("Roadmunk GraphQL answers", VendorAnswerCases.GraphQL.Select(c => c.Name).ToList()),
            ("PagerDuty REST answers", VendorAnswerCases.Rest.Select(c => c.Name).ToList()),
        };
        foreach (var (door, names) in doors)
        {
            output.WriteLine($"{door}: {names.Count} case(s)");
            Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        }

        var total = doors.Sum(d => d.Names.Count);
        output.WriteLine($"Reliability: bad input corpus: {total} case(s) across {doors.Length} doors, besides the flow-file corpus");
        Assert.True(total >= 100, $"the corpus has {total} cases; issue 6 asks for at least 100");
    }
}
