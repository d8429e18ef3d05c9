using System.Text.Json;
using System.Text.Json.Nodes;
using FlowEngine.Expressions;
using FlowEngine.Hosting;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using FlowEngine.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;

namespace FlowEngine.Server.Endpoints;

/// <summary><c>/api/executions</c>: start (in the background), list, read with step records, cancel.</summary>
internal static class ExecutionEndpoints
{
    public static IEndpointRouteBuilder MapExecutionEndpoints(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/executions").WithTags("Executions").RequireAuthorization(Policies.Viewer);

        group.MapGet("/", async Task<Results<Ok<List<ExecutionSummary>>, ProblemHttpResult>> (Engine engine, string? definition, string? status, int? take, CancellationToken ct) =>
        {
            ExecutionStatus? wanted = null;
            if (status is not null)
            {
                if (!Enum.TryParse<ExecutionStatus>(status, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                {
                    return ApiResults.BadRequest($"unknown status '{status}'; use one of {string.Join(", ", Enum.GetNames<ExecutionStatus>().Select(n => n.ToLowerInvariant()))}");
                }

                wanted = parsed;
            }

            var count = Math.Clamp(take ?? 50, 1, 1000);
            var executions = await engine.Executions.ListAsync(definition, wanted is null ? count : 1000, ct).ConfigureAwait(false);
            return TypedResults.Ok(executions.Where(e => wanted is null || e.Status == wanted).Take(count).Select(ExecutionSummary.From).ToList());
        });

        group.MapGet("/{id:guid}", async Task<Results<Ok<ExecutionDetail>, ProblemHttpResult>> (Guid id, Engine engine, BackgroundRuns runs, CancellationToken ct) =>
        {
            var execution = await engine.Executions.GetAsync(id, ct).ConfigureAwait(false);
            return execution is null ? ApiResults.NotFound($"no execution {id}") : TypedResults.Ok(ExecutionDetail.From(execution, runs.IsRunning(id)));
        }).WithName("GetExecution");

        group.MapGet("/{id}", (string id) => ApiResults.BadRequest($"'{id}' is not an execution id; ids are GUIDs such as 0195f2a4-6c1e-7b4a-9d3e-2f1a0b9c8d7e (GET /api/executions lists them)"))
            .ExcludeFromDescription();

        group.MapPost("/", async Task<Results<Accepted<ExecutionSummary>, ProblemHttpResult>> (StartExecution request, Engine engine, BackgroundRuns runs, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(request.DefinitionId))
            {
                return ApiResults.BadRequest("give 'definitionId', e.g. { \"definitionId\": \"demo.idle_report\", \"inputs\": {} }");
            }

            var runner = await runs.RunnerAsync(ct).ConfigureAwait(false);
            var definition = runner.Definitions.Find(request.DefinitionId, request.Version);
            if (definition is null)
            {
                var versions = runner.Definitions.Versions(request.DefinitionId);
                return ApiResults.NotFound(versions.Count > 0
                    ? $"'{request.DefinitionId}' has no {(request.Version is { } v ? $"version {v}" : "published version")}; versions: {string.Join(", ", versions)}"
                    : $"no definition '{request.DefinitionId}'{Suggest.DidYouMean(request.DefinitionId, runner.Definitions.Ids)}");
            }

            Dictionary<string, object?> inputs;
            try
            {
                inputs = Inputs(request.Inputs);
                Coercion.Inputs(definition, inputs);
            }
            catch (Exception ex) when (ex is StepFailedException or FormatException)
            {
                return ApiResults.BadRequest(ex.Message);
            }

            var timeout = request.TimeoutSeconds is { } seconds && seconds > 0 ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
            var (id, _) = await runs.StartAsync(runner, definition, inputs, "api", timeout, ct).ConfigureAwait(false);
            var record = await engine.Executions.GetAsync(id, ct).ConfigureAwait(false);
            var summary = record is null
                ? new ExecutionSummary(id, definition.Id, definition.Version, ExecutionStatus.Running, "api", DateTimeOffset.UtcNow, null, 0, null)
                : ExecutionSummary.From(record);
            return TypedResults.Accepted($"/api/executions/{id}", summary);
        }).RequireAuthorization(Policies.Integrator);

        group.MapPost("/{id:guid}/cancel", async Task<Results<Accepted<ExecutionSummary>, ProblemHttpResult>> (Guid id, Engine engine, BackgroundRuns runs, CancellationToken ct) =>
        {
            var execution = await engine.Executions.GetAsync(id, ct).ConfigureAwait(false);
            if (execution is null)
            {
                return ApiResults.NotFound($"no execution {id}");
            }

            if (!runs.Cancel(id))
            {
                return ApiResults.Conflict($"execution {id} is {execution.Status.ToString().ToLowerInvariant()}, not running in this server; only running executions can be cancelled");
            }

            return TypedResults.Accepted($"/api/executions/{id}", ExecutionSummary.From(execution));
        }).RequireAuthorization(Policies.Integrator);

        return app;
    }

    /// <summary>The <c>inputs</c> object of a request in the engine's value model.</summary>
    internal static Dictionary<string, object?> Inputs(JsonElement? inputs) => inputs switch
    {
        null => new Dictionary<string, object?>(StringComparer.Ordinal),
        { ValueKind: JsonValueKind.Null or JsonValueKind.Undefined } => new Dictionary<string, object?>(StringComparer.Ordinal),
        { ValueKind: JsonValueKind.Object } element => (Dictionary<string, object?>)Values.FromJson(element)!,
        _ => throw new FormatException("'inputs' must be a JSON object of input names and values"),
    };

    [System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
    internal sealed record StartExecution(string DefinitionId, int? Version, JsonElement? Inputs, double? TimeoutSeconds);

    internal sealed record ExecutionSummary(Guid Id, string DefinitionId, int Version, ExecutionStatus Status, string TriggeredBy, DateTimeOffset StartedAt, DateTimeOffset? EndedAt, int StepCount, string? Error)
    {
        public static ExecutionSummary From(ExecutionRecord e) => new(e.Id, e.DefinitionId, e.Version, e.Status, e.TriggeredBy, e.StartedAt, e.EndedAt, e.StepCount, e.Error);
    }

    internal sealed record StepView(
        int Sequence, int? ParentSequence, string StepId, string Path, string Type, string DefinitionKey, StepStatus Status,
        DateTimeOffset StartedAt, DateTimeOffset? EndedAt, double? DurationMs, int RetryCount, int? Iteration, string? Error, JsonNode? Inputs, JsonNode? Outputs)
    {
        public static StepView From(StepRecord s) => new(
            s.Sequence, s.ParentSequence, s.StepId, s.Path, s.Type, s.DefinitionKey, s.Status, s.StartedAt, s.EndedAt,
            s.EndedAt is { } end ? (end - s.StartedAt).TotalMilliseconds : null, s.RetryCount, s.Iteration, s.Error,
            ApiResults.Json(s.InputsJson), ApiResults.Json(s.OutputsJson));
    }

    internal sealed record ExecutionDetail(
        Guid Id, string DefinitionId, int Version, string DefinitionHash, ExecutionStatus Status, bool Cancellable, string TriggeredBy,
        DateTimeOffset StartedAt, DateTimeOffset? EndedAt, int StepCount, string? Error, string? ErrorStepId, JsonNode? Inputs, JsonNode? Outputs, IReadOnlyList<StepView> Steps)
    {
        public static ExecutionDetail From(ExecutionRecord e, bool running) => new(
            e.Id, e.DefinitionId, e.Version, e.DefinitionHash, e.Status, running, e.TriggeredBy, e.StartedAt, e.EndedAt,
            e.Status == ExecutionStatus.Running ? e.Steps.Count : e.StepCount, e.Error, e.ErrorStepId,
            ApiResults.Json(e.InputsJson), ApiResults.Json(e.OutputsJson), e.Steps.OrderBy(s => s.Sequence).Select(StepView.From).ToList());
    }
}
