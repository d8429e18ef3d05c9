using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.Reading;
using FlowEngine.Definitions.StepTypes;

namespace FlowEngine.Definitions.Validation;

/// <summary>What loading a set of files produced: the valid definitions and every diagnostic, by file.</summary>
public sealed record LoadResult(IReadOnlyList<Definition> Definitions, IReadOnlyList<Diagnostic> Diagnostics, int FileCount)
{
    /// <summary>True when no diagnostic is an error.</summary>
    public bool Succeeded => Diagnostics.All(d => d.Severity != Severity.Error);
}

/// <summary>Reads and validates flow files and folders: each file on its own, then all of them together.</summary>
public sealed class FlowLoader(StepTypeCatalog stepTypes)
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>Spoke manifests (aliases) have their own reader in the integration part and are skipped here.</summary>
    public const string SpokeManifestFileName = "spoke.yaml";

    private readonly DefinitionReader _reader = new(stepTypes);
    private readonly DefinitionValidator _validator = new(stepTypes);

    /// <summary>The flow files under the given paths (files or folders), in a stable order. Schemas are skipped.</summary>
    public static IReadOnlyList<string> FindFiles(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                    .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Where(f => !f.EndsWith(".schema.json", StringComparison.OrdinalIgnoreCase))
                    .Where(f => !Path.GetFileName(f).Equals(SpokeManifestFileName, StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal));
            }
            else
            {
                files.Add(path);
            }
        }

        return files;
    }

    /// <summary>Loads files and folders. A path that does not exist is a diagnostic too.</summary>
    public LoadResult Load(IEnumerable<string> paths, IDefinitionLookup? stored = null)
    {
        var diagnostics = new List<Diagnostic>();
        var sources = new List<(string File, string Text)>();
        foreach (var file in FindFiles(paths))
        {
            if (!File.Exists(file))
            {
                diagnostics.Add(new(Codes.Syntax, Severity.Error, file, 0, 0, null, "no such file or folder"));
                continue;
            }

            sources.Add((Path.GetRelativePath(Environment.CurrentDirectory, file), File.ReadAllText(file)));
        }

        var result = LoadTexts(sources, stored);
        return result with { Diagnostics = [.. diagnostics, .. result.Diagnostics], FileCount = sources.Count + diagnostics.Count };
    }

    /// <summary>Loads definitions from texts, as if they were files with these names.</summary>
    public LoadResult LoadTexts(IEnumerable<(string File, string Text)> sources, IDefinitionLookup? stored = null)
    {
        var diagnostics = new List<Diagnostic>();
        var set = new DefinitionSet(stored);
        var read = new List<Definition>();
        var count = 0;
        foreach (var (file, text) in sources)
        {
            count++;
            var result = _reader.Read(file, text);
            diagnostics.AddRange(result.Diagnostics);
            if (result.Definition is not { } definition)
            {
                continue;
            }

            if (set.Add(definition) is { } existing)
            {
                diagnostics.Add(new(Codes.DuplicateDefinition, Severity.Error, file, definition.Span.Line, definition.Span.Column, null,
                    $"{definition.Key} is also defined in {existing.SourceFile}; give one of them another id or version"));
                continue;
            }

            read.Add(definition);
        }

        var valid = new List<Definition>();
        foreach (var definition in read)
        {
            var found = _validator.Validate(definition, set);
            diagnostics.AddRange(found);
            if (found.All(d => d.Severity != Severity.Error) && diagnostics.All(d => d.File != definition.SourceFile || d.Severity != Severity.Error))
            {
                valid.Add(definition);
            }
        }

        var onCycle = new HashSet<string>(StringComparer.Ordinal);
        diagnostics.AddRange(DefinitionValidator.FindCycles(read, set, onCycle));
        valid.RemoveAll(d => onCycle.Contains(d.Key));
        return new LoadResult(valid, diagnostics, count);
    }
}
