using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using FlowEngine.Definitions;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.Reading;
using FlowEngine.Definitions.Validation;
using FlowEngine.Hosting;
using FlowEngine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Server.Elsa;

/// <summary>One stored version, read, with the flags the studio shows.</summary>
public sealed record StoredVersion(DefinitionVersionEntity Entity, Definition? Definition, bool IsLatest, bool IsPublished)
{
    /// <summary>The studio's version id: <c>id@version</c>.</summary>
    public string VersionId => ElsaDefinitions.VersionId(Entity.DefinitionId, Entity.Version);
}

/// <summary>The outcome of a save from the studio.</summary>
public sealed record SaveOutcome(StoredVersion? Saved, IReadOnlyList<string> Errors, bool AlreadyPublished = false);

/// <summary>
/// Stored definition versions as the studio sees them, and the studio's writes: a save overwrites the current draft
/// (a new draft version is opened only when the latest version is published, so auto-save does not flood the
/// history), publish makes the latest version the one published version, retract unpublishes it.
/// </summary>
public sealed partial class ElsaDefinitions(Engine engine, ServerState state, ServerOptions options)
{
    private readonly ConcurrentDictionary<string, Definition?> _read = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _writes = new(1, 1);

    /// <summary>The studio's version id of a version.</summary>
    public static string VersionId(string definitionId, int version) => $"{definitionId}@{version}";

    /// <summary>Every stored version, by definition id then version.</summary>
    public async Task<IReadOnlyList<StoredVersion>> AllAsync(string? definitionId, CancellationToken cancellationToken)
    {
        var entities = await engine.Definitions.ListAsync(definitionId, cancellationToken).ConfigureAwait(false);
        var result = new List<StoredVersion>(entities.Count);
        foreach (var group in entities.GroupBy(e => e.DefinitionId))
        {
            var latest = group.Max(e => e.Version);
            var published = group.Where(e => e.Status == VersionStatus.Published).Select(e => (int?)e.Version).Max();
            result.AddRange(group.Select(e => new StoredVersion(e, Read(e), e.Version == latest, e.Version == published)));
        }

        return result;
    }

    /// <summary>Reads a stored version (cached by content hash).</summary>
    public Definition? Read(DefinitionVersionEntity entity)
    {
        ArgumentNullException.ThrowIfNull(entity);
        return _read.GetOrAdd(entity.Hash + "|" + entity.SourcePath, _ => engine.Reader.Read(entity.SourcePath, entity.SourceText).Definition);
    }

    /// <summary>The activity types: our step types and every action and subflow (its published version, else its latest).</summary>
    public async Task<ActivityCatalog> CatalogAsync(CancellationToken cancellationToken)
    {
        var versions = await AllAsync(null, cancellationToken).ConfigureAwait(false);
        return Catalog(versions);
    }

    /// <summary>The activity types over versions already read.</summary>
    public ActivityCatalog Catalog(IReadOnlyList<StoredVersion> versions)
    {
        ArgumentNullException.ThrowIfNull(versions);
        var callables = versions.GroupBy(v => v.Entity.DefinitionId)
            .Select(g => (g.FirstOrDefault(v => v.IsPublished) ?? g.First(v => v.IsLatest)).Definition)
            .OfType<Definition>();
        var spokes = engine.Integration.Spokes;
        return new ActivityCatalog(engine.Handlers.Catalog, callables, d =>
        {
            var segments = d.Id.Split('.');
            if (segments.Contains("sam") || d.SourceFile.Replace('\\', '/').Contains("/license/", StringComparison.Ordinal))
            {
                return "License Management";
            }

            if (spokes.Spoke(segments[0]) is { } spoke)
            {
                return spoke.Name;
            }

            return d.Kind == DefinitionKind.Action ? "Actions" : "Subflows";
        });
    }

    /// <summary>The versions a <c>versionOptions</c> value selects.</summary>
    public static IEnumerable<StoredVersion> Select(IEnumerable<StoredVersion> versions, string? versionOptions)
    {
        var value = versionOptions?.Trim() ?? "";
        return value switch
        {
            "" or "AllVersions" => versions,
            "Latest" => versions.Where(v => v.IsLatest),
            "Published" => versions.Where(v => v.IsPublished),
            "LatestOrPublished" => versions.Where(v => v.IsLatest || v.IsPublished),
            "LatestAndPublished" => versions.Where(v => v.IsLatest && v.IsPublished),
            "Draft" => versions.Where(v => !v.IsPublished && v.Entity.Status == VersionStatus.Draft),
            _ when int.TryParse(value, out var number) => versions.Where(v => v.Entity.Version == number),
            _ => versions.Where(v => v.IsLatest),
        };
    }

    /// <summary>A list row.</summary>
    public static WorkflowDefinitionSummary Summary(StoredVersion version, bool canEdit)
    {
        ArgumentNullException.ThrowIfNull(version);
        return new WorkflowDefinitionSummary
        {
            Id = version.VersionId,
            DefinitionId = version.Entity.DefinitionId,
            Name = version.Definition?.Name ?? version.Entity.Name,
            Description = version.Definition?.Description?.Trim(),
            Version = version.Entity.Version,
            IsLatest = version.IsLatest,
            IsPublished = version.IsPublished,
            CreatedAt = version.Entity.CreatedAt,
            IsReadonly = !canEdit,
            Links = Links(version.Entity.DefinitionId, canEdit),
        };
    }

    /// <summary>The links that make a definition editable in the studio (none for a viewer).</summary>
    public static IReadOnlyList<ElsaLink> Links(string definitionId, bool canEdit) => canEdit
        ?
        [
            new($"/workflow-definitions/{definitionId}/publish", "publish", "POST"),
            new($"/workflow-definitions/{definitionId}/retract", "retract", "POST"),
            new($"/workflow-definitions/{definitionId}/execute", "execute", "POST"),
            new($"/workflow-definitions/{definitionId}/export", "export", "GET"),
        ]
        : [];

    /// <summary>One version as the studio edits it.</summary>
    public static WorkflowDefinitionModel Model(StoredVersion version, FlowchartMapper mapper, bool canEdit)
    {
        ArgumentNullException.ThrowIfNull(version);
        ArgumentNullException.ThrowIfNull(mapper);
        var definition = version.Definition ?? throw new InvalidOperationException(
            $"{version.VersionId} no longer reads with the registered step types; fix {version.Entity.SourcePath} and load it again");
        return new WorkflowDefinitionModel
        {
            Id = version.VersionId,
            DefinitionId = definition.Id,
            Name = definition.Name,
            Description = definition.Description?.Trim(),
            CreatedAt = version.Entity.CreatedAt,
            Version = definition.Version,
            Inputs = FlowchartMapper.Arguments(definition.Inputs, inputs: true),
            Outputs = FlowchartMapper.Arguments(definition.Outputs, inputs: false),
            CustomProperties = new JsonObject
            {
                ["kind"] = definition.Kind.ToString().ToLowerInvariant(),
                ["sourcePath"] = version.Entity.SourcePath.Replace('\\', '/'),
            },
            IsReadonly = !canEdit,
            IsLatest = version.IsLatest,
            IsPublished = version.IsPublished,
            Options = new WorkflowOptions { UsableAsActivity = definition.Kind != DefinitionKind.Flow },
            Root = mapper.Root(definition),
            Links = Links(definition.Id, canEdit),
        };
    }

    /// <summary>
    /// Saves what the studio sends: into the current draft when the latest version is one, else as a new draft
    /// version; with <paramref name="publish"/> it is then published. Content equal to the latest version changes
    /// nothing (auto-save after opening does not open a version).
    /// </summary>
    public async Task<SaveOutcome> SaveAsync(JsonObject model, bool publish, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var all = await AllAsync(null, cancellationToken).ConfigureAwait(false);
            var definitionId = ElsaJson.Text(model["definitionId"]);
            var isNew = string.IsNullOrWhiteSpace(definitionId);
            if (isNew)
            {
                definitionId = NewId(ElsaJson.Text(model["name"]) ?? "workflow", all);
            }
            else if (!DefinitionIdPattern().IsMatch(definitionId!))
            {
                return new SaveOutcome(null, [$"'{definitionId}' is not a definition id: dotted lower-case names such as team.my_flow"]);
            }

            var versions = all.Where(v => v.Entity.DefinitionId == definitionId).ToList();
            var latest = versions.FirstOrDefault(v => v.IsLatest);
            if (latest is { Definition: null })
            {
                return new SaveOutcome(null, [$"{latest.VersionId} no longer reads with the registered step types; fix {latest.Entity.SourcePath} and load it again"]);
            }

            var catalog = Catalog(all);
            var reader = new StudioModelReader(catalog);
            var target = latest is null ? 1 : latest.Entity.Status == VersionStatus.Draft && !latest.IsPublished ? latest.Entity.Version : latest.Entity.Version + 1;
            var (document, errors) = reader.Read(model, latest?.Definition, definitionId!, target);
            if (document is null)
            {
                return new SaveOutcome(null, errors);
            }

            var sourcePath = latest?.Entity.SourcePath ?? Path.Combine(options.FlowsFolder, "designer", definitionId + ".yaml").Replace('\\', '/');
            var text = FlowYamlWriter.Write(document, SchemaPath(sourcePath));
            if (latest is not null)
            {
                // The same content as the latest version (drawn and read back the same way) is no change.
                var mapper = new FlowchartMapper(catalog);
                var again = JsonSerializer.SerializeToNode(Model(latest, mapper, true), ElsaJson.Options)!.AsObject();
                var (same, _) = reader.Read(again, latest.Definition, definitionId!, target);
                if (same is not null && FlowYamlWriter.Write(same, SchemaPath(sourcePath)) == text)
                {
                    var already = latest.IsPublished;
                    if (publish && !already)
                    {
                        await PublishVersionAsync(definitionId!, latest.Entity.Version, cancellationToken).ConfigureAwait(false);
                    }

                    return new SaveOutcome(await FindAsync(definitionId!, latest.Entity.Version, cancellationToken).ConfigureAwait(false), [], publish && already);
                }
            }

            var stored = await engine.Definitions.LoadAsync(engine.Reader, cancellationToken).ConfigureAwait(false);
            var load = new FlowLoader(engine.Handlers.Catalog).LoadTexts([(sourcePath, text)], stored);
            var problems = load.Diagnostics.Where(d => d.Severity == Severity.Error).Select(Message).Distinct().ToList();
            if (problems.Count > 0 || load.Definitions.Count != 1)
            {
                return new SaveOutcome(null, problems.Count > 0 ? problems : ["the definition could not be read back"]);
            }

            var definition = load.Definitions[0];
            await using (var db = engine.Store.CreateContext())
            {
                var entity = await db.DefinitionVersions.FirstOrDefaultAsync(v => v.DefinitionId == definitionId && v.Version == target, cancellationToken).ConfigureAwait(false);
                if (entity is null)
                {
                    db.DefinitionVersions.Add(new DefinitionVersionEntity
                    {
                        DefinitionId = definition.Id,
                        Version = target,
                        Kind = definition.Kind.ToString().ToLowerInvariant(),
                        Name = definition.Name,
                        Hash = definition.Hash,
                        Status = VersionStatus.Draft,
                        SourcePath = sourcePath,
                        SourceText = text,
                        CreatedAt = DateTimeOffset.UtcNow,
                    });
                }
                else
                {
                    entity.Name = definition.Name;
                    entity.Hash = definition.Hash;
                    entity.SourceText = text;
                    entity.Kind = definition.Kind.ToString().ToLowerInvariant();
                }

                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }

            if (publish)
            {
                await PublishVersionAsync(definition.Id, target, cancellationToken).ConfigureAwait(false);
            }

            state.DefinitionsChanged();
            return new SaveOutcome(await FindAsync(definition.Id, target, cancellationToken).ConfigureAwait(false), []);
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Publishes the latest version (the only published one afterwards); false when it already was.</summary>
    public async Task<(StoredVersion? Version, bool AlreadyPublished)> PublishAsync(string definitionId, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var latest = (await AllAsync(definitionId, cancellationToken).ConfigureAwait(false)).FirstOrDefault(v => v.IsLatest);
            if (latest is null)
            {
                return (null, false);
            }

            if (latest.IsPublished)
            {
                return (latest, true);
            }

            await PublishVersionAsync(definitionId, latest.Entity.Version, cancellationToken).ConfigureAwait(false);
            return (await FindAsync(definitionId, latest.Entity.Version, cancellationToken).ConfigureAwait(false), false);
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>Unpublishes the published version; the errors say why not.</summary>
    public async Task<(StoredVersion? Version, string? Error)> RetractAsync(string definitionId, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var versions = await AllAsync(definitionId, cancellationToken).ConfigureAwait(false);
            if (versions.Count == 0)
            {
                return (null, null);
            }

            var published = versions.Where(v => v.Entity.Status == VersionStatus.Published).ToList();
            if (published.Count == 0)
            {
                return (versions.First(v => v.IsLatest), $"{definitionId} has no published version to retract");
            }

            foreach (var version in published)
            {
                await engine.Definitions.SetStatusAsync(definitionId, version.Entity.Version, VersionStatus.Draft, cancellationToken).ConfigureAwait(false);
            }

            state.DefinitionsChanged();
            return (await FindAsync(definitionId, versions.First(v => v.IsLatest).Entity.Version, cancellationToken).ConfigureAwait(false), null);
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>
    /// Deletes a definition made in the designer (every version never published, no file behind it); a definition
    /// from a file or one that was published is refused with the reason.
    /// </summary>
    public async Task<string?> DeleteAsync(string definitionId, int? version, CancellationToken cancellationToken)
    {
        await _writes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = engine.Store.CreateContext();
            var versions = await db.DefinitionVersions.Where(v => v.DefinitionId == definitionId).ToListAsync(cancellationToken).ConfigureAwait(false);
            var doomed = versions.Where(v => version is null || v.Version == version).ToList();
            if (doomed.Count == 0)
            {
                return null;
            }

            if (doomed.FirstOrDefault(v => v.Status == VersionStatus.Published || v.PublishedAt is not null) is { } live)
            {
                return $"{VersionId(definitionId, live.Version)} is or was published and may have executions; retract it instead";
            }

            if (version is null && File.Exists(doomed[0].SourcePath))
            {
                return $"{definitionId} comes from {doomed[0].SourcePath}; delete the file instead";
            }

            db.DefinitionVersions.RemoveRange(doomed);
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            state.DefinitionsChanged();
            return null;
        }
        finally
        {
            _writes.Release();
        }
    }

    /// <summary>One version by id and number.</summary>
    public async Task<StoredVersion?> FindAsync(string definitionId, int version, CancellationToken cancellationToken) =>
        (await AllAsync(definitionId, cancellationToken).ConfigureAwait(false)).FirstOrDefault(v => v.Entity.Version == version);

    /// <summary>One version by the studio's version id (<c>id@version</c>).</summary>
    public async Task<StoredVersion?> FindAsync(string versionId, CancellationToken cancellationToken)
    {
        var at = versionId.LastIndexOf('@');
        return at > 0 && int.TryParse(versionId[(at + 1)..], out var number) ? await FindAsync(versionId[..at], number, cancellationToken).ConfigureAwait(false) : null;
    }

    private async Task PublishVersionAsync(string definitionId, int version, CancellationToken cancellationToken)
    {
        await using var db = engine.Store.CreateContext();
        var versions = await db.DefinitionVersions.Where(v => v.DefinitionId == definitionId).ToListAsync(cancellationToken).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        foreach (var entity in versions)
        {
            if (entity.Version == version)
            {
                entity.Status = VersionStatus.Published;
                entity.PublishedAt = now;
            }
            else if (entity.Status == VersionStatus.Published)
            {
                entity.Status = VersionStatus.Draft;
            }
        }

        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        state.DefinitionsChanged();
    }

    private static string Message(Diagnostic diagnostic) =>
        diagnostic.StepId is null ? $"{diagnostic.Code}: {diagnostic.Message}" : $"{diagnostic.Code} [step '{diagnostic.StepId}']: {diagnostic.Message}";

    private static string NewId(string name, IReadOnlyList<StoredVersion> all)
    {
        var baseId = "designer." + ElsaNames.Snake(name);
        var id = baseId;
        for (var n = 2; all.Any(v => v.Entity.DefinitionId == id); n++)
        {
            id = $"{baseId}_{n}";
        }

        return id;
    }

    private static string? SchemaPath(string sourcePath)
    {
        var normalised = sourcePath.Replace('\\', '/');
        var flows = normalised.IndexOf("flows/", StringComparison.Ordinal);
        if (flows < 0)
        {
            return null;
        }

        var depth = normalised[(flows + "flows/".Length)..].Count(c => c == '/');
        return string.Concat(Enumerable.Repeat("../", depth)) + "flowengine.schema.json";
    }

    [GeneratedRegex(@"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")]
    private static partial Regex DefinitionIdPattern();
}
