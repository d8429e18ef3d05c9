using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlowEngine.Simulators.Roadmunk.GraphQL;

namespace FlowEngine.Simulators.Roadmunk;

/// <summary>
/// The GraphQL gateway: <c>POST /</c> (and <c>/graphql</c>) with <c>{query, variables, operationName}</c> and
/// <c>Authorization: Bearer &lt;api token&gt;</c>. GraphQL errors come back as HTTP 200 with <c>errors[]</c>.
/// </summary>
internal sealed class RoadmunkEndpoint(RoadmunkData data, RoadmunkFaults faults, RoadmunkExecutor executor)
{
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public void Map(WebApplication app)
    {
        app.MapPost("/", HandleAsync);
        app.MapPost("/graphql", HandleAsync);
        app.MapFallback(() => Errors(StatusCodes.Status404NotFound, "Not Found"));
    }

    public static IResult Errors(int status, string message) =>
        Json(RoadmunkExecutor.ErrorsOnly([message]), status);

    private static IResult Json(JsonObject body, int status = StatusCodes.Status200OK) =>
        Results.Json(body, s_json, statusCode: status);

    private async Task<IResult> HandleAsync(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) || header[7..].Trim() != data.ApiToken || faults.ApiTokenRevoked)
        {
            return Errors(StatusCodes.Status401Unauthorized, "Unauthorized");
        }

        if (faults.TakeGraphQLErrors(out var injected))
        {
            var body = RoadmunkExecutor.ErrorsOnly([injected]);
            body["data"] = null;
            return Json(body);
        }

        JsonObject? payload;
        try
        {
            payload = await JsonNode.ParseAsync(request.Body, cancellationToken: request.HttpContext.RequestAborted) as JsonObject;
        }
        catch (JsonException ex)
        {
            return Errors(StatusCodes.Status400BadRequest, "Body is not valid JSON: " + ex.Message);
        }

        if (payload?["query"] is not JsonValue queryNode || queryNode.GetValueKind() != JsonValueKind.String)
        {
            return Errors(StatusCodes.Status400BadRequest, "Must provide query string.");
        }

        var variables = payload["variables"];
        if (variables is not null and not JsonObject)
        {
            return Errors(StatusCodes.Status400BadRequest, "Variables must be an object.");
        }

        var operationName = payload["operationName"] is JsonValue name && name.GetValueKind() == JsonValueKind.String ? name.GetValue<string>() : null;
        try
        {
            var operation = GraphQLParser.Parse(queryNode.GetValue<string>(), operationName);
            return Json(executor.Execute(operation, variables as JsonObject));
        }
        catch (GraphQLException ex)
        {
            return Json(RoadmunkExecutor.ErrorsOnly([ex.Message]));
        }
    }
}
