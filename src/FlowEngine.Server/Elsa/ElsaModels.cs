using System.Text.Json.Nodes;

namespace FlowEngine.Server.Elsa;


/// <summary>A HATEOAS link; the studio only reads <c>rel</c> (<c>publish</c> and <c>bulk-publish</c> make things editable).</summary>
public sealed record ElsaLink(string Href, string Rel, string Method);

/// <summary><c>{ items, count }</c>.</summary>
public sealed record ListResponse<T>(IReadOnlyList<T> Items, int Count);

/// <summary><c>{ items, totalCount, links }</c>.</summary>
public sealed record PagedListResponse<T>(IReadOnlyList<T> Items, long TotalCount, IReadOnlyList<ElsaLink>? Links = null);

/// <summary>One row of the definition list.</summary>
public sealed record WorkflowDefinitionSummary
{
    public required string Id { get; init; }
    public required string DefinitionId { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required int Version { get; init; }
    public string ToolVersion { get; init; } = "3.8.0";
    public required bool IsLatest { get; init; }
    public required bool IsPublished { get; init; }
    public string ProviderName { get; init; } = "FlowEngine";
    public string MaterializerName { get; init; } = "Json";
    public bool IsMaterializerAvailable { get; init; } = true;
    public required DateTimeOffset CreatedAt { get; init; }
    public bool IsReadonly { get; init; }
    public IReadOnlyList<ElsaLink> Links { get; init; } = [];
}

/// <summary>A workflow-level input or output.</summary>
public sealed record ArgumentDefinition
{
    public required string Type { get; init; }
    public required bool IsArray { get; init; }
    public required string Name { get; init; }
    public required string DisplayName { get; init; }
    public string Description { get; init; } = "";
    public string Category { get; init; } = "";
    public string? UiHint { get; init; }
    public string? StorageDriverType { get; init; }
}

/// <summary>Workflow options; FlowEngine has none of Elsa's strategies.</summary>
public sealed record WorkflowOptions
{
    public string? ActivationStrategyType { get; init; }
    public bool UsableAsActivity { get; init; }
    public bool AutoUpdateConsumingWorkflows { get; init; }
    public string? ActivityCategory { get; init; }
    public string? IncidentStrategyType { get; init; }
    public string? CommitStrategyName { get; init; }
}

/// <summary>One version of a definition as the studio edits it.</summary>
public sealed record WorkflowDefinitionModel
{
    public required string Id { get; init; }
    public required string DefinitionId { get; init; }
    public required string Name { get; init; }
    public string? Description { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required int Version { get; init; }
    public string ToolVersion { get; init; } = "3.8.0";
    public IReadOnlyList<object> Variables { get; init; } = [];
    public required IReadOnlyList<ArgumentDefinition> Inputs { get; init; }
    public required IReadOnlyList<ArgumentDefinition> Outputs { get; init; }
    public IReadOnlyList<string> Outcomes { get; init; } = [];
    public required JsonObject CustomProperties { get; init; }
    public bool IsReadonly { get; init; }
    public bool IsSystem { get; init; }
    public required bool IsLatest { get; init; }
    public required bool IsPublished { get; init; }
    public required WorkflowOptions Options { get; init; }
    public string ProviderName { get; init; } = "FlowEngine";
    public string MaterializerName { get; init; } = "Json";
    public string? MaterializerContext { get; init; }
    public required JsonObject Root { get; init; }
    public IReadOnlyList<ElsaLink> Links { get; init; } = [];
}

/// <summary>The answer to a save or publish.</summary>
public sealed record SaveWorkflowDefinitionResponse(WorkflowDefinitionModel WorkflowDefinition, bool AlreadyPublished, int ConsumingWorkflowCount);

/// <summary>An activity type for the toolbox and the designer.</summary>
public sealed record ActivityDescriptor
{
    public required string TypeName { get; init; }
    public required string Namespace { get; init; }
    public required string Name { get; init; }
    public int Version { get; init; } = 1;
    public required string Category { get; init; }
    public required string DisplayName { get; init; }
    public string? Description { get; init; }
    public string Kind { get; init; } = "Action";
    public bool IsBrowsable { get; init; } = true;
    public bool IsContainer { get; init; }
    public bool IsStart { get; init; }
    public bool IsTerminal { get; init; }
    public JsonObject CustomProperties { get; init; } = [];
    public JsonObject ConstructionProperties { get; init; } = [];
    public required IReadOnlyList<PortDescriptor> Ports { get; init; }
    public required IReadOnlyList<InputDescriptor> Inputs { get; init; }
    public required IReadOnlyList<OutputDescriptor> Outputs { get; init; }
}

/// <summary>An out-port.</summary>
public sealed record PortDescriptor(string Name, string DisplayName, string Type = "Flow", bool IsBrowsable = true);

/// <summary>An activity input.</summary>
public sealed record InputDescriptor
{
    public required string Name { get; init; }
    public required string TypeName { get; init; }
    public required string DisplayName { get; init; }
    public string? Description { get; init; }
    public int Order { get; init; }
    public bool IsBrowsable { get; init; } = true;
    public bool IsSynthetic { get; init; }
    public bool IsWrapped { get; init; } = true;
    public required string UiHint { get; init; }
    public string? Category { get; init; }
    public object? DefaultValue { get; init; }
    public string DefaultSyntax { get; init; } = "Literal";
    public bool IsReadOnly { get; init; }
    public bool IsSensitive { get; init; }
    public string? StorageDriverType { get; init; }
    public JsonObject? UiSpecifications { get; init; }
}

/// <summary>An activity output.</summary>
public sealed record OutputDescriptor
{
    public required string Name { get; init; }
    public required string TypeName { get; init; }
    public required string DisplayName { get; init; }
    public string? Description { get; init; }
    public int Order { get; init; }
    public bool IsBrowsable { get; init; } = true;
    public bool IsSynthetic { get; init; }
}

/// <summary>An expression language the studio may offer.</summary>
public sealed record ExpressionDescriptor(string Type, string DisplayName, bool IsSerializable, bool IsBrowsable, JsonObject Properties);

/// <summary>A type in the studio's type pickers.</summary>
public sealed record VariableTypeDescriptor(string TypeName, string DisplayName, string Category, string? Description);

/// <summary>A storage driver (only the in-memory one: FlowEngine keeps no workflow variables).</summary>
public sealed record StorageDriverDescriptor(string TypeName, string DisplayName, int Priority, bool Deprecated);

/// <summary>One execution as a workflow instance.</summary>
public sealed record WorkflowInstanceModel
{
    public required string Id { get; init; }
    public required string DefinitionId { get; init; }
    public required string DefinitionVersionId { get; init; }
    public required int Version { get; init; }
    public required string Status { get; init; }
    public required string SubStatus { get; init; }
    public string? CorrelationId { get; init; }
    public string? Name { get; init; }
    public int IncidentCount { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public JsonObject? WorkflowState { get; init; }
}

/// <summary>One journal entry (a step started, completed or faulted).</summary>
public sealed record WorkflowExecutionLogRecord
{
    public required string Id { get; init; }
    public required string ActivityInstanceId { get; init; }
    public string? ParentActivityInstanceId { get; init; }
    public required string ActivityId { get; init; }
    public required string ActivityType { get; init; }
    public int ActivityTypeVersion { get; init; } = 1;
    public required string ActivityName { get; init; }
    public required string NodeId { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required long Sequence { get; init; }
    public required string EventName { get; init; }
    public string? Message { get; init; }
    public string? Source { get; init; }
    public JsonNode? ActivityState { get; init; }
    public JsonNode? Payload { get; init; }
}

/// <summary>Counts for the badges on the nodes.</summary>
public sealed record ActivityExecutionStats
{
    public required string ActivityId { get; init; }
    public required string ActivityNodeId { get; init; }
    public int StartedCount { get; init; }
    public int CompletedCount { get; init; }
    public int UncompletedCount { get; init; }
    public bool IsBlocked { get; init; }
    public bool IsFaulted { get; init; }
    public JsonObject Metadata { get; init; } = [];
}

/// <summary>One run of one step, as an activity execution.</summary>
public sealed record ActivityExecutionRecordModel
{
    public required string Id { get; init; }
    public required string WorkflowInstanceId { get; init; }
    public required string ActivityId { get; init; }
    public required string ActivityNodeId { get; init; }
    public required string ActivityType { get; init; }
    public int ActivityTypeVersion { get; init; } = 1;
    public required string ActivityName { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public bool HasBookmarks { get; init; }
    public required string Status { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public JsonObject Metadata { get; init; } = [];
    public JsonNode? ActivityState { get; init; }
    public JsonNode? Payload { get; init; }
    public JsonNode? Outputs { get; init; }
    public JsonNode? Properties { get; init; }
    public JsonObject? Exception { get; init; }
    public int AggregateFaultCount { get; init; }
    public string? SchedulingActivityExecutionId { get; init; }
    public string? SchedulingActivityId { get; init; }
    public string? SchedulingWorkflowInstanceId { get; init; }
    public int CallStackDepth { get; init; }
}
