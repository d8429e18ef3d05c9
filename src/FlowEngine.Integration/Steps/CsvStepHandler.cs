using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.StepTypes;
using FlowEngine.Expressions;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Steps;

namespace FlowEngine.Integration.Steps;

/// <summary>
/// <c>csv: text</c>: parses CSV into rows keyed by header (CsvHelper). Declared columns are matched by name,
/// ignoring case, spaces and underscores (<c>last_login</c> finds "Last Login"), and converted to their types;
/// undeclared columns are kept as text under their own header.
/// </summary>
public sealed class CsvStepHandler : IStepHandler
{
    /// <summary>Most rows read from one CSV.</summary>
    public const int MaxRows = 1_000_000;

    /// <summary>The step type.</summary>
    public static readonly StepTypeDescriptor Type = new()
    {
        Keyword = "csv",
        Title = "Parse CSV",
        Category = "Integration",
        Description = "Parses CSV text (e.g. an attached user file) into typed rows by header name, case-insensitively; unknown columns are kept.",
        Primary = "csv",
        Properties =
        [
            new("csv", PropertyKind.Value, "The CSV text, with a header row.") { Required = true, ExpectedType = TypeSpec.String },
            new("columns", PropertyKind.Value, "Declared columns and their types: { email: string, last_login: datetime }.") { ExpectedType = TypeSpec.Object },
            new("required", PropertyKind.Value, "Columns that must be present, by declared name.") { ExpectedType = TypeSpec.Array },
            new("delimiter", PropertyKind.Value, "Field delimiter (default ',').") { ExpectedType = TypeSpec.String },
        ],
        Result = TypeSpec.Object,
    };

    /// <inheritdoc />
    public StepTypeDescriptor Descriptor => Type;

    /// <inheritdoc />
    public ValueTask<object?> ExecuteAsync(StepContext context)
    {
        var text = Values.ToText(context.Evaluate("csv"));
        var columns = (context.Evaluate("columns") as Dictionary<string, object?> ?? []).ToDictionary(c => c.Key, c => Values.ToText(c.Value), StringComparer.Ordinal);
        var required = (context.Evaluate("required") as System.Collections.IList)?.Cast<object?>().Select(Values.ToText).ToList() ?? [];
        var delimiter = context.Evaluate("delimiter") is { } d ? Values.ToText(d) : ",";
        var rows = Parse(text, columns, required, delimiter, context.Step.Id);
        context.RecordInputs(new Dictionary<string, object?> { ["length"] = (long)text.Length, ["columns"] = columns.ToDictionary(c => c.Key, c => (object?)c.Value) });
        return ValueTask.FromResult<object?>(new Dictionary<string, object?> { ["rows"] = rows, ["count"] = (long)rows.Count });
    }

    internal static List<object?> Parse(string text, IReadOnlyDictionary<string, string> columns, IReadOnlyList<string> required, string delimiter, string stepId)
    {
        var config = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            Delimiter = delimiter,
            DetectDelimiter = false,
            TrimOptions = TrimOptions.Trim,
            BadDataFound = null,
            MissingFieldFound = null,
        };
        if (CsvFile.Problem("the CSV", text, delimiter) is { } problem)
        {
            throw new StepFailedException(problem, stepId, "csv");
        }

        using var reader = new CsvReader(new StringReader(text), config);
        if (!reader.Read() || !reader.ReadHeader() || reader.HeaderRecord is not { Length: > 0 } header)
        {
            throw new StepFailedException("the CSV has no header row; the first line must name the columns", stepId, "csv");
        }

        var byKey = header.Select((name, index) => (Key: Normalise(name), Name: name, Index: index)).ToList();
        var declared = new Dictionary<int, (string Name, string Type)>();
        foreach (var (name, type) in columns)
        {
            var match = byKey.FirstOrDefault(h => h.Key == Normalise(name));
            if (match.Name is not null)
            {
                declared[match.Index] = (name, type);
            }
            else if (required.Contains(name))
            {
                throw new StepFailedException(
                    $"the CSV has no column '{name}' in its header (line 1); its columns are {string.Join(", ", header)}; the first line must name the columns, e.g. {string.Join(",", columns.Keys.Select(Title))}", stepId, "csv");
            }
        }

        var rows = new List<object?>();
        while (reader.Read())
        {
            if (rows.Count >= MaxRows)
            {
                throw new StepFailedException($"the CSV has more than {MaxRows} rows", stepId, "csv");
            }

            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < header.Length; i++)
            {
                var field = reader.TryGetField<string>(i, out var value) ? value : null;
                if (declared.TryGetValue(i, out var column))
                {
                    row[column.Name] = Convert(field, column.Type, column.Name, reader.Parser.Row, i + 1, stepId);
                }
                else
                {
                    row[header[i]] = field;
                }
            }

            rows.Add(row);
        }

        return rows;
    }

    private static string Title(string name) => string.Join(' ', name.Split('_', StringSplitOptions.RemoveEmptyEntries).Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    private static string Normalise(string name) => new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    private static object? Convert(string? field, string type, string column, int line, int position, string stepId)
    {
        if (string.IsNullOrEmpty(field))
        {
            return null;
        }

        try
        {
            return Coercion.To(field, new TypeSpec(type), $"column '{column}'", stepId);
        }
        catch (StepFailedException ex)
        {
            throw new StepFailedException($"CSV line {line}, column {position} ('{column}'): {ex.Message}; correct the value or leave it empty", stepId, "csv");
        }
    }
}
