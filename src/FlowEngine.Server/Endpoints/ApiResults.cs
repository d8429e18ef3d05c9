using System.Text.Json.Nodes;
using FlowEngine.Definitions;
using FlowEngine.Expressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace FlowEngine.Server.Endpoints;

/// <summary>One diagnostic as the API shows it: where, which code, what.</summary>
internal sealed record DiagnosticView(string File, int Line, int Column, string Code, string Severity, string? StepId, string Message)
{
    public static DiagnosticView From(Diagnostic d) =>
        new(d.File, d.Line, d.Column, d.Code, d.Severity == Definitions.Severity.Error ? "error" : "warning", d.StepId, d.Message);
}

/// <summary>ProblemDetails and JSON helpers shared by the endpoints.</summary>
internal static class ApiResults
{
    public static ProblemHttpResult Problem(int status, string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: status, title: title, extensions: extensions);

    public static ProblemHttpResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, "Not found", detail);

    public static ProblemHttpResult BadRequest(string detail) => Problem(StatusCodes.Status400BadRequest, "Bad request", detail);

    public static ProblemHttpResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        Problem(StatusCodes.Status409Conflict, "Conflict", detail, extensions);

    /// <summary>Diagnostics as a ProblemDetails whose <c>errors</c> extension lists each with file, line, column, code and message.</summary>
    public static ProblemHttpResult Diagnostics(int status, string title, IReadOnlyList<Diagnostic> diagnostics)
    {
        var errors = diagnostics.Where(d => d.Severity == Definitions.Severity.Error).ToList();
        var detail = errors.Count == 0 ? title : $"{errors.Count} error(s); the first: {errors[0]}";
        return Problem(status, title, detail, new Dictionary<string, object?>
        {
            ["errors"] = diagnostics.Select(DiagnosticView.From).ToList(),
        });
    }

    /// <summary>JSON text (stored inputs and outputs, already masked) as a node, so it is embedded, not quoted.</summary>
    public static JsonNode? Json(string? text) => string.IsNullOrEmpty(text) ? null : JsonNode.Parse(text);

    /// <summary>An engine value as JSON; secrets come out masked.</summary>
    public static JsonNode? Json(object? value) => JsonNode.Parse(Values.ToJson(value));
}

/// <summary>How a run the API waited for ended (a connection test, a profile's validation, download or activity).</summary>
internal sealed record RunView(bool Succeeded, Guid ExecutionId, Runtime.Records.ExecutionStatus Status, string? Error, JsonNode? Outputs)
{
    public static RunView From(Runtime.Records.ExecutionRecord execution, IReadOnlyDictionary<string, object?> outputs) => new(
        execution.Status == Runtime.Records.ExecutionStatus.Completed, execution.Id, execution.Status, execution.Error,
        ApiResults.Json(outputs.ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal)));

    public static RunView From(LicenseManagement.RunOutcome outcome) => From(outcome.Execution, outcome.Outputs);
}
