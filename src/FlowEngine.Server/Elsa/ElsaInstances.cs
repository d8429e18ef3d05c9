using System.Text.Json;
using System.Text.Json.Nodes;
using FlowEngine.Definitions.Model;
using FlowEngine.Hosting;
using FlowEngine.Runtime.Records;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Server.Elsa;

/// <summary>
/// Executions as the studio's workflow instances: each step record of the definition's own steps is an activity
/// execution on the node of that step (a called subflow's steps belong to the callee and are not drawn), and the
/// journal is each record's start and end.
/// </summary>
public sealed class ElsaInstances(Engine engine, ElsaDefinitions definitions)
{
    /// <summary>The studio's (status, sub-status) of an execution status.</summary>
    public static (string Status, string SubStatus) Status(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Running => ("Running", "Executing"),
        ExecutionStatus.Waiting => ("Running", "Suspended"),
        ExecutionStatus.Completed => ("Finished", "Finished"),
        ExecutionStatus.Failed => ("Finished", "Faulted"),
        _ => ("Finished", "Cancelled"),
    };

    private static string StepStatus(StepStatus status) => status switch
    {
        Runtime.Records.StepStatus.Running => "Running",
        Runtime.Records.StepStatus.Completed => "Completed",
        Runtime.Records.StepStatus.Failed => "Faulted",
        _ => "Canceled",
    };

    /// <summary>An execution with its steps, and the nodes of the version it ran.</summary>
    public sealed record Loaded(ExecutionRecord Execution, Definition? Definition, IReadOnlyDictionary<string, FlowchartNode> Nodes)
    {
        /// <summary>The records of the definition's own steps.</summary>
        public IEnumerable<StepRecord> OwnSteps => Execution.Steps.Where(s => s.DefinitionKey == $"{Execution.DefinitionId}@{Execution.Version}" && Nodes.ContainsKey(s.StepId));
    }

    /// <summary>Loads an execution; null when the id is unknown.</summary>
    public async Task<Loaded?> LoadAsync(string id, CancellationToken cancellationToken)
    {
        if (!Guid.TryParse(id, out var guid))
        {
            return null;
        }

        var execution = await engine.Executions.GetAsync(guid, cancellationToken).ConfigureAwait(false);
        if (execution is null)
        {
            return null;
        }

        var version = await definitions.FindAsync(execution.DefinitionId, execution.Version, cancellationToken).ConfigureAwait(false);
        var nodes = version?.Definition is { } definition
            ? new FlowchartMapper(await definitions.CatalogAsync(cancellationToken).ConfigureAwait(false)).Nodes(definition)
            : new Dictionary<string, FlowchartNode>();
        return new Loaded(execution, version?.Definition, nodes);
    }

    /// <summary>An execution as a workflow instance (with its state when <paramref name="withState"/>).</summary>
    public static WorkflowInstanceModel Instance(ExecutionRecord execution, string? name, bool withState)
    {
        ArgumentNullException.ThrowIfNull(execution);
        var (status, subStatus) = Status(execution.Status);
        var updated = execution.EndedAt ?? execution.StartedAt;
        var incidents = new JsonArray();
        if (execution.Status == ExecutionStatus.Failed)
        {
            incidents.Add(new JsonObject
            {
                ["activityId"] = execution.ErrorStepId,
                ["activityNodeId"] = execution.ErrorStepId is null ? null : FlowchartMapper.NodeId(execution.ErrorStepId),
                ["activityType"] = null,
                ["message"] = execution.Error,
                ["exception"] = new JsonObject { ["type"] = "FlowEngine.StepFailed", ["message"] = execution.Error, ["stackTrace"] = null, ["innerException"] = null },
                ["timestamp"] = updated.ToString("O"),
            });
        }

        return new WorkflowInstanceModel
        {
            Id = execution.Id.ToString(),
            DefinitionId = execution.DefinitionId,
            DefinitionVersionId = ElsaDefinitions.VersionId(execution.DefinitionId, execution.Version),
            Version = execution.Version,
            Status = status,
            SubStatus = subStatus,
            Name = name ?? execution.DefinitionId,
            IncidentCount = incidents.Count,
            CreatedAt = execution.StartedAt,
            UpdatedAt = updated,
            FinishedAt = execution.EndedAt,
            WorkflowState = withState ? new JsonObject
            {
                ["id"] = execution.Id.ToString(),
                ["definitionId"] = execution.DefinitionId,
                ["definitionVersion"] = execution.Version,
                ["correlationId"] = null,
                ["status"] = status,
                ["subStatus"] = subStatus,
                ["bookmarks"] = new JsonArray(),
                ["incidents"] = incidents,
                ["fault"] = execution.Error is null ? null : new JsonObject { ["message"] = execution.Error, ["faultedActivityId"] = execution.ErrorStepId, ["exception"] = null },
                ["completionCallbacks"] = new JsonArray(),
                ["activityExecutionContexts"] = new JsonArray(),
                ["input"] = Parse(execution.InputsJson) ?? new JsonObject(),
                ["output"] = Parse(execution.OutputsJson) ?? new JsonObject(),
                ["properties"] = new JsonObject { ["triggeredBy"] = execution.TriggeredBy, ["error"] = execution.Error },
                ["createdAt"] = execution.StartedAt.ToString("O"),
                ["updatedAt"] = updated.ToString("O"),
                ["finishedAt"] = execution.EndedAt?.ToString("O"),
            } : null,
        };
    }

    /// <summary>The instance list (<c>POST /workflow-instances</c>).</summary>
    public async Task<PagedListResponse<WorkflowInstanceModel>> ListAsync(JsonObject? request, CancellationToken cancellationToken)
    {
        var page = (int?)Number(request?["page"]) ?? 0;
        var pageSize = (int?)Number(request?["pageSize"]) ?? 50;
        var search = ElsaJson.Text(request?["searchTerm"]);
        var ids = new List<string>();
        if (ElsaJson.Text(request?["definitionId"]) is { Length: > 0 } one)
        {
            ids.Add(one);
        }

        ids.AddRange((request?["definitionIds"] as JsonArray ?? []).Select(ElsaJson.Text).OfType<string>());
        var statuses = Names(request?["statuses"]).Concat(ElsaJson.Text(request?["status"]) is { } s ? [s] : []).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var subStatuses = Names(request?["subStatuses"]).Concat(ElsaJson.Text(request?["subStatus"]) is { } ss ? [ss] : []).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var wanted = Enum.GetValues<ExecutionStatus>()
            .Where(e => (statuses.Count == 0 || statuses.Contains(Status(e).Status)) && (subStatuses.Count == 0 || subStatuses.Contains(Status(e).SubStatus)))
            .ToList();

        await using var db = engine.Store.CreateContext();
        var query = db.Executions.AsNoTracking().Where(e => wanted.Contains(e.Status));
        if (ids.Count > 0)
        {
            query = query.Where(e => ids.Contains(e.DefinitionId));
        }

        if (!string.IsNullOrWhiteSpace(search))
        {
            var term = search.Trim();
            query = query.Where(e => e.DefinitionId.Contains(term) || e.TriggeredBy.Contains(term));
        }

        var descending = !string.Equals(ElsaJson.Text(request?["orderDirection"]), "Ascending", StringComparison.OrdinalIgnoreCase);
        query = ElsaJson.Text(request?["orderBy"]) switch
        {
            "Finished" => descending ? query.OrderByDescending(e => e.EndedAt) : query.OrderBy(e => e.EndedAt),
            "Name" => descending ? query.OrderByDescending(e => e.DefinitionId) : query.OrderBy(e => e.DefinitionId),
            _ => descending ? query.OrderByDescending(e => e.StartedAt) : query.OrderBy(e => e.StartedAt),
        };
        var total = await query.LongCountAsync(cancellationToken).ConfigureAwait(false);
        var rows = await query.Skip(page * pageSize).Take(pageSize).ToListAsync(cancellationToken).ConfigureAwait(false);
        var names = (await definitions.AllAsync(null, cancellationToken).ConfigureAwait(false))
            .Where(v => v.IsLatest).ToDictionary(v => v.Entity.DefinitionId, v => v.Definition?.Name ?? v.Entity.Name, StringComparer.Ordinal);
        return new PagedListResponse<WorkflowInstanceModel>(rows.Select(r => Instance(r, names.GetValueOrDefault(r.DefinitionId), false)).ToList(), total);
    }

    /// <summary>The journal: each step's start and end, in order, filtered to the nodes asked for.</summary>
    public static PagedListResponse<WorkflowExecutionLogRecord> Journal(Loaded loaded, JsonObject? filter, int skip, int take)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        var nodeIds = Names(filter?["activityNodeIds"]).ToHashSet(StringComparer.Ordinal);
        var activityIds = Names(filter?["activityIds"]).ToHashSet(StringComparer.Ordinal);
        var events = Names(filter?["eventNames"]).ToHashSet(StringComparer.Ordinal);
        var records = new List<WorkflowExecutionLogRecord>();
        var bySequence = loaded.Execution.Steps.ToDictionary(s => s.Sequence);
        foreach (var step in loaded.OwnSteps)
        {
            var node = loaded.Nodes[step.StepId];
            if ((nodeIds.Count > 0 && !nodeIds.Contains(node.NodeId)) || (activityIds.Count > 0 && !activityIds.Contains(node.ActivityId)))
            {
                continue;
            }

            var instanceId = ActivityExecutionId(loaded.Execution, step);
            var parent = step.ParentSequence is { } p && bySequence.TryGetValue(p, out var parentStep) ? ActivityExecutionId(loaded.Execution, parentStep) : null;
            WorkflowExecutionLogRecord Record(string eventName, DateTimeOffset at, long order, string? message) => new()
            {
                Id = $"{instanceId}:{eventName}",
                ActivityInstanceId = instanceId,
                ParentActivityInstanceId = parent,
                ActivityId = node.ActivityId,
                ActivityType = node.TypeName,
                ActivityName = node.Name,
                NodeId = node.NodeId,
                Timestamp = at,
                Sequence = order,
                EventName = eventName,
                Message = message,
                Source = step.Path,
                ActivityState = eventName == "Started" ? Parse(step.InputsJson) : null,
                Payload = eventName == "Started" ? null : Parse(step.OutputsJson),
            };

            records.Add(Record("Started", step.StartedAt, step.Sequence * 2L, null));
            if (step.EndedAt is { } ended)
            {
                var name = step.Status switch
                {
                    Runtime.Records.StepStatus.Failed => "Faulted",
                    Runtime.Records.StepStatus.Cancelled => "Canceled",
                    _ => "Completed",
                };
                records.Add(Record(name, ended, (step.Sequence * 2L) + 1, step.Error));
            }
        }

        var ordered = records.Where(r => events.Count == 0 || events.Contains(r.EventName))
            .OrderBy(r => r.Timestamp).ThenBy(r => r.Sequence).ToList();
        return new PagedListResponse<WorkflowExecutionLogRecord>(ordered.Skip(skip).Take(take <= 0 ? int.MaxValue : take).ToList(), ordered.Count);
    }

    /// <summary>Counts per node for the badges.</summary>
    public static IReadOnlyList<ActivityExecutionStats> Report(Loaded loaded, IEnumerable<string> nodeIds)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        var byNode = loaded.OwnSteps.GroupBy(s => loaded.Nodes[s.StepId].NodeId).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var result = new List<ActivityExecutionStats>();
        foreach (var nodeId in nodeIds.Distinct(StringComparer.Ordinal))
        {
            if (!byNode.TryGetValue(nodeId, out var steps))
            {
                continue;
            }

            result.Add(new ActivityExecutionStats
            {
                ActivityId = steps[0].StepId,
                ActivityNodeId = nodeId,
                StartedCount = steps.Count,
                CompletedCount = steps.Count(s => s.Status == Runtime.Records.StepStatus.Completed),
                UncompletedCount = steps.Count(s => s.Status == Runtime.Records.StepStatus.Running),
                IsBlocked = false,
                IsFaulted = steps.Any(s => s.Status == Runtime.Records.StepStatus.Failed),
            });
        }

        return result;
    }

    /// <summary>The activity executions of one node (or every one when <paramref name="nodeId"/> is null).</summary>
    public static IReadOnlyList<ActivityExecutionRecordModel> Executions(Loaded loaded, string? nodeId)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return loaded.OwnSteps.Where(s => nodeId is null || loaded.Nodes[s.StepId].NodeId == nodeId).Select(s => Execution(loaded, s)).ToList();
    }

    /// <summary>One activity execution by id (<c>execution:sequence</c>).</summary>
    public static ActivityExecutionRecordModel? Execution(Loaded loaded, string id)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        return loaded.OwnSteps.FirstOrDefault(s => ActivityExecutionId(loaded.Execution, s) == id) is { } step ? Execution(loaded, step) : null;
    }

    /// <summary>The execution id part of an activity execution id.</summary>
    public static string? ExecutionIdOf(string activityExecutionId) =>
        activityExecutionId.Split(':') is [var execution, _] ? execution : null;

    private static string ActivityExecutionId(ExecutionRecord execution, StepRecord step) => $"{execution.Id}:{step.Sequence}";

    private static ActivityExecutionRecordModel Execution(Loaded loaded, StepRecord step)
    {
        var node = loaded.Nodes[step.StepId];
        return new ActivityExecutionRecordModel
        {
            Id = ActivityExecutionId(loaded.Execution, step),
            WorkflowInstanceId = loaded.Execution.Id.ToString(),
            ActivityId = node.ActivityId,
            ActivityNodeId = node.NodeId,
            ActivityType = node.TypeName,
            ActivityName = node.Name,
            StartedAt = step.StartedAt,
            Status = StepStatus(step.Status),
            CompletedAt = step.EndedAt,
            Metadata = new JsonObject { ["path"] = step.Path, ["retryCount"] = step.RetryCount, ["iteration"] = step.Iteration },
            ActivityState = Parse(step.InputsJson) ?? new JsonObject(),
            Outputs = Parse(step.OutputsJson) ?? new JsonObject(),
            Payload = new JsonObject(),
            Properties = new JsonObject { ["path"] = step.Path, ["stepType"] = step.Type },
            Exception = step.Error is null ? null : new JsonObject { ["type"] = "FlowEngine.StepFailed", ["message"] = step.Error, ["stackTrace"] = null, ["innerException"] = null },
            AggregateFaultCount = step.Status == Runtime.Records.StepStatus.Failed ? 1 : 0,
            SchedulingActivityExecutionId = step.ParentSequence is { } parent ? $"{loaded.Execution.Id}:{parent}" : null,
            SchedulingWorkflowInstanceId = loaded.Execution.Id.ToString(),
            CallStackDepth = step.Path.Count(c => c == '/'),
        };
    }

    private static JsonNode? Parse(string? json)
    {
        if (string.IsNullOrEmpty(json))
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return JsonValue.Create(json);
        }
    }

    private static long? Number(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? (long)v.GetValue<double>() : null;

    private static IEnumerable<string> Names(JsonNode? node) =>
        (node as JsonArray ?? []).Select(ElsaJson.ScalarText).OfType<string>();
}
