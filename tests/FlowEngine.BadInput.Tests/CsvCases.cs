using System.Text;

namespace FlowEngine.BadInput.Tests;

/// <summary>A bad user CSV attached to the Roadmunk profile, and what the refusal must say.</summary>
/// <param name="Name">What is wrong.</param>
/// <param name="FileName">The file's name, which the message must name.</param>
/// <param name="Content">The file's bytes.</param>
/// <param name="Status">The status of the attach request.</param>
/// <param name="Expect">Fragments the message must contain, separated by <c>|</c>.</param>
/// <param name="AlsoInDownload">Whether the case is also stored behind the API's back, to check the download refuses it too.</param>
public sealed record CsvCase(string Name, string FileName, byte[] Content, int Status, string Expect, bool AlsoInDownload = true)
{
    public override string ToString() => Name;
}

/// <summary>The corpus of bad user CSVs.</summary>
internal static class CsvCases
{
    private const string Header = "First Name,Last Name,Email,Role,Status,Last Login,Date Added";
    private const string Row = "Ana,Lopez,ana.lopez@acme.example.com,Editor,Active,2026-11-01T10:00:00Z,2025-01-01T00:00:00Z";

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    private static readonly Lazy<byte[]> Fifty = new(() =>
    {
        var text = new StringBuilder(Header).Append('\n');
        while (text.Length < 50 * 1024 * 1024)
        {
            text.Append(Row).Append('\n');
        }

        return Utf8(text.ToString());
    });

    public static IReadOnlyList<CsvCase> All { get; } =
    [
        new("empty file", "empty.csv", [], 400, "empty.csv is empty"),
        new("only blank lines", "blank.csv", Utf8("\n\n  \n"), 400, "blank.csv is empty"),
        new("no header row", "noheader.csv", Utf8(Row + "\n" + Row.Replace("ana", "bo", StringComparison.Ordinal) + "\n"), 400, "noheader.csv|no column 'email'|line 1|first line must name the columns"),
        new("missing required column Status", "nostatus.csv", Utf8("First Name,Last Name,Email,Role\nAna,Lopez,ana@acme.example.com,Editor\n"), 400, "nostatus.csv|no column 'status'"),
        new("semicolon-separated export", "semicolon.csv", Utf8("Email;Status\nana@acme.example.com;Active\n"), 400, "semicolon.csv|no column 'email'"),
        new("binary file (a PNG)", "users.png", [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52], 400, "users.png line 1|not text"),
        new("Latin-1 instead of UTF-8", "latin1.csv", [.. Utf8(Header + "\n"), .. Encoding.Latin1.GetBytes("Jos\u00e9,Lopez,jose@acme.example.com,Editor,Active,,\n")], 400, "latin1.csv line 2, column 4|not UTF-8"),
        new("unterminated quote", "quote.csv", Utf8(Header + "\n" + Row + "\n\"Bo,Smith,bo@acme.example.com,Editor,Active,,\n"), 400, "quote.csv line 3, column 1|never closed"),
        new("stray quote inside a field", "stray.csv", Utf8(Header + "\nAna,Lo\"pez,ana@acme.example.com,Editor,Active,,\n"), 400, "stray.csv line 2, column 7|quote inside a field"),
        new("duplicate column", "dupe.csv", Utf8("Email,Status,E-mail\nana@acme.example.com,Active,x\n"), 400, "dupe.csv line 1, column 3|'E-mail' appears twice|column 1"),
        new("empty column name", "gap.csv", Utf8("Email,,Status\nana@acme.example.com,x,Active\n"), 400, "gap.csv line 1, column 2|empty column name"),
        new("a date that is not a date", "dates.csv", Utf8(Header + "\n" + Row + "\n" + Row.Replace("2026-11-01T10:00:00Z", "last tuesday", StringComparison.Ordinal) + "\n"), 400, "dates.csv|line 3|column 6|last_login"),
        new("50 MB file", "huge.csv", Fifty.Value, 413, "huge.csv is 50.0 MB|at most 20 MB", AlsoInDownload: false),
    ];
}
