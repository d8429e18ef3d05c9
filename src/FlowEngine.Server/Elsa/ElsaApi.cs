using System.Text.Json;
using System.Text.Json.Nodes;
using FlowEngine.Expressions;
using FlowEngine.Hosting;
using FlowEngine.Runtime.Execution;
using FlowEngine.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace FlowEngine.Server.Elsa;

/// <summary>
/// <c>/elsa/api</c>: the part of Elsa's REST API that Elsa Studio 3.8 calls, over our definitions and executions
/// (see <c>shared/design/elsa-studio-contract.md</c>). Reading needs any key; saving, publishing and running need an
/// integrator or admin key, and a viewer's studio opens read-only (no <c>publish</c> links).
/// </summary>
public static class ElsaApi
{
    /// <summary>The base path the studio's <c>remote-endpoint</c> points at.</summary>
    public const string BasePath = "/elsa/api";

    /// <summary>The header the studio reads after Run.</summary>
    public const string InstanceIdHeader = "x-elsa-workflow-instance-id";

    /// <summary>The header that says a run could not start.</summary>
    public const string CannotStartHeader = "x-elsa-workflow-cannot-start";

    /// <summary>Maps the API; its services are created on first use.</summary>
    public static IEndpointRouteBuilder MapElsaApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup(BasePath).RequireAuthorization(Policies.Viewer).ExcludeFromDescription();
        MapDefinitions(api);
        MapDescriptors(api);
        MapInstances(api);
        return app;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Engine, Services> Created = [];

    private sealed record Services(ElsaDefinitions Definitions, ElsaInstances Instances);

    // One pair of services per engine (one per server), created on first use so the host only maps the API.
    private static Services For(HttpContext context) =>
        Created.GetValue(context.RequestServices.GetRequiredService<Engine>(), engine =>
        {
            var definitions = new ElsaDefinitions(engine, context.RequestServices.GetRequiredService<ServerState>(), context.RequestServices.GetRequiredService<ServerOptions>());
            return new Services(definitions, new ElsaInstances(engine, definitions));
        });

    private static ElsaDefinitions Definitions(HttpContext context) => For(context).Definitions;

    private static ElsaInstances Instances(HttpContext context) => For(context).Instances;

    private static bool CanEdit(HttpContext context) => context.User.IsInRole(Roles.Admin) || context.User.IsInRole(Roles.Integrator);

    private static IResult Json(object value, int status = StatusCodes.Status200OK) => Results.Json(value, ElsaJson.Options, statusCode: status);

    private static IResult Errors(IEnumerable<string> messages) => Json(new { errors = new { model = messages.ToArray() } }, StatusCodes.Status400BadRequest);

    private static IResult NotFound(string what) => Json(new { errors = new { model = new[] { what } } }, StatusCodes.Status404NotFound);

    private static async Task<JsonObject?> BodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is 0)
        {
            return null;
        }

        try
        {
            return await JsonNode.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Why a (buffered) body is not JSON, with line and column; null when it reads. The body is rewound.</summary>
    private static async Task<string?> JsonErrorAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength is 0)
        {
            return null;
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
            return null;
        }
        catch (JsonException ex)
        {
            return "the request is not valid JSON at " + $"line {(ex.LineNumber ?? 0) + 1}, column {(ex.BytePositionInLine ?? 0) + 1}; send {{ \"model\": {{ …the workflow definition… }} }}";
        }
        finally
        {
            request.Body.Position = 0;
        }
    }

    private static void MapDefinitions(RouteGroupBuilder api)
    {
        var definitions = api.MapGroup("/workflow-definitions");
        definitions.MapGet("/", async (HttpContext context, CancellationToken ct) =>
        {
            var query = context.Request.Query;
            var store = Definitions(context);
            var all = await store.AllAsync(null, ct).ConfigureAwait(false);
            IEnumerable<StoredVersion> selected = ElsaDefinitions.Select(all, query["versionOptions"].ToString());
            var definitionIds = query["DefinitionIds"].Where(v => !string.IsNullOrEmpty(v)).ToHashSet(StringComparer.Ordinal);
            if (definitionIds.Count > 0)
            {
                selected = selected.Where(v => definitionIds.Contains(v.Entity.DefinitionId));
            }

            var ids = query["Ids"].Where(v => !string.IsNullOrEmpty(v)).ToHashSet(StringComparer.Ordinal);
            if (ids.Count > 0)
            {
                selected = selected.Where(v => ids.Contains(v.VersionId));
            }

            if (query["SearchTerm"].ToString() is { Length: > 0 } term)
            {
                selected = selected.Where(v => v.Entity.DefinitionId.Contains(term, StringComparison.OrdinalIgnoreCase)
                    || (v.Definition?.Name ?? v.Entity.Name).Contains(term, StringComparison.OrdinalIgnoreCase)
                    || (v.Definition?.Description ?? "").Contains(term, StringComparison.OrdinalIgnoreCase));
            }

            var descending = string.Equals(query["OrderDirection"], "Descending", StringComparison.OrdinalIgnoreCase);
            Func<StoredVersion, object> key = query["OrderBy"].ToString() switch
            {
                "Version" => v => v.Entity.Version,
                "Created" => v => v.Entity.CreatedAt,
                _ => v => v.Definition?.Name ?? v.Entity.Name,
            };
            var ordered = (descending ? selected.OrderByDescending(key) : selected.OrderBy(key)).ThenBy(v => v.Entity.DefinitionId, StringComparer.Ordinal).ToList();
            var page = ordered.AsEnumerable();
            if (int.TryParse(query["Page"], out var pageNumber) && int.TryParse(query["PageSize"], out var pageSize) && pageSize > 0)
            {
                page = page.Skip(pageNumber * pageSize).Take(pageSize);
            }

            var canEdit = CanEdit(context);
            IReadOnlyList<ElsaLink> links = canEdit ? [new("/bulk-actions/publish/workflow-definitions/by-definition-ids", "bulk-publish", "POST")] : [];
            return Json(new PagedListResponse<WorkflowDefinitionSummary>(page.Select(v => ElsaDefinitions.Summary(v, canEdit)).ToList(), ordered.Count, links));
        });

        async Task<IResult> ByDefinitionId(string definitionId, HttpContext context, CancellationToken ct)
        {
            var store = Definitions(context);
            var all = await store.AllAsync(null, ct).ConfigureAwait(false);
            var options = context.Request.Query["versionOptions"].ToString();
            var version = ElsaDefinitions.Select(all.Where(v => v.Entity.DefinitionId == definitionId), options.Length == 0 ? "Latest" : options).LastOrDefault();
            return version is null
                ? NotFound($"no definition '{definitionId}' ({(options.Length == 0 ? "Latest" : options)})")
                : Json(ElsaDefinitions.Model(version, new FlowchartMapper(store.Catalog(all)), CanEdit(context)));
        }

        definitions.MapGet("/by-definition-id/{definitionId}", ByDefinitionId);
        definitions.MapGet("/{definitionId}", ByDefinitionId);
        definitions.MapGet("/by-id/{versionId}", async (string versionId, HttpContext context, CancellationToken ct) =>
        {
            var store = Definitions(context);
            var all = await store.AllAsync(null, ct).ConfigureAwait(false);
            var version = all.FirstOrDefault(v => v.VersionId == versionId);
            return version is null ? NotFound($"no definition version '{versionId}'") : Json(ElsaDefinitions.Model(version, new FlowchartMapper(store.Catalog(all)), CanEdit(context)));
        });
        definitions.MapGet("/validation/is-name-unique", async (HttpContext context, CancellationToken ct) =>
        {
            var name = context.Request.Query["name"].ToString();
            var definitionId = context.Request.Query["definitionId"].ToString();
            var all = await Definitions(context).AllAsync(null, ct).ConfigureAwait(false);
            var taken = all.Any(v => v.IsLatest && v.Entity.DefinitionId != definitionId && string.Equals(v.Definition?.Name ?? v.Entity.Name, name, StringComparison.OrdinalIgnoreCase));
            return Json(new { isUnique = !taken });
        });

        definitions.MapPost("/", async (HttpContext context, CancellationToken ct) =>
        {
            context.Request.EnableBuffering();
            if (await JsonErrorAsync(context.Request, ct).ConfigureAwait(false) is { } notJson)
            {
                return Errors([notJson]);
            }

            var body = await BodyAsync(context.Request, ct).ConfigureAwait(false);
            if (body?["model"] is not JsonObject model)
            {
                return Errors(["the request needs a 'model': the workflow definition"]);
            }

            var publish = body["publish"] is JsonValue p && p.GetValueKind() == JsonValueKind.True;
            return await SavedAsync(context, await Definitions(context).SaveAsync(model, publish, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        }).RequireAuthorization(Policies.Integrator);

        definitions.MapPost("/{definitionId}/publish", async (string definitionId, HttpContext context, CancellationToken ct) =>
        {
            var (version, already) = await Definitions(context).PublishAsync(definitionId, ct).ConfigureAwait(false);
            return version is null ? NotFound($"no definition '{definitionId}'") : await SavedAsync(context, new SaveOutcome(version, [], already), ct).ConfigureAwait(false);
        }).RequireAuthorization(Policies.Integrator);

        definitions.MapPost("/{definitionId}/retract", async (string definitionId, HttpContext context, CancellationToken ct) =>
        {
            var store = Definitions(context);
            var (version, error) = await store.RetractAsync(definitionId, ct).ConfigureAwait(false);
            if (version is null)
            {
                return NotFound($"no definition '{definitionId}'");
            }

            if (error is not null)
            {
                return Errors([error]);
            }

            return Json(ElsaDefinitions.Model(version, new FlowchartMapper(await store.CatalogAsync(ct).ConfigureAwait(false)), CanEdit(context)));
        }).RequireAuthorization(Policies.Integrator);

        definitions.MapPost("/{definitionId}/revert/{version:int}", async (string definitionId, int version, HttpContext context, CancellationToken ct) =>
        {
            var store = Definitions(context);
            var old = await store.FindAsync(definitionId, version, ct).ConfigureAwait(false);
            if (old is null)
            {
                return NotFound($"no version {version} of '{definitionId}'");
            }

            var model = JsonSerializer.SerializeToNode(ElsaDefinitions.Model(old, new FlowchartMapper(await store.CatalogAsync(ct).ConfigureAwait(false)), true), ElsaJson.Options)!.AsObject();
            var outcome = await store.SaveAsync(model, false, ct).ConfigureAwait(false);
            return outcome.Saved is null ? Errors(outcome.Errors) : Json(ElsaDefinitions.Summary(outcome.Saved, CanEdit(context)));
        }).RequireAuthorization(Policies.Integrator);

        definitions.MapDelete("/{definitionId}", async (string definitionId, HttpContext context, CancellationToken ct) =>
            await Definitions(context).DeleteAsync(definitionId, null, ct).ConfigureAwait(false) is { } error ? Errors([error]) : Results.NoContent())
            .RequireAuthorization(Policies.Integrator);
        api.MapDelete("/workflow-definition-versions/{versionId}", async (string versionId, HttpContext context, CancellationToken ct) =>
        {
            var at = versionId.LastIndexOf('@');
            if (at <= 0 || !int.TryParse(versionId[(at + 1)..], out var number))
            {
                return NotFound($"no definition version '{versionId}'");
            }

            return await Definitions(context).DeleteAsync(versionId[..at], number, ct).ConfigureAwait(false) is { } error ? Errors([error]) : Results.NoContent();
        }).RequireAuthorization(Policies.Integrator);

        definitions.MapGet("/{definitionId}/export", async (string definitionId, HttpContext context, CancellationToken ct) =>
        {
            var options = context.Request.Query["versionOptions"].ToString();
            var all = await Definitions(context).AllAsync(definitionId, ct).ConfigureAwait(false);
            var version = ElsaDefinitions.Select(all, options.Length == 0 ? "Latest" : options).LastOrDefault();
            if (version is null)
            {
                return NotFound($"no definition '{definitionId}'");
            }

            var file = Path.GetFileName(version.Entity.SourcePath);
            return Results.File(System.Text.Encoding.UTF8.GetBytes(version.Entity.SourceText), "application/yaml", string.IsNullOrEmpty(file) ? definitionId + ".yaml" : file);
        });

        definitions.MapPost("/{definitionId}/execute", (string definitionId, HttpContext context, CancellationToken ct) => RunAsync(definitionId, context, wait: true, ct))
            .RequireAuthorization(Policies.Integrator);
        definitions.MapPost("/{definitionId}/dispatch", (string definitionId, HttpContext context, CancellationToken ct) => RunAsync(definitionId, context, wait: false, ct))
            .RequireAuthorization(Policies.Integrator);

        var bulk = api.MapGroup("/bulk-actions").RequireAuthorization(Policies.Integrator);
        bulk.MapPost("/publish/workflow-definitions/by-definition-ids", async (HttpContext context, CancellationToken ct) =>
        {
            var ids = Ids(await BodyAsync(context.Request, ct).ConfigureAwait(false), "definitionIds");
            var published = new List<string>();
            var already = new List<string>();
            var notFound = new List<string>();
            foreach (var id in ids)
            {
                var (version, was) = await Definitions(context).PublishAsync(id, ct).ConfigureAwait(false);
                (version is null ? notFound : was ? already : published).Add(id);
            }

            return Json(new { published, alreadyPublished = already, notFound, skipped = Array.Empty<string>(), updatedConsumers = Array.Empty<string>() });
        });
        bulk.MapPost("/retract/workflow-definitions/by-definition-ids", async (HttpContext context, CancellationToken ct) =>
        {
            var ids = Ids(await BodyAsync(context.Request, ct).ConfigureAwait(false), "definitionIds");
            var retracted = new List<string>();
            var already = new List<string>();
            var notFound = new List<string>();
            foreach (var id in ids)
            {
                var (version, error) = await Definitions(context).RetractAsync(id, ct).ConfigureAwait(false);
                (version is null ? notFound : error is null ? retracted : already).Add(id);
            }

            return Json(new { retracted, alreadyRetracted = already, notFound, skipped = Array.Empty<string>() });
        });
        bulk.MapPost("/delete/workflow-definitions/by-definition-id", async (HttpContext context, CancellationToken ct) =>
        {
            var ids = Ids(await BodyAsync(context.Request, ct).ConfigureAwait(false), "definitionIds");
            var errors = new List<string>();
            foreach (var id in ids)
            {
                if (await Definitions(context).DeleteAsync(id, null, ct).ConfigureAwait(false) is { } error)
                {
                    errors.Add(error);
                }
            }

            return errors.Count > 0 ? Errors(errors) : Json(new { deletedCount = ids.Count });
        });
    }

    private static List<string> Ids(JsonObject? body, string key) =>
        (body?[key] as JsonArray ?? []).Select(ElsaJson.Text).OfType<string>().ToList();

    private static async Task<IResult> SavedAsync(HttpContext context, SaveOutcome outcome, CancellationToken ct)
    {
        if (outcome.Saved is null)
        {
            return Errors(outcome.Errors);
        }

        var mapper = new FlowchartMapper(await Definitions(context).CatalogAsync(ct).ConfigureAwait(false));
        return Json(new SaveWorkflowDefinitionResponse(ElsaDefinitions.Model(outcome.Saved, mapper, CanEdit(context)), outcome.AlreadyPublished, 0));
    }

    private static async Task<IResult> RunAsync(string definitionId, HttpContext context, bool wait, CancellationToken ct)
    {
        var body = await BodyAsync(context.Request, ct).ConfigureAwait(false);
        var options = ElsaJson.Text(body?["versionOptions"]);
        var all = await Definitions(context).AllAsync(definitionId, ct).ConfigureAwait(false);
        var version = ElsaDefinitions.Select(all, string.IsNullOrEmpty(options) ? "Latest" : options).LastOrDefault();
        context.Response.Headers.AccessControlExposeHeaders = $"{InstanceIdHeader}, {CannotStartHeader}";
        if (version?.Definition is not { } definition)
        {
            context.Response.Headers[CannotStartHeader] = "true";
            return version is null ? NotFound($"no definition '{definitionId}'") : Errors([$"{version.VersionId} no longer reads; fix {version.Entity.SourcePath}"]);
        }

        var inputs = body?["input"] is JsonObject given
            ? Values.FromJson(JsonSerializer.SerializeToElement(given)) as Dictionary<string, object?> ?? []
            : new Dictionary<string, object?>();
        var services = context.RequestServices;
        var runner = await services.GetRequiredService<ServerState>().RunnerAsync(ct).ConfigureAwait(false);
        var engine = services.GetRequiredService<Engine>();
        var stopping = services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ElsaApi));
        var id = Guid.CreateVersion7();
        var run = Task.Run(async () =>
        {
            try
            {
                await runner.RunAsync(definition, inputs, new RunOptions { TriggeredBy = "designer", ExecutionId = id }, stopping).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                logger.LogError(ex, "designer run of {Definition} failed", definition.Key);
                throw;
            }
        }, CancellationToken.None);

        // Elsa's execute answers when the run ends; a long run is answered once it is recorded, and the viewer polls.
        await Task.WhenAny(run, Task.Delay(wait ? TimeSpan.FromSeconds(10) : TimeSpan.Zero, ct)).ConfigureAwait(false);
        for (var i = 0; i < 200 && !run.IsCompleted && await engine.Executions.GetAsync(id, ct).ConfigureAwait(false) is null; i++)
        {
            await Task.Delay(25, ct).ConfigureAwait(false);
        }

        if (run.IsFaulted && await engine.Executions.GetAsync(id, ct).ConfigureAwait(false) is null)
        {
            context.Response.Headers[CannotStartHeader] = "true";
            return Errors([run.Exception?.GetBaseException().Message ?? "the run could not start"]);
        }

        context.Response.Headers[InstanceIdHeader] = id.ToString();
        var record = await engine.Executions.GetAsync(id, ct).ConfigureAwait(false);
        return Json(new { workflowState = record is null ? null : ElsaInstances.Instance(record, definition.Name, withState: true).WorkflowState });
    }

    private static void MapDescriptors(RouteGroupBuilder api)
    {
        api.MapGet("/descriptors/activities", async (HttpContext context, CancellationToken ct) =>
        {
            var catalog = await Definitions(context).CatalogAsync(ct).ConfigureAwait(false);
            var items = ElsaDescriptors.Activities(catalog);
            return Json(new ListResponse<ActivityDescriptor>(items, items.Count));
        });
        api.MapGet("/descriptors/expression-descriptors", () => Json(new ListResponse<ExpressionDescriptor>(ElsaDescriptors.Expressions, ElsaDescriptors.Expressions.Count)));
        api.MapGet("/descriptors/variables", () => Json(new ListResponse<VariableTypeDescriptor>(ElsaDescriptors.VariableTypes, ElsaDescriptors.VariableTypes.Count)));
        api.MapGet("/descriptors/storage-drivers", () => Json(new ListResponse<StorageDriverDescriptor>(ElsaDescriptors.StorageDrivers, ElsaDescriptors.StorageDrivers.Count)));
        foreach (var empty in new[]
        {
            "/descriptors/workflow-activation-strategies", "/descriptors/incident-strategies", "/descriptors/log-persistence-strategies",
            "/descriptors/commit-strategies/workflows", "/descriptors/commit-strategies/activities", "/descriptors/output-converters",
            "/resilience/strategies", "/features/installed",
        })
        {
            api.MapGet(empty, () => Json(new ListResponse<object>([], 0)));
        }
    }

    private static void MapInstances(RouteGroupBuilder api)
    {
        api.MapPost("/workflow-instances", async (HttpContext context, CancellationToken ct) =>
            Json(await Instances(context).ListAsync(await BodyAsync(context.Request, ct).ConfigureAwait(false), ct).ConfigureAwait(false)));
        api.MapGet("/workflow-instances/{id}", async (string id, HttpContext context, CancellationToken ct) =>
        {
            var loaded = await Instances(context).LoadAsync(id, ct).ConfigureAwait(false);
            return loaded is null ? NotFound($"no execution '{id}'") : Json(ElsaInstances.Instance(loaded.Execution, loaded.Definition?.Name, withState: true));
        });
        api.MapGet("/workflow-instances/{id}/execution-state", async (string id, HttpContext context, CancellationToken ct) =>
        {
            var loaded = await Instances(context).LoadAsync(id, ct).ConfigureAwait(false);
            if (loaded is null)
            {
                return NotFound($"no execution '{id}'");
            }

            var (status, subStatus) = ElsaInstances.Status(loaded.Execution.Status);
            return Json(new { status, workflowSubStatus = subStatus, updatedAt = loaded.Execution.EndedAt ?? loaded.Execution.StartedAt });
        });

        async Task<IResult> Journal(string id, HttpContext context, CancellationToken ct)
        {
            var loaded = await Instances(context).LoadAsync(id, ct).ConfigureAwait(false);
            if (loaded is null)
            {
                return NotFound($"no execution '{id}'");
            }

            var body = HttpMethods.IsPost(context.Request.Method) ? await BodyAsync(context.Request, ct).ConfigureAwait(false) : null;
            _ = int.TryParse(context.Request.Query["skip"], out var skip);
            var take = int.TryParse(context.Request.Query["take"], out var t) ? t : 100;
            return Json(ElsaInstances.Journal(loaded, body?["filter"] as JsonObject, skip, take));
        }

        api.MapPost("/workflow-instances/{id}/journal", Journal);
        api.MapGet("/workflow-instances/{id}/journal", Journal);
        api.MapGet("/workflow-instances/{id}/variables", () => Json(new ListResponse<object>([], 0)));
        api.MapPost("/activity-executions/report", async (HttpContext context, CancellationToken ct) =>
        {
            var body = await BodyAsync(context.Request, ct).ConfigureAwait(false);
            var loaded = await Instances(context).LoadAsync(ElsaJson.Text(body?["workflowInstanceId"]) ?? "", ct).ConfigureAwait(false);
            var nodeIds = Ids(body, "activityNodeIds");
            return Json(new { stats = loaded is null ? [] : ElsaInstances.Report(loaded, nodeIds) });
        });

        async Task<IResult> List(HttpContext context, bool summaries, CancellationToken ct)
        {
            var loaded = await Instances(context).LoadAsync(context.Request.Query["WorkflowInstanceId"].ToString(), ct).ConfigureAwait(false);
            var nodeId = context.Request.Query["ActivityNodeId"].ToString();
            var items = loaded is null ? [] : ElsaInstances.Executions(loaded, nodeId.Length == 0 ? null : nodeId);
            object[] shaped = summaries
                ? items.Select(i => (object)new
                {
                    i.Id, i.WorkflowInstanceId, i.ActivityId, i.ActivityNodeId, i.ActivityType, i.ActivityTypeVersion, i.ActivityName,
                    i.StartedAt, i.HasBookmarks, i.Status, i.CompletedAt, i.Metadata,
                }).ToArray()
                : items.Cast<object>().ToArray();
            return Json(new ListResponse<object>(shaped, shaped.Length));
        }

        api.MapGet("/activity-execution-summaries/list", (HttpContext context, CancellationToken ct) => List(context, true, ct));
        api.MapGet("/activity-executions/list", (HttpContext context, CancellationToken ct) => List(context, false, ct));
        api.MapGet("/activity-executions/by-id", async (HttpContext context, CancellationToken ct) =>
        {
            var id = context.Request.Query["id"].ToString();
            var loaded = await Instances(context).LoadAsync(ElsaInstances.ExecutionIdOf(id) ?? "", ct).ConfigureAwait(false);
            return loaded is not null && ElsaInstances.Execution(loaded, id) is { } record ? Json(record) : NotFound($"no activity execution '{id}'");
        });
        api.MapGet("/activity-executions/{id}/call-stack", async (string id, HttpContext context, CancellationToken ct) =>
        {
            var loaded = await Instances(context).LoadAsync(ElsaInstances.ExecutionIdOf(id) ?? "", ct).ConfigureAwait(false);
            var record = loaded is null ? null : ElsaInstances.Execution(loaded, id);
            return Json(new { activityExecutionId = id, items = record is null ? Array.Empty<ActivityExecutionRecordModel>() : [record], totalCount = record is null ? 0 : 1 });
        });
    }
}
