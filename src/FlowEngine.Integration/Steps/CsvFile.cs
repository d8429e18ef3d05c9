namespace FlowEngine.Integration.Steps;

/// <summary>
/// Checks that a CSV file can be read before anything is done with it: not empty, text rather than binary, a header
/// row without duplicate columns, and quotes that close. Each problem names the file, the line and the column, and
/// says what to do, so an admin who attached the wrong file knows which one and where.
/// </summary>
public static class CsvFile
{
    /// <summary>The largest CSV accepted (an export of a million users is well below).</summary>
    public const long MaxBytes = 20 * 1024 * 1024;

    /// <summary>What is wrong with <paramref name="text"/> as a CSV with a header row, or null when it reads.</summary>
    /// <param name="fileName">The file's name, for the message (e.g. users.csv, or "the CSV").</param>
    /// <param name="text">The file's text.</param>
    /// <param name="delimiter">The field delimiter.</param>
    public static string? Problem(string fileName, string text, string delimiter = ",")
    {
        ArgumentNullException.ThrowIfNull(text);
        if (string.IsNullOrWhiteSpace(text))
        {
            return $"{fileName} is empty; attach the user CSV exported from the vendor, with a header row";
        }

        if (text.Length > MaxBytes)
        {
            return $"{fileName} is {text.Length / 1024.0 / 1024.0:0.0} MB; a CSV is at most {MaxBytes / 1024 / 1024} MB";
        }

        var separator = delimiter.Length == 1 ? delimiter[0] : ',';
        var (line, column) = (1, 1);
        var inQuotes = false;
        var fieldStart = true;
        var (quoteLine, quoteColumn) = (0, 0);
        var header = new List<string>();
        var field = new System.Text.StringBuilder();
        var inHeader = true;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || c == '\uFFFD' || (char.IsControl(c) && c is not ('\r' or '\n' or '\t')))
            {
                return $"{fileName} line {line}, column {column}: the file is not text (a binary file, or not UTF-8); export the users as CSV in UTF-8 and attach that";
            }

            if (inQuotes)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                        column++;
                    }
                    else
                    {
                        inQuotes = false;
                    }
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                if (!fieldStart)
                {
                    return $"{fileName} line {line}, column {column}: a quote inside a field that does not start with one; quote the whole field (\"…\") and double quotes inside it (\"\")";
                }

                inQuotes = true;
                (quoteLine, quoteColumn) = (line, column);
            }
            else if (c == separator || c == '\n')
            {
                if (inHeader)
                {
                    header.Add(field.ToString().Trim());
                    if (c == '\n')
                    {
                        inHeader = false;
                    }
                }

                field.Clear();
                fieldStart = true;
                if (c == '\n')
                {
                    (line, column) = (line + 1, 1);
                    continue;
                }

                column++;
                continue;
            }
            else if (c != '\r')
            {
                field.Append(c);
            }

            fieldStart = false;
            column++;
        }

        if (inQuotes)
        {
            return $"{fileName} line {quoteLine}, column {quoteColumn}: a quoted field is never closed (the file ends inside it); add the closing quote";
        }

        if (inHeader)
        {
            header.Add(field.ToString().Trim());
        }

        return HeaderProblem(fileName, header);
    }

    private static string? HeaderProblem(string fileName, List<string> header)
    {
        var empty = header.FindIndex(h => h.Length == 0);
        if (empty >= 0 && header.Count > 1)
        {
            return $"{fileName} line 1, column {empty + 1}: the header has an empty column name; the first line must name every column";
        }

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            var key = Normalise(header[i]);
            if (seen.TryGetValue(key, out var first))
            {
                return $"{fileName} line 1, column {i + 1}: the column '{header[i]}' appears twice (also column {first + 1}); remove or rename one";
            }

            seen[key] = i;
        }

        return null;
    }

    /// <summary>Column names compare ignoring case, spaces and punctuation, as the csv step matches them.</summary>
    internal static string Normalise(string name) => new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}
