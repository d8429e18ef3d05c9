using FlowEngine.Definitions;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.Reading;
using FlowEngine.Definitions.Validation;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Persistence;

/// <summary>What registering one definition did.</summary>
public enum RegistrationOutcome
{
    /// <summary>A new version was stored.</summary>
    Added,

    /// <summary>The same content was stored already; nothing changed.</summary>
    Unchanged,

    /// <summary>The version number is taken by different content; nothing changed.</summary>
    Conflict,
}

/// <summary>The outcome of registering one definition, with a diagnostic for a conflict.</summary>
public sealed record Registration(Definition Definition, RegistrationOutcome Outcome, Diagnostic? Diagnostic = null);

/// <summary>Every version of every definition, with hashes and draft/published status.</summary>
public sealed class EfDefinitionStore(FlowStore store, TimeProvider time)
{
    /// <summary>
    /// Registers definitions as new versions, published (files load as published) or draft. Unchanged content is
    /// left alone; a version number already stored with other content is a conflict that changes nothing and says
    /// what to do.
    /// </summary>
    public Task<IReadOnlyList<Registration>> RegisterAsync(IEnumerable<Definition> definitions, CancellationToken cancellationToken = default) =>
        RegisterAsync(definitions, VersionStatus.Published, cancellationToken);

    /// <inheritdoc cref="RegisterAsync(IEnumerable{Definition}, CancellationToken)"/>
    public async Task<IReadOnlyList<Registration>> RegisterAsync(IEnumerable<Definition> definitions, VersionStatus status, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        await using var db = store.CreateContext();
        var results = new List<Registration>();
        foreach (var definition in definitions)
        {
            var stored = await db.DefinitionVersions.AsNoTracking()
                .Where(v => v.DefinitionId == definition.Id)
                .Select(v => new { v.Version, v.Hash, v.SourcePath })
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            var same = stored.FirstOrDefault(v => v.Version == definition.Version);
            if (same is not null && same.Hash == definition.Hash)
            {
                results.Add(new(definition, RegistrationOutcome.Unchanged));
                continue;
            }

            if (same is not null)
            {
                var next = stored.Max(v => v.Version) + 1;
                results.Add(new(definition, RegistrationOutcome.Conflict, new Diagnostic(
                    Codes.VersionConflict, Severity.Error, definition.SourceFile, definition.VersionSpan.Line, definition.VersionSpan.Column, null,
                    $"{definition.Id} version {definition.Version} is already stored with different content (from {same.SourcePath}); " +
                    $"set 'version: {next}' to register this change as a new version, or undo the edit")));
                continue;
            }

            db.DefinitionVersions.Add(new DefinitionVersionEntity
            {
                DefinitionId = definition.Id,
                Version = definition.Version,
                Kind = definition.Kind.ToString().ToLowerInvariant(),
                Name = definition.Name,
                Hash = definition.Hash,
                Status = status,
                SourcePath = definition.SourceFile,
                SourceText = definition.SourceText,
                CreatedAt = time.GetUtcNow(),
                PublishedAt = status == VersionStatus.Published ? time.GetUtcNow() : null,
            });
            results.Add(new(definition, RegistrationOutcome.Added));
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return results;
    }

    /// <summary>Every stored version, newest definition id first by name.</summary>
    public async Task<IReadOnlyList<DefinitionVersionEntity>> ListAsync(string? definitionId = null, CancellationToken cancellationToken = default)
    {
        await using var db = store.CreateContext();
        var query = db.DefinitionVersions.AsNoTracking();
        if (definitionId is not null)
        {
            query = query.Where(v => v.DefinitionId == definitionId);
        }

        return await query.OrderBy(v => v.DefinitionId).ThenBy(v => v.Version).ToListAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Changes a version's status.</summary>
    public async Task<bool> SetStatusAsync(string definitionId, int version, VersionStatus status, CancellationToken cancellationToken = default)
    {
        await using var db = store.CreateContext();
        var entity = await db.DefinitionVersions.FirstOrDefaultAsync(v => v.DefinitionId == definitionId && v.Version == version, cancellationToken).ConfigureAwait(false);
        if (entity is null)
        {
            return false;
        }

        entity.Status = status;
        entity.PublishedAt = status == VersionStatus.Published ? time.GetUtcNow() : null;
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Reads every stored version back into definitions, as a lookup where a call without a version finds the latest
    /// published one. A stored version that no longer reads (a step type removed since) is skipped and reported.
    /// </summary>
    public async Task<StoredDefinitions> LoadAsync(DefinitionReader reader, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var lookup = new StoredDefinitions();
        foreach (var entity in await ListAsync(null, cancellationToken).ConfigureAwait(false))
        {
            var result = reader.Read(entity.SourcePath, entity.SourceText);
            if (result.Definition is { } definition)
            {
                lookup.Add(definition, entity.Status);
            }
            else
            {
                lookup.Problems.AddRange(result.Diagnostics);
            }
        }

        return lookup;
    }
}

/// <summary>Stored definitions in memory, by id and version, knowing which versions are published.</summary>
public sealed class StoredDefinitions : IDefinitionLookup
{
    private readonly Dictionary<string, SortedDictionary<int, (Definition Definition, VersionStatus Status)>> _byId = new(StringComparer.Ordinal);

    /// <summary>Stored versions that could not be read back.</summary>
    public List<Diagnostic> Problems { get; } = [];

    internal void Add(Definition definition, VersionStatus status)
    {
        if (!_byId.TryGetValue(definition.Id, out var versions))
        {
            _byId[definition.Id] = versions = [];
        }

        versions[definition.Version] = (definition, status);
    }

    /// <inheritdoc />
    public Definition? Find(string id, int? version)
    {
        if (!_byId.TryGetValue(id, out var versions))
        {
            return null;
        }

        if (version is { } v)
        {
            return versions.TryGetValue(v, out var exact) ? exact.Definition : null;
        }

        return versions.Values.LastOrDefault(x => x.Status == VersionStatus.Published).Definition;
    }

    /// <inheritdoc />
    public IReadOnlyList<int> Versions(string id) => _byId.TryGetValue(id, out var v) ? v.Keys.ToList() : [];

    /// <inheritdoc />
    public IEnumerable<string> Ids => _byId.Keys;
}
