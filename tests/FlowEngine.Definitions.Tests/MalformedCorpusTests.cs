using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using FlowEngine.Definitions.Reading;
using FlowEngine.Definitions.StepTypes;
using FlowEngine.Definitions.Validation;
using FlowEngine.Tests.Shared;

namespace FlowEngine.Definitions.Tests;

/// <summary>
/// Broken flow files under Corpus/malformed must each come out as diagnostics with a code and a real position,
/// never as an exception. A case is a file in that folder, or a subfolder loaded as one set (a call cycle, or a call
/// that needs its callee). A YAML case starts with <c># expect: FE1001 7:5</c> (code, line, optional column, and
/// optionally a quoted text the message contains); a JSON case has the same text in <c>&lt;name&gt;.expect</c>.
/// In a subfolder, the files that start with <c># expect:</c> hold the expectations; the others are support files.
/// </summary>
public sealed partial class MalformedCorpusTests
{
    private static readonly string CorpusRoot =
        Path.Combine(TestPaths.RepositoryRoot, "tests", "FlowEngine.Definitions.Tests", "Corpus", "malformed");

    private static readonly string[] FlowExtensions = [".yaml", ".yml", ".json"];

    private static FlowLoader NewLoader() => new(StepTypeCatalog.CreateDefault());

    public static TheoryData<string> Cases
    {
        get
        {
            var data = new TheoryData<string>();
            foreach (var name in FindCases())
            {
                data.Add(name);
            }

            return data;
        }
    }

    private static List<string> FindCases() =>
        Directory.EnumerateFiles(CorpusRoot)
            .Where(f => FlowExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Select(f => Path.GetFileName(f))
            .Concat(Directory.EnumerateDirectories(CorpusRoot).Select(d => Path.GetFileName(d) + "/"))
            .Order(StringComparer.Ordinal)
            .ToList();

    private sealed record Expectation(string File, string Code, int Line, int? Column, string? Text)
    {
        public override string ToString() =>
            $"{Path.GetFileName(File)}: {Code} at {Line}{(Column is null ? "" : $":{Column}")}{(Text is null ? "" : $" with \"{Text}\"")}";
    }

    [GeneratedRegex("""^(?<code>FE[0-9]{4}) (?<line>[0-9]+)(:(?<column>[0-9]+))?( "(?<text>[^"]+)")?$""")]
    private static partial Regex ExpectationPattern();

    private const string CommentPrefix = "# expect: ";

    private static Expectation Parse(string file, string spec)
    {
        var match = ExpectationPattern().Match(spec.Trim());
        Assert.True(match.Success, $"{file}: bad expectation '{spec}'; write e.g. 'FE1001 7:5' or 'FE1001 7 \"did you mean\"'");
        return new Expectation(
            file,
            match.Groups["code"].Value,
            int.Parse(match.Groups["line"].Value, System.Globalization.CultureInfo.InvariantCulture),
            match.Groups["column"].Success ? int.Parse(match.Groups["column"].Value, System.Globalization.CultureInfo.InvariantCulture) : null,
            match.Groups["text"].Success ? match.Groups["text"].Value : null);
    }

    /// <summary>The expectation of one file, or null when it has none (support files inside a folder case).</summary>
    private static Expectation? ExpectationOf(string file)
    {
        if (Path.GetExtension(file).Equals(".json", StringComparison.OrdinalIgnoreCase))
        {
            var sidecar = Path.ChangeExtension(file, ".expect");
            return File.Exists(sidecar) ? Parse(file, File.ReadAllText(sidecar)) : null;
        }

        var first = File.ReadLines(file).FirstOrDefault() ?? "";
        return first.StartsWith(CommentPrefix, StringComparison.Ordinal) ? Parse(file, first[CommentPrefix.Length..]) : null;
    }

    private static List<Expectation> ExpectationsOf(string path)
    {
        if (Directory.Exists(path))
        {
            var expectations = FlowLoader.FindFiles([path]).Select(ExpectationOf).OfType<Expectation>().ToList();
            Assert.True(expectations.Count > 0, $"{path}: no file in this folder case starts with '{CommentPrefix}'");
            return expectations;
        }

        var expectation = ExpectationOf(path);
        Assert.True(expectation is not null,
            $"{path}: a case needs an expectation: a first line '{CommentPrefix}FE1001 7:5' (YAML) or a {Path.GetFileNameWithoutExtension(path)}.expect file (JSON)");
        return [expectation];
    }

    private static string Full(string file) => Path.GetFullPath(file);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Load_MalformedCase_ReportsTheExpectedDiagnosticAtItsPosition(string name)
    {
        var path = Path.Combine(CorpusRoot, name.TrimEnd('/'));
        var expectations = ExpectationsOf(path);
        var caseFiles = FlowLoader.FindFiles([path]).Select(Full).ToHashSet(StringComparer.Ordinal);

        LoadResult? result = null;
        var exception = Record.Exception(() => result = NewLoader().Load([path]));
        Assert.True(exception is null, $"an exception escaped the loader: {exception}");
        Assert.NotNull(result);
        var all = string.Join("\n", result.Diagnostics);

        Assert.True(result.Diagnostics.Any(d => d.Severity == Severity.Error), $"no error reported; diagnostics:\n{all}");
        foreach (var expected in expectations)
        {
            var atPosition = result.Diagnostics
                .Where(d => Full(d.File) == Full(expected.File) && d.Code == expected.Code && d.Line == expected.Line)
                .Where(d => expected.Column is null || d.Column == expected.Column)
                .ToList();
            Assert.True(atPosition.Count > 0, $"expected {expected}; got:\n{all}");
            Assert.Contains(atPosition, d => d.Severity == Severity.Error);
            if (expected.Text is not null)
            {
                Assert.True(atPosition.Any(d => d.Message.Contains(expected.Text, StringComparison.Ordinal)),
                    $"expected {expected}; the message at that position says:\n{string.Join("\n", atPosition)}");
            }

            // A file with an error is never handed out as a usable definition.
            Assert.DoesNotContain(result.Definitions, d => Full(d.SourceFile) == Full(expected.File));
        }

        foreach (var d in result.Diagnostics)
        {
            Assert.False(string.IsNullOrWhiteSpace(d.File), $"diagnostic without a file: {d}");
            Assert.True(caseFiles.Contains(Full(d.File)), $"diagnostic names a file outside the case: {d}");
            Assert.True(d.Line >= 1 && d.Column >= 1, $"diagnostic without a position: {d}");
            var lines = File.ReadAllText(Full(d.File)).Split('\n').Length;
            Assert.True(d.Line <= lines, $"diagnostic points past the end of the file ({lines} lines): {d}");
            Assert.True(d.Message.Length >= 15, $"message too short to help: {d}");
            Assert.DoesNotContain("Exception", d.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("   at ", d.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Corpus_HoldsEnoughCases_AndEveryExpectFileBelongsToAJsonCase()
    {
        var cases = FindCases();
        Assert.True(cases.Count >= 30, $"the malformed corpus holds only {cases.Count} cases");
        Assert.True(cases.Count(c => c.EndsWith(".json", StringComparison.OrdinalIgnoreCase)) >= 5, "the corpus needs at least 5 JSON cases");
        foreach (var sidecar in Directory.EnumerateFiles(CorpusRoot, "*.expect", SearchOption.AllDirectories))
        {
            Assert.True(File.Exists(Path.ChangeExtension(sidecar, ".json")), $"{sidecar} has no matching .json case");
        }
    }

    [Fact]
    public void UnknownParameterType_IsReportedOnce_NotAgainWhereTheInputIsUsed()
    {
        var result = NewLoader().Load([Path.Combine(CorpusRoot, "type_unknown_name.yaml")]);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(Codes.InvalidValue, d.Code);
    }

    // ---- Generated inputs: too big to commit, or built to a size that depends on the limits. ----

    private static ReadResult Read(string file, string text) => new DefinitionReader(StepTypeCatalog.CreateDefault()).Read(file, text);

    private static string HugeYaml(int minimumBytes, string message)
    {
        var sb = new StringBuilder("kind: flow\nid: demo.huge\nversion: 1\nsteps:\n");
        var bytes = Encoding.UTF8.GetByteCount(sb.ToString());
        for (var i = 0; bytes <= minimumBytes; i++)
        {
            var step = $"  - id: s{i}\n    log: {message}\n";
            sb.Append(step);
            bytes += Encoding.UTF8.GetByteCount(step);
        }

        return sb.ToString();
    }

    [Fact]
    public void HugeFile_OverTheSizeLimit_IsTooLarge_FromDisk()
    {
        var folder = TestPaths.TempFolder();
        var file = Path.Combine(folder, "huge.yaml");
        LoadResult result;
        try
        {
            File.WriteAllText(file, HugeYaml(SourceTreeReader.MaxFileBytes, "hello"));
            Assert.True(new FileInfo(file).Length > 2 * 1024 * 1024);
            result = NewLoader().Load([file]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((Codes.TooLarge, Severity.Error, 1, 1), (d.Code, d.Severity, d.Line, d.Column));
        Assert.Equal(Full(file), Full(d.File));
        Assert.Contains("limited to 2 MiB", d.Message, StringComparison.Ordinal);
        Assert.Empty(result.Definitions);
    }

    [Fact]
    public void HugeFile_OfMultiByteCharacters_IsMeasuredInBytesNotCharacters()
    {
        // Fewer than 2 Mi characters, but more than 2 MiB as UTF-8 (each 'é' is two bytes).
        var text = HugeYaml(SourceTreeReader.MaxFileBytes, new string('é', 40));
        Assert.True(text.Length < SourceTreeReader.MaxFileBytes);

        var result = Read("huge.yaml", text);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal((Codes.TooLarge, 1, 1), (d.Code, d.Line, d.Column));
        Assert.Null(result.Definition);
    }

    [Fact]
    public void WideMapping_JustUnderTheSizeLimit_IsReadInSeconds()
    {
        // One mapping with ~130,000 keys: duplicate-key checks must not compare every key with every other.
        var sb = new StringBuilder("kind: subflow\nid: demo.wide\nversion: 1\nsteps:\n  - set:\n");
        for (var i = 0; sb.Length < SourceTreeReader.MaxFileBytes - 100; i++)
        {
            sb.Append("      k").Append(i).Append(": 1\n");
        }

        var clock = Stopwatch.StartNew();
        var result = NewLoader().LoadTexts([("wide.yaml", sb.ToString())]);
        clock.Stop();

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics.Take(5)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"reading took {clock.Elapsed}");
    }

    public static TheoryData<string, string, string, string, string, string> DeepShapes => new()
    {
        // file, text before the nesting (its last line holds the first opener), one level's opener, the innermost
        // value, one level's closer, and the text after the nesting.
        { "deep_lists.yaml", "kind: flow\nid: demo.deep\nversion: 1\nsteps:\n  - set:\n      x: ", "[", "", "]", "\n" },
        { "deep_mappings.yaml", "kind: flow\nid: demo.deep\nversion: 1\nsteps:\n  - set:\n      x: ", "{a: ", "1", "}", "\n" },
        { "deep_block_lists.yaml", "kind: flow\nid: demo.deep\nversion: 1\nsteps:\n  - set:\n      x:\n        ", "- ", "x", "", "\n" },
        { "deep_arrays.json", """{"kind": "flow", "id": "demo.deep", "version": 1, "steps": [{"set": {"x": """, "[", "", "]", "}}]}" },
        { "deep_objects.json", """{"kind": "flow", "id": "demo.deep", "version": 1, "steps": [{"set": {"x": """, """{"a": """, "1", "}", "}}]}" },
    };

    [Theory]
    [MemberData(nameof(DeepShapes))]
    public void DeeplyNestedFile_IsTooLarge_AtTheFirstLevelPastTheLimit_WithoutOverflowingTheStack(
        string file, string prefix, string open, string inner, string close, string suffix)
    {
        const int levels = 5000;
        var text = prefix + string.Concat(Enumerable.Repeat(open, levels)) + inner + string.Concat(Enumerable.Repeat(close, levels)) + suffix;

        // A small stack: a reader that recursed once per level would overflow here rather than pass by luck.
        ReadResult? result = null;
        Exception? escaped = null;
        var thread = new Thread(() => escaped = Record.Exception(() => result = Read(file, text)), 256 * 1024);
        thread.Start();
        thread.Join();

        Assert.Null(escaped);
        Assert.NotNull(result);
        Assert.Null(result.Definition);
        var d = Assert.Single(result.Diagnostics);
        Assert.Equal(Codes.TooLarge, d.Code);
        Assert.Contains($"deeper than {SourceTreeReader.MaxDepth} levels", d.Message, StringComparison.Ordinal);

        // Four containers enclose the value (the definition, steps, the step, set), so the first level past the
        // limit is opener number MaxDepth - 4 + 1 on the last line of the prefix.
        var lastLine = prefix[(prefix.LastIndexOf('\n') + 1)..];
        Assert.Equal(prefix.Count(c => c == '\n') + 1, d.Line);
        Assert.Equal(lastLine.Length + ((SourceTreeReader.MaxDepth - 4) * open.Length) + 1, d.Column);
    }
}
