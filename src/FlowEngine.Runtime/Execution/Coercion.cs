using System.Collections;
using System.Globalization;
using FlowEngine.Definitions.Model;
using FlowEngine.Expressions;

namespace FlowEngine.Runtime.Execution;

/// <summary>Turns values into a declared type at a boundary (execution inputs, call inputs, outputs).</summary>
public static class Coercion
{
    /// <summary>Builds the input map of a definition from given values: defaults applied, required checked, types converted.</summary>
    /// <exception cref="StepFailedException">An input is missing, unknown or of the wrong type; the message says which.</exception>
    public static Dictionary<string, object?> Inputs(Definition definition, IReadOnlyDictionary<string, object?> given, string? stepId = null)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var name in given.Keys.Where(k => definition.Inputs.All(i => i.Name != k)))
        {
            throw new StepFailedException(
                $"{definition.Id} has no input '{name}'{Suggest.DidYouMean(name, definition.Inputs.Select(i => i.Name))}; its inputs are {string.Join(", ", definition.Inputs.Select(i => i.Name))}",
                stepId, "input");
        }

        foreach (var input in definition.Inputs)
        {
            if (given.TryGetValue(input.Name, out var value) && value is not null)
            {
                result[input.Name] = To(value, input.Type, $"input '{input.Name}' of {definition.Id}", stepId);
            }
            else if (input.Default is not null)
            {
                result[input.Name] = To(input.Default, input.Type, $"input '{input.Name}' of {definition.Id}", stepId);
            }
            else if (input.Required)
            {
                throw new StepFailedException($"{definition.Id} needs input '{input.Name}' ({input.Type})", stepId, "input");
            }
            else
            {
                result[input.Name] = null;
            }
        }

        return result;
    }

    /// <summary>Converts a value to a type, or fails with a message naming <paramref name="what"/>.</summary>
    public static object? To(object? value, TypeSpec type, string what, string? stepId = null)
    {
        if (value is null || type.IsAny)
        {
            return value;
        }

        object? converted = (type.Name, value) switch
        {
            ("secret", SecretValue s) => s,
            ("secret", string s) => new SecretValue(s),
            ("secret", long or double) => new SecretValue(Values.ToText(value)),
            (_, SecretValue) => throw Fail($"{what} is {type}, and a secret cannot be passed as one; declare it as type secret", stepId),
            ("string", string or long or double or bool) => Values.ToText(value),
            ("string", DateTimeOffset) => Values.ToText(value),
            ("integer", long l) => l,
            ("integer", double d) when d == Math.Floor(d) => (long)d,
            ("integer", string s) when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
            ("number", long or double) => value,
            ("number", string s) when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
            ("boolean", bool b) => b,
            ("boolean", string s) when bool.TryParse(s, out var b) => b,
            ("datetime", _) when Values.TryDate(value, out var date) => date,
            ("object", IDictionary<string, object?>) => value,
            ("object", string s) when s.TrimStart().StartsWith('{') => TryJson(s),
            ("array", IList) => value,
            ("array", string s) when s.TrimStart().StartsWith('[') => TryJson(s),
            _ => null,
        };

        if (converted is null)
        {
            throw Fail($"{what} must be {type}, but got {Values.TypeName(value)}{Preview(value)}", stepId);
        }

        if (type is { Name: "array", Items: { IsAny: false } items } && converted is IList list)
        {
            var copy = new List<object?>(list.Count);
            var i = 0;
            foreach (var item in list)
            {
                copy.Add(To(item, items, $"{what}[{i++}]", stepId));
            }

            return copy;
        }

        return converted;
    }

    private static object? TryJson(string s)
    {
        try
        {
            return Values.ParseJson(s);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static string Preview(object? value) => value is string s ? $" '{(s.Length > 30 ? s[..30] + "…" : s)}'" : "";

    private static StepFailedException Fail(string message, string? stepId) => new(message, stepId, "input");
}
