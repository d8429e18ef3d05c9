using System.Collections;
using System.Net.Http.Headers;
using System.Text;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.StepTypes;
using FlowEngine.Expressions;
using FlowEngine.Integration.Connections;
using FlowEngine.Integration.Http;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Steps;

namespace FlowEngine.Integration.Steps;

/// <summary><c>graphql: query</c>: a GraphQL request through an alias; <c>errors[]</c> in a 200 answer is a failure.</summary>
public sealed class GraphQLStepHandler(AliasResolver resolver, VendorHttp http) : IStepHandler
{
    /// <summary>The step type.</summary>
    public static readonly StepTypeDescriptor Type = new()
    {
        Keyword = "graphql",
        Title = "GraphQL request",
        Category = "Integration",
        Description = "Posts a GraphQL query or mutation through an alias; errors[] in the answer fails the step with their messages.",
        Primary = "graphql",
        Properties =
        [
            new("graphql", PropertyKind.Value, "The query or mutation text.") { Required = true, ExpectedType = TypeSpec.String },
            new("variables", PropertyKind.Value, "Variables of the operation.") { ExpectedType = TypeSpec.Object },
            new("operation_name", PropertyKind.Value, "The operation to run when the text holds several.") { ExpectedType = TypeSpec.String },
            new("path", PropertyKind.Value, "Endpoint path relative to the alias's URL (default /).") { ExpectedType = TypeSpec.String },
            new("idempotent", PropertyKind.Value, "A mutation that is safe to repeat when its outcome is unknown.") { ExpectedType = TypeSpec.Boolean },
            VendorStep.Alias,
            VendorStep.ResponseLimit,
            VendorStep.Retry,
            VendorStep.Paginate,
            VendorStep.Do,
        ],
        StepLocals = ["connection"],
        Locals = VendorStep.PageLocals,
        Result = TypeSpec.Object,
    };

    /// <inheritdoc />
    public StepTypeDescriptor Descriptor => Type;

    /// <inheritdoc />
    public async ValueTask<object?> ExecuteAsync(StepContext context)
    {
        var (connection, scoped) = await VendorStep.ResolveAsync(context, resolver).ConfigureAwait(false);
        var query = Values.ToText(scoped.Evaluate("graphql"));
        var variables = scoped.Evaluate("variables") as Dictionary<string, object?> ?? [];
        var operation = scoped.Evaluate("operation_name") is { } op ? Values.ToText(op) : null;
        var path = scoped.Evaluate("path") is { } p ? Values.ToText(p) : "/";
        var isMutation = query.TrimStart().StartsWith("mutation", StringComparison.Ordinal);
        var policy = VendorStep.Policy(scoped, connection);
        var limit = VendorStep.Limit(scoped);
        var idempotent = !isMutation || Values.IsTruthy(scoped.Evaluate("idempotent"));
        var what = $"GraphQL {(operation ?? (isMutation ? "mutation" : "query"))}";
        context.RecordInputs(VendorStep.Recorded(connection, new Dictionary<string, object?>
        {
            ["operation_name"] = operation,
            ["variables"] = variables,
            ["path"] = path,
        }));

        async Task<VendorResponse> SendAsync(Dictionary<string, object?> vars, CancellationToken cancellationToken)
        {
            var payload = new Dictionary<string, object?> { ["query"] = query, ["variables"] = RestStepHandler.Reveal(vars) };
            if (operation is not null)
            {
                payload["operationName"] = operation;
            }

            var json = Values.ToJson(payload);
            var request = new VendorRequest(HttpMethod.Post, path)
            {
                Body = () => new StringContent(json, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
                Idempotent = idempotent,
                ResponseLimit = limit,
            };
            var response = await http.SendAsync(connection, request, policy, cancellationToken).ConfigureAwait(false);
            if (response.Status >= 400)
            {
                throw VendorStep.StatusFailure(context, connection, what, response);
            }

            if (VendorStep.Path(response.Body, "errors") is IList { Count: > 0 })
            {
                throw new StepFailedException(
                    context.Scrub($"{connection.Vendor} (alias {connection.UsedAlias}) returned GraphQL errors for {what}: {VendorStep.VendorMessage(response.Body)}"),
                    context.Step.Id, "graphql") { Details = new Dictionary<string, object?> { ["status"] = (long)response.Status, ["vendor_message"] = VendorStep.VendorMessage(response.Body) } };
            }

            return response;
        }

        if (scoped.Evaluate("paginate") is Dictionary<string, object?> paging)
        {
            var cursorVariable = paging.GetValueOrDefault("cursor_variable") as string ?? "after";
            var limitVariable = paging.GetValueOrDefault("limit_variable") as string ?? "first";
            paging.TryAdd("style", "cursor");
            return await VendorStep.PagesAsync(scoped, connection, paging, (state, cancellationToken) =>
            {
                var vars = new Dictionary<string, object?>(variables, StringComparer.Ordinal) { [limitVariable] = state.Limit, [cursorVariable] = state.Cursor };
                return SendAsync(vars, cancellationToken);
            }, what, readAhead: !isMutation).ConfigureAwait(false);
        }

        var answer = await SendAsync(variables, context.CancellationToken).ConfigureAwait(false);
        context.Record.RetryCount = answer.Retries;

        return new Dictionary<string, object?> { ["status"] = (long)answer.Status, ["data"] = VendorStep.Path(answer.Body, "data") };
    }
}
