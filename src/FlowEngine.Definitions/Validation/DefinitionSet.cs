using FlowEngine.Definitions.Model;

namespace FlowEngine.Definitions.Validation;

/// <summary>
/// An in-memory set of definitions by id and version, layered over another lookup (the store), so files being
/// validated see each other first and stored definitions after.
/// </summary>
public sealed class DefinitionSet(IDefinitionLookup? fallback = null) : IDefinitionLookup
{
    private readonly Dictionary<string, SortedDictionary<int, Definition>> _byId = new(StringComparer.Ordinal);

    /// <summary>Adds a definition; returns the one already there when id and version collide.</summary>
    public Definition? Add(Definition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (!_byId.TryGetValue(definition.Id, out var versions))
        {
            _byId[definition.Id] = versions = new SortedDictionary<int, Definition>();
        }

        if (versions.TryGetValue(definition.Version, out var existing))
        {
            return existing;
        }

        versions[definition.Version] = definition;
        return null;
    }

    /// <summary>Every definition in the set (not the fallback).</summary>
    public IEnumerable<Definition> All => _byId.Values.SelectMany(v => v.Values);

    /// <inheritdoc />
    public Definition? Find(string id, int? version)
    {
        if (_byId.TryGetValue(id, out var versions))
        {
            if (version is null)
            {
                return versions.Values.Last();
            }

            if (versions.TryGetValue(version.Value, out var exact))
            {
                return exact;
            }
        }

        return fallback?.Find(id, version);
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Versions(string id) =>
        (_byId.TryGetValue(id, out var v) ? v.Keys : Enumerable.Empty<int>())
            .Concat(fallback?.Versions(id) ?? []).Distinct().Order().ToList();

    /// <inheritdoc />
    public IEnumerable<string> Ids => _byId.Keys.Concat(fallback?.Ids ?? []).Distinct(StringComparer.Ordinal);
}
