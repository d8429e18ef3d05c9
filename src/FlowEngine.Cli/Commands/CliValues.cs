using System.CommandLine;
using System.Globalization;

namespace FlowEngine.Cli.Commands;

/// <summary>Number options that say what they take when the value does not parse, instead of naming a .NET type.</summary>
internal static class CliValues
{
    /// <summary>Makes <paramref name="option"/> accept a whole number from <paramref name="minimum"/>.</summary>
    public static Option<int> WholeNumber(this Option<int> option, int minimum, string example)
    {
        option.CustomParser = result =>
        {
            if (result.Tokens.Count == 0)
            {
                return option.DefaultValueFactory is { } factory ? factory(result) : 0;
            }

            var text = result.Tokens[0].Value;
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= minimum)
            {
                return value;
            }

            result.AddError($"{option.Name} '{text}' is not a whole number from {minimum}; e.g. {option.Name} {example}");
            return 0;
        };
        return option;
    }
}
