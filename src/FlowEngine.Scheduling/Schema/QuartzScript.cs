using System.Reflection;
using System.Text;

namespace FlowEngine.Scheduling.Schema;

/// <summary>Reads and splits Quartz's own schema scripts (embedded copies; the project README says where they come from).</summary>
internal static class QuartzScript
{
    /// <summary>The embedded script's text.</summary>
    public static string Read(string resourceName)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"embedded resource '{resourceName}' is missing from {Assembly.GetExecutingAssembly().GetName().Name}");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The script's statements, with the table prefix filled in.</summary>
    public static IReadOnlyList<string> Statements(string script, string tablePrefix)
    {
        // Quartz's scripts separate statements with a line reading exactly '--;;', and leave '{0}' (the table
        // prefix) and '{1}' (the prefix without a schema qualifier, for index names) to be filled in.
        var statements = new List<string>();
        var current = new StringBuilder();
        foreach (var line in script.Split('\n'))
        {
            var trimmed = line.TrimEnd('\r');
            if (trimmed == "--;;")
            {
                Flush();
                continue;
            }

            current.Append(trimmed).Append('\n');
        }

        Flush();
        return statements;

        void Flush()
        {
            var text = current.ToString();
            current.Clear();
            var hasSql = text.Split('\n').Any(l => l.Trim().Length > 0 && !l.TrimStart().StartsWith("--", StringComparison.Ordinal));
            if (hasSql)
            {
                statements.Add(text.Replace("{0}", tablePrefix, StringComparison.Ordinal).Replace("{1}", tablePrefix, StringComparison.Ordinal).Trim());
            }
        }
    }
}
