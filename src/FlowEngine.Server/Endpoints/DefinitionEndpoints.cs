using System.Text;
using FlowEngine.Definitions;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.Reading;
using FlowEngine.Definitions.Validation;
using FlowEngine.Hosting;
using FlowEngine.Persistence;
using FlowEngine.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace FlowEngine.Server.Endpoints;

/// <summary>
/// <c>/api/definitions</c>: stored definitions and their versions; validate and store YAML or JSON sent in the body
/// (the same loader as <c>flowengine validate</c>), publish, and export a version back to its file under flows/.
/// </summary>
internal static class DefinitionEndpoints
{
    private const string SourceBody = "The body is the definition's text, YAML or JSON (Content-Type application/yaml or application/json); ?path= names its file under flows/.";

    public static IEndpointRouteBuilder MapDefinitionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/definitions").WithTags("Definitions").RequireAuthorization(Policies.Viewer);
        group.MapGet("/", async (Engine engine, CancellationToken ct) =>
        {
            var versions = await engine.Definitions.ListAsync(null, ct).ConfigureAwait(false);
            return versions.GroupBy(v => v.DefinitionId).Select(g => new DefinitionSummary(
                g.Key, g.Last().Name, g.Last().Kind, g.Max(v => v.Version),
                g.Where(v => v.Status == VersionStatus.Published).Select(v => (int?)v.Version).Max(), g.Last().SourcePath)).ToList();
        });

        group.MapGet("/{id}", async Task<Results<Ok<DefinitionDetail>, ProblemHttpResult>> (string id, Engine engine, CancellationToken ct) =>
        {
            var versions = await engine.Definitions.ListAsync(id, ct).ConfigureAwait(false);
            if (versions.Count == 0)
            {
                return ApiResults.NotFound($"no stored definition '{id}'");
            }

            var latest = versions[^1];
            return TypedResults.Ok(new DefinitionDetail(id, latest.Name, latest.Kind, latest.Version,
                versions.Where(v => v.Status == VersionStatus.Published).Select(v => (int?)v.Version).Max(), latest.SourcePath, versions.Select(VersionView.From).ToList()));
        });

        group.MapGet("/{id}/versions", async Task<Results<Ok<List<VersionView>>, ProblemHttpResult>> (string id, Engine engine, CancellationToken ct) =>
        {
            var versions = await engine.Definitions.ListAsync(id, ct).ConfigureAwait(false);
            return versions.Count == 0 ? ApiResults.NotFound($"no stored definition '{id}'") : TypedResults.Ok(versions.Select(VersionView.From).ToList());
        });

        group.MapGet("/{id}/versions/{version:int}", async Task<Results<Ok<VersionDetail>, ProblemHttpResult>> (string id, int version, Engine engine, CancellationToken ct) =>
        {
            var entity = await FindAsync(engine, id, version, ct).ConfigureAwait(false);
            if (entity is null)
            {
                return ApiResults.NotFound($"no stored version {version} of '{id}'");
            }

            var read = engine.Reader.Read(entity.SourcePath, entity.SourceText).Definition;
            return TypedResults.Ok(VersionDetail.From(entity, read));
        });

        group.MapGet("/{id}/versions/{version:int}/source", async Task<Results<ContentHttpResult, ProblemHttpResult>> (string id, int version, string? format, Engine engine, CancellationToken ct) =>
        {
            var entity = await FindAsync(engine, id, version, ct).ConfigureAwait(false);
            if (entity is null)
            {
                return ApiResults.NotFound($"no stored version {version} of '{id}'");
            }

            var storedJson = DefinitionSource.IsJsonPath(entity.SourcePath);
            var wanted = (format ?? (storedJson ? "json" : "yaml")).ToLowerInvariant();
            return wanted switch
            {
                "yaml" or "yml" => TypedResults.Text(storedJson ? DefinitionSource.ToYaml(entity.SourcePath, entity.SourceText) : entity.SourceText, "application/yaml", Encoding.UTF8),
                "json" => TypedResults.Text(storedJson ? entity.SourceText : DefinitionSource.ToJson(entity.SourcePath, entity.SourceText), "application/json", Encoding.UTF8),
                _ => ApiResults.BadRequest($"format '{format}' is not yaml or json"),
            };
        });

        group.MapPost("/validate", async Task<Results<Ok<ValidationView>, ProblemHttpResult>> (HttpRequest request, string? path, Engine engine, ServerOptions options, CancellationToken ct) =>
        {
            var (definition, diagnostics, filePath, problem) = await ReadAndCheckAsync(request, path, engine, options, ct).ConfigureAwait(false);
            if (problem is not null)
            {
                return problem;
            }

            return definition is null
                ? ApiResults.Diagnostics(StatusCodes.Status400BadRequest, "The definition is not valid", diagnostics)
                : TypedResults.Ok(new ValidationView(true, definition.Id, definition.Version, definition.Kind.ToString().ToLowerInvariant(), filePath!, diagnostics.Select(DiagnosticView.From).ToList()));
        }).WithDescription(SourceBody).RequireAuthorization(Policies.Integrator);

        group.MapPost("/", async Task<Results<Created<VersionView>, Ok<VersionView>, ProblemHttpResult>> (
            HttpRequest request, bool? publish, string? path, Engine engine, ServerOptions options, ServerState state, CancellationToken ct) =>
        {
            var (definition, diagnostics, filePath, problem) = await ReadAndCheckAsync(request, path, engine, options, ct).ConfigureAwait(false);
            if (problem is not null)
            {
                return problem;
            }

            if (definition is null)
            {
                var conflict = diagnostics.Any(d => d.Code == Codes.VersionConflict);
                return ApiResults.Diagnostics(conflict ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest,
                    conflict ? "The version is stored already with other content" : "The definition is not valid", diagnostics);
            }

            // A version sent here is a draft until published. Resending a stored version changes nothing unless it
            // asks to be published.
            var status = publish == true ? VersionStatus.Published : VersionStatus.Draft;
            var registration = (await engine.Definitions.RegisterAsync([definition], status, ct).ConfigureAwait(false))[0];
            if (registration.Outcome == RegistrationOutcome.Conflict)
            {
                return ApiResults.Diagnostics(StatusCodes.Status409Conflict, "The version is stored already with other content", [registration.Diagnostic!]);
            }

            if (registration.Outcome == RegistrationOutcome.Unchanged && publish == true)
            {
                await engine.Definitions.SetStatusAsync(definition.Id, definition.Version, VersionStatus.Published, ct).ConfigureAwait(false);
            }

            state.DefinitionsChanged();
            var stored = VersionView.From((await FindAsync(engine, definition.Id, definition.Version, ct).ConfigureAwait(false))!);
            return registration.Outcome == RegistrationOutcome.Added
                ? TypedResults.Created($"/api/definitions/{definition.Id}/versions/{definition.Version}", stored)
                : TypedResults.Ok(stored);
        }).WithDescription(SourceBody).RequireAuthorization(Policies.Integrator);

        group.MapPost("/{id}/versions/{version:int}/publish", async Task<Results<Ok<VersionView>, ProblemHttpResult>> (string id, int version, Engine engine, ServerState state, CancellationToken ct) =>
        {
            if (!await engine.Definitions.SetStatusAsync(id, version, VersionStatus.Published, ct).ConfigureAwait(false))
            {
                return ApiResults.NotFound($"no stored version {version} of '{id}'");
            }

            state.DefinitionsChanged();
            return TypedResults.Ok(VersionView.From((await FindAsync(engine, id, version, ct).ConfigureAwait(false))!));
        }).RequireAuthorization(Policies.Integrator);

        group.MapPost("/{id}/versions/{version:int}/export", async Task<Results<Ok<ExportView>, ProblemHttpResult>> (string id, int version, bool? force, Engine engine, ServerOptions options, CancellationToken ct) =>
        {
            var versions = await engine.Definitions.ListAsync(id, ct).ConfigureAwait(false);
            var entity = versions.FirstOrDefault(v => v.Version == version);
            if (entity is null)
            {
                return ApiResults.NotFound($"no stored version {version} of '{id}'");
            }

            var full = Path.GetFullPath(entity.SourcePath);
            if (!IsUnder(full, options.FlowsFolder))
            {
                return ApiResults.BadRequest($"{id}@{version} comes from {entity.SourcePath}, which is outside the flows folder; export writes only under {options.FlowsFolder}");
            }

            var relative = Path.GetRelativePath(Path.GetFullPath(options.FlowsFolder), full).Replace('\\', '/');
            if (File.Exists(full))
            {
                var current = await File.ReadAllTextAsync(full, ct).ConfigureAwait(false);
                if (current == entity.SourceText)
                {
                    return TypedResults.Ok(new ExportView(id, version, relative, false));
                }

                var hash = DefinitionReader.Hash(current);
                if (force != true && versions.All(v => v.Hash != hash))
                {
                    return ApiResults.Conflict($"{relative} has changes that are not stored as any version of '{id}'; load them first ('flowengine definitions load') or export with ?force=true to overwrite them");
                }
            }

            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            await File.WriteAllTextAsync(full, entity.SourceText, ct).ConfigureAwait(false);
            return TypedResults.Ok(new ExportView(id, version, relative, true));
        }).RequireAuthorization(Policies.Integrator);

        return app;
    }

    private static async Task<DefinitionVersionEntity?> FindAsync(Engine engine, string id, int version, CancellationToken ct) =>
        (await engine.Definitions.ListAsync(id, ct).ConfigureAwait(false)).FirstOrDefault(v => v.Version == version);

    private static bool IsUnder(string fullPath, string flowsFolder)
    {
        var root = Path.GetFullPath(flowsFolder).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        return fullPath.StartsWith(root, StringComparison.Ordinal);
    }

    private static async Task<(string Text, ProblemHttpResult? Problem)> ReadSourceAsync(HttpRequest request, CancellationToken ct)
    {
        if (request.ContentLength > SourceTreeReader.MaxFileBytes)
        {
            return ("", ApiResults.Problem(StatusCodes.Status413PayloadTooLarge, "Too large", $"a definition is at most {SourceTreeReader.MaxFileBytes} bytes"));
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        if (text.Length > SourceTreeReader.MaxFileBytes)
        {
            return ("", ApiResults.Problem(StatusCodes.Status413PayloadTooLarge, "Too large", $"a definition is at most {SourceTreeReader.MaxFileBytes} bytes"));
        }

        return string.IsNullOrWhiteSpace(text)
            ? ("", ApiResults.BadRequest("send the definition's YAML or JSON as the request body"))
            : (text, null);
    }

    /// <summary>
    /// Where the version would live: <c>?path=</c> under the flows folder, else the file of the definition's latest
    /// stored version, else <c>flows/&lt;id's first parts&gt;/&lt;last part&gt;.yaml</c>. Relative to the working directory, as the loader names files.
    /// </summary>
    private static async Task<(string? Path, ProblemHttpResult? Problem)> SourcePathAsync(Engine engine, ServerOptions options, string? contentType, string text, string? path, CancellationToken ct)
    {
        var json = DefinitionSource.IsJsonBody(contentType, text);
        var extension = json ? ".json" : ".yaml";
        var flows = Path.GetFullPath(options.FlowsFolder);
        if (path is not null)
        {
            var full = Path.GetFullPath(Path.Combine(flows, path));
            if (!IsUnder(full, options.FlowsFolder) || Path.GetExtension(full).ToLowerInvariant() is not (".yaml" or ".yml" or ".json"))
            {
                return (null, ApiResults.BadRequest($"path '{path}' must be a .yaml, .yml or .json file inside the flows folder, e.g. examples/greet{extension}"));
            }

            return (Path.GetRelativePath(Environment.CurrentDirectory, full), null);
        }

        var id = engine.Reader.Read("request" + extension, text).Definition?.Id;
        if (id is null)
        {
            return ("request" + extension, null);
        }

        var stored = await engine.Definitions.ListAsync(id, ct).ConfigureAwait(false);
        if (stored.Count > 0)
        {
            return (stored[^1].SourcePath, null);
        }

        var parts = id.Split('.');
        var file = Path.Combine([flows, .. parts[..^1], parts[^1] + extension]);
        return (Path.GetRelativePath(Environment.CurrentDirectory, file), null);
    }

    /// <summary>Validates one text against the stored definitions, and reports a version stored with other content.</summary>
    /// <summary>The body's source, where it would live under flows/, and what reading and validating it found.</summary>
    private static async Task<(Definition? Definition, IReadOnlyList<Diagnostic> Diagnostics, string? Path, ProblemHttpResult? Problem)> ReadAndCheckAsync(
        HttpRequest request, string? path, Engine engine, ServerOptions options, CancellationToken ct)
    {
        var (text, problem) = await ReadSourceAsync(request, ct).ConfigureAwait(false);
        if (problem is not null)
        {
            return (null, [], null, problem);
        }

        var file = await SourcePathAsync(engine, options, request.ContentType, text, path, ct).ConfigureAwait(false);
        if (file.Problem is not null)
        {
            return (null, [], null, file.Problem);
        }

        var (definition, diagnostics) = await CheckAsync(engine, file.Path!, text, ct).ConfigureAwait(false);
        return (definition, diagnostics, file.Path, null);
    }

    private static async Task<(Definition? Definition, IReadOnlyList<Diagnostic> Diagnostics)> CheckAsync(Engine engine, string file, string text, CancellationToken ct)
    {
        var stored = await engine.Definitions.LoadAsync(engine.Reader, ct).ConfigureAwait(false);
        var load = new FlowLoader(engine.Handlers.Catalog).LoadTexts([(file, text)], stored);
        var diagnostics = load.Diagnostics.ToList();
        var definition = load.Definitions.FirstOrDefault();
        if (definition is null)
        {
            return (null, diagnostics.Count > 0 ? diagnostics : [new Diagnostic(Codes.Syntax, Severity.Error, file, 1, 1, null, "no definition in the body")]);
        }

        var crons = BadCrons(definition).ToList();
        if (crons.Count > 0)
        {
            diagnostics.AddRange(crons);
            return (null, diagnostics);
        }

        var versions = await engine.Definitions.ListAsync(definition.Id, ct).ConfigureAwait(false);
        var same = versions.FirstOrDefault(v => v.Version == definition.Version);
        if (same is not null && same.Hash != definition.Hash)
        {
            diagnostics.Add(new Diagnostic(Codes.VersionConflict, Severity.Error, file, definition.VersionSpan.Line, definition.VersionSpan.Column, null,
                $"{definition.Id} version {definition.Version} is already stored with different content (from {same.SourcePath}); " +
                $"set 'version: {versions.Max(v => v.Version) + 1}' to store this change as a new version"));
            return (null, diagnostics);
        }

        return (definition, diagnostics);
    }

    /// <summary>
    /// Schedule triggers whose cron does not have the shape of a Quartz cron expression (6 or 7 fields of digits,
    /// names and <c>* ? / , - L W #</c>), so a typo is refused when the version is sent, not when it would fire.
    /// </summary>
    internal static IEnumerable<Diagnostic> BadCrons(Definition definition)
    {
        foreach (var trigger in definition.Triggers.Where(t => t.Type == "schedule"))
        {
            var cron = trigger.Settings.GetValueOrDefault("cron") as string ?? "";
            var fields = cron.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length is < 6 or > 7 || fields.Any(f => !f.All(c => char.IsAsciiLetterOrDigit(c) || "*?/,-#".Contains(c, StringComparison.Ordinal))))
            {
                yield return new Diagnostic(Codes.InvalidValue, Severity.Error, trigger.Span.File, trigger.Span.Line, trigger.Span.Column, null,
                    $"'{cron}' is not a cron expression: give 6 or 7 fields (seconds minutes hours day-of-month month day-of-week [year]), e.g. cron: \"0 0 2 * * ?\" for 02:00 every day");
            }
        }
    }

    internal sealed record DefinitionSummary(string Id, string Name, string Kind, int LatestVersion, int? PublishedVersion, string SourcePath);

    internal sealed record DefinitionDetail(string Id, string Name, string Kind, int LatestVersion, int? PublishedVersion, string SourcePath, IReadOnlyList<VersionView> Versions);

    internal sealed record VersionView(string DefinitionId, int Version, string Kind, string Name, VersionStatus Status, string Hash, string SourcePath, DateTimeOffset CreatedAt, DateTimeOffset? PublishedAt)
    {
        public static VersionView From(DefinitionVersionEntity v) => new(v.DefinitionId, v.Version, v.Kind, v.Name, v.Status, v.Hash, v.SourcePath, v.CreatedAt, v.PublishedAt);
    }

    internal sealed record ParameterView(string Name, string Type, bool Required, string? Description);

    internal sealed record TriggerView(string Type, IReadOnlyDictionary<string, object?> Settings);

    internal sealed record VersionDetail(
        string DefinitionId, int Version, string Kind, string Name, string? Description, VersionStatus Status, string Hash, string SourcePath,
        DateTimeOffset CreatedAt, DateTimeOffset? PublishedAt, IReadOnlyList<ParameterView> Inputs, IReadOnlyList<ParameterView> Outputs,
        IReadOnlyList<TriggerView> Triggers, string Format, string Source)
    {
        public static VersionDetail From(DefinitionVersionEntity v, Definition? d) => new(
            v.DefinitionId, v.Version, v.Kind, v.Name, d?.Description, v.Status, v.Hash, v.SourcePath, v.CreatedAt, v.PublishedAt,
            d?.Inputs.Select(Parameter).ToList() ?? [], d?.Outputs.Select(Parameter).ToList() ?? [],
            d?.Triggers.Select(t => new TriggerView(t.Type, t.Settings)).ToList() ?? [],
            DefinitionSource.IsJsonPath(v.SourcePath) ? "json" : "yaml", v.SourceText);

        private static ParameterView Parameter(ParameterSpec p) => new(p.Name, p.Type.ToString(), p.Required, p.Description);
    }

    internal sealed record ValidationView(bool Valid, string Id, int Version, string Kind, string SourcePath, IReadOnlyList<DiagnosticView> Diagnostics);

    internal sealed record ExportView(string Id, int Version, string Path, bool Written);
}
