using System.Text.Json.Nodes;

namespace FlowEngine.Simulators.Roadmunk.GraphQL;

/// <summary>An operation: <c>query</c> or <c>mutation</c>, its variable defaults and its root selection.</summary>
internal sealed record GraphQLOperation(
    string Kind,
    string? Name,
    IReadOnlyDictionary<string, JsonNode?> VariableDefaults,
    IReadOnlyList<GraphQLField> Selection);

/// <summary>A selected field with its alias, arguments and sub-selection (null for leaves).</summary>
internal sealed record GraphQLField(
    string? Alias,
    string Name,
    IReadOnlyDictionary<string, GraphQLValue> Arguments,
    IReadOnlyList<GraphQLField>? Selection)
{
    public string ResponseKey => Alias ?? Name;
}

/// <summary>An argument value: a <c>$variable</c> or a literal.</summary>
internal sealed record GraphQLValue(string? Variable, JsonNode? Literal);

/// <summary>A request the simulator cannot parse; reported in <c>errors[]</c> like a GraphQL server does.</summary>
internal sealed class GraphQLException(string message) : Exception(message);
