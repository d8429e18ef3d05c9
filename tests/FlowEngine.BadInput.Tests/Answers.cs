using System.Text.Json;
using System.Text.RegularExpressions;

namespace FlowEngine.BadInput.Tests;

/// <summary>What makes an answer to bad input clear: it says what is wrong, and shows no exception, stack trace or secret.</summary>
internal static partial class Answers
{
    /// <summary>Why <paramref name="text"/> is not a clear answer, or null when it is.</summary>
    public static string? Unclear(string text, string expect, IEnumerable<string> secrets)
    {
        if (ExceptionOrStack().Match(text) is { Success: true } leak)
        {
            return $"shows '{leak.Value}'";
        }

        if (secrets.FirstOrDefault(s => s.Length > 0 && text.Contains(s, StringComparison.Ordinal)) is { } secret)
        {
            return $"echoes a secret ({secret[..Math.Min(4, secret.Length)]}…)";
        }

        var missing = expect.Split('|', StringSplitOptions.RemoveEmptyEntries).Where(f => !text.Contains(f, StringComparison.OrdinalIgnoreCase)).ToList();
        return missing.Count > 0 ? $"does not say {string.Join(" and ", missing.Select(m => $"'{m}'"))}" : null;
    }

    /// <summary>The message of an answer: a ProblemDetails' detail, Elsa's <c>errors.model</c>, else the text.</summary>
    public static string Detail(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
            {
                return detail.GetString()!;
            }

            if (root.ValueKind == JsonValueKind.Object && root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object
                && errors.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.Array)
            {
                return string.Join("; ", model.EnumerateArray().Select(m => m.GetString()));
            }
        }
        catch (JsonException)
        {
        }

        return body;
    }

    [GeneratedRegex(@"\b[A-Z]\w*Exception\b|\bSystem\.[A-Z]\w+|^\s+at \S+\(|\bat [A-Z][\w.`]+\.\w+\(|\bNullable`1|\.cs:line \d+", RegexOptions.Multiline)]
    private static partial Regex ExceptionOrStack();
}
