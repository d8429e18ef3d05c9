using System.Text;
using System.Text.Json;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.Validation;
using FlowEngine.Expressions;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using FlowEngine.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace FlowEngine.Server.Endpoints;

/// <summary>
/// HTTP triggers: a request to <c>/flows/http/&lt;path&gt;</c> starts the published flow whose
/// <c>http: { path, method }</c> trigger matches. The query string and the fields of a JSON object body become inputs
/// of the same names; a declared <c>body</c> input gets the whole body and a declared <c>request</c> input gets
/// method, path, query, headers and body. The answer is the flow's outputs once it completes (within
/// <see cref="Wait"/>), else 202 with its execution id; <c>Prefer: respond-async</c> asks for the 202 at once.
/// </summary>
internal static class HttpTriggerEndpoints
{
    public const string Prefix = "/flows/http";

    /// <summary>How long a request waits for the flow before answering 202 with the execution id.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private const int MaxBodyBytes = 4 * 1024 * 1024;
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    private static readonly string[] HiddenHeaders = ["authorization", "cookie", "proxy-authorization"];

    public static IEndpointRouteBuilder MapHttpTriggers(this IEndpointRouteBuilder app)
    {
        app.MapMethods(Prefix + "/{**path}", Methods, HandleAsync).WithTags("HTTP triggers").RequireAuthorization(Policies.Integrator);
        return app;
    }

    /// <summary>Published flows with an HTTP trigger: (path without slashes at the ends, method or null for any).</summary>
    internal static IEnumerable<(string Path, string? Method, Definition Definition)> Triggers(IDefinitionLookup definitions) =>
        definitions.Ids.Order(StringComparer.Ordinal)
            .Select(id => definitions.Find(id, null))
            .OfType<Definition>()
            .Where(d => d.Kind == DefinitionKind.Flow)
            .SelectMany(d => d.Triggers.Where(t => t.Type == "http" && t.Settings.GetValueOrDefault("path") is string)
                .Select(t => (((string)t.Settings["path"]!).Trim('/'), t.Settings.GetValueOrDefault("method") is string m && m.Length > 0 ? m.ToUpperInvariant() : null, d)));

    private static async Task<IResult> HandleAsync(string? path, HttpContext context, BackgroundRuns runs, CancellationToken ct)
    {
        var request = context.Request;
        var runner = await runs.RunnerAsync(ct).ConfigureAwait(false);
        var wanted = (path ?? "").Trim('/');
        var candidates = Triggers(runner.Definitions).Where(t => t.Path == wanted).ToList();
        if (candidates.Count == 0)
        {
            return ApiResults.NotFound($"no published flow has an HTTP trigger with path '{wanted}'{Suggest.DidYouMean(wanted, Triggers(runner.Definitions).Select(t => t.Path))}");
        }

        var match = candidates.FirstOrDefault(t => t.Method is null || t.Method == request.Method.ToUpperInvariant());
        if (match.Definition is null)
        {
            var allowed = string.Join(", ", candidates.Select(c => c.Method!).Distinct());
            context.Response.Headers.Allow = allowed;
            return ApiResults.Problem(StatusCodes.Status405MethodNotAllowed, "Method not allowed", $"'{wanted}' answers {allowed}, not {request.Method}");
        }

        if (request.ContentLength is > MaxBodyBytes)
        {
            return ApiResults.Problem(StatusCodes.Status413PayloadTooLarge, "Too large", $"the request body is larger than {MaxBodyBytes} bytes; send at most that much");
        }

        var definition = match.Definition;
        Dictionary<string, object?> inputs;
        try
        {
            inputs = await InputsAsync(definition, request, ct).ConfigureAwait(false);
            Coercion.Inputs(definition, inputs);
        }
        catch (JsonException ex)
        {
            return ApiResults.BadRequest(BadRequests.Json(ex));
        }
        catch (Exception ex) when (ex is StepFailedException or FormatException)
        {
            return ApiResults.BadRequest(ex.Message);
        }

        var (id, completion) = await runs.StartAsync(runner, definition, inputs, "http", null, ct).ConfigureAwait(false);
        var location = $"/api/executions/{id}";
        context.Response.Headers["X-FlowEngine-Execution-Id"] = id.ToString();
        var accepted = Results.Accepted(location, new { executionId = id, status = "running", location });
        if (request.Headers["Prefer"].Any(p => p?.Contains("respond-async", StringComparison.OrdinalIgnoreCase) == true))
        {
            return accepted;
        }

        ExecutionResult result;
        try
        {
            result = await completion.WaitAsync(Wait, ct).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return accepted;
        }

        if (result.Status == ExecutionStatus.Completed)
        {
            return Results.Text(Values.ToJson(result.Outputs.ToDictionary(o => o.Key, o => o.Value, StringComparer.Ordinal)), "application/json", Encoding.UTF8);
        }

        return ApiResults.Problem(StatusCodes.Status500InternalServerError, $"The flow {result.Status.ToString().ToLowerInvariant()}", result.Record.Error ?? "the flow did not complete",
            new Dictionary<string, object?> { ["executionId"] = id, ["status"] = result.Status.ToString(), ["errorStepId"] = result.Record.ErrorStepId });
    }

    private static async Task<Dictionary<string, object?>> InputsAsync(Definition definition, HttpRequest request, CancellationToken ct)
    {
        var declared = definition.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var inputs = new Dictionary<string, object?>(StringComparer.Ordinal);
        var query = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (key, values) in request.Query)
        {
            query[key] = values.Count == 1 ? values[0] : values.Select(v => (object?)v).ToList();
            if (declared.Contains(key))
            {
                inputs[key] = query[key];
            }
        }

        object? body = null;
        if (request.ContentLength is > MaxBodyBytes)
        {
            throw new FormatException($"the request body is larger than {MaxBodyBytes} bytes");
        }

        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ct).ConfigureAwait(false);
        if (!string.IsNullOrWhiteSpace(text))
        {
            var json = request.ContentType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true || text.TrimStart() is ['{', ..] or ['[', ..];
            body = json ? Values.ParseJson(text) : text;
            if (body is Dictionary<string, object?> fields)
            {
                foreach (var (key, value) in fields.Where(f => declared.Contains(f.Key)))
                {
                    inputs[key] = value;
                }
            }
        }

        if (body is not null and not Dictionary<string, object?> && !declared.Contains("body") && !declared.Contains("request"))
        {
            throw new FormatException(declared.Count == 0
                ? $"{definition.Id} takes no inputs; send no body"
                : $"the body must be a JSON object of {definition.Id}'s inputs ({string.Join(", ", declared.Order(StringComparer.Ordinal))}), e.g. {{ \"{declared.Order(StringComparer.Ordinal).First()}\": … }}; this flow takes no other body");
        }

        if (declared.Contains("body"))
        {
            inputs["body"] = body;
        }

        if (declared.Contains("request"))
        {
            inputs["request"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["method"] = request.Method,
                ["path"] = (request.Path.Value ?? "")[Prefix.Length..].Trim('/'),
                ["query"] = query,
                ["headers"] = request.Headers.Where(h => !HiddenHeaders.Contains(h.Key.ToLowerInvariant()))
                    .ToDictionary(h => h.Key.ToLowerInvariant(), h => (object?)h.Value.ToString(), StringComparer.Ordinal),
                ["body"] = body,
            };
        }

        return inputs;
    }
}
