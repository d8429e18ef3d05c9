using System.Collections;
using System.Globalization;
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

/// <summary><c>rest: /path</c>: one HTTP request (or one per page) through a connection &amp; credential alias.</summary>
public sealed class RestStepHandler(AliasResolver resolver, VendorHttp http) : IStepHandler
{
    /// <summary>The step type.</summary>
    public static readonly StepTypeDescriptor Type = new()
    {
        Keyword = "rest",
        Title = "REST request",
        Category = "Integration",
        Description = "Calls a vendor's REST API through an alias: path relative to the alias's URL, query, headers, a JSON, form or text body; the answer is parsed by content type.",
        Primary = "rest",
        Properties =
        [
            new("rest", PropertyKind.Value, "The resource path, relative to the alias's base URL, e.g. /users/{{ inputs.id }}.") { Required = true, ExpectedType = TypeSpec.String },
            new("method", PropertyKind.Name, "GET (default), POST, PUT, PATCH or DELETE.") { AllowedNames = ["GET", "POST", "PUT", "PATCH", "DELETE"], DefaultName = "GET" },
            VendorStep.Alias,
            new("query", PropertyKind.Value, "Query parameters; an array value repeats the name (user_ids[]=a&user_ids[]=b).") { ExpectedType = TypeSpec.Object },
            new("headers", PropertyKind.Value, "Extra headers.") { ExpectedType = TypeSpec.Object },
            new("body", PropertyKind.Value, "A JSON body."),
            new("form", PropertyKind.Value, "A form-encoded body.") { ExpectedType = TypeSpec.Object },
            new("text", PropertyKind.Value, "A text body.") { ExpectedType = TypeSpec.String },
            new("idempotent", PropertyKind.Value, "The write is safe to repeat when its outcome is unknown, so it may be retried.") { ExpectedType = TypeSpec.Boolean },
            VendorStep.FailOnStatus,
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
        var method = new HttpMethod(context.Step.NameOf("method") ?? "GET");
        var path = Values.ToText(scoped.Evaluate("rest"));
        var query = Query(scoped.Evaluate("query"));
        var headers = (scoped.Evaluate("headers") as Dictionary<string, object?>)?.ToDictionary(h => h.Key, h => h.Value is SecretValue s ? s.Reveal() : Values.ToText(h.Value), StringComparer.OrdinalIgnoreCase)
            ?? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var body = Body(scoped);
        var request = new VendorRequest(method, path)
        {
            Query = query,
            Headers = headers,
            Body = body,
            Idempotent = Values.IsTruthy(scoped.Evaluate("idempotent")),
            ResponseLimit = VendorStep.Limit(scoped),
        };
        var policy = VendorStep.Policy(scoped, connection);
        var what = $"{method} {path}";
        context.RecordInputs(VendorStep.Recorded(connection, new Dictionary<string, object?>
        {
            ["method"] = method.Method,
            ["path"] = path,
            ["query"] = query.Select(q => (object?)$"{q.Key}={q.Value}").ToList(),
        }));

        if (scoped.Evaluate("paginate") is Dictionary<string, object?> paging)
        {
            var limitName = paging.GetValueOrDefault("limit_param") as string ?? "limit";
            var offsetName = paging.GetValueOrDefault("offset_param") as string ?? "offset";
            var cursorName = paging.GetValueOrDefault("cursor_param") as string ?? "cursor";
            var style = paging.GetValueOrDefault("style") as string ?? "offset";
            return await VendorStep.PagesAsync(scoped, connection, paging, (state, cancellationToken) =>
            {
                var pageQuery = query.Where(q => q.Key != limitName && q.Key != offsetName && q.Key != cursorName).ToList();
                pageQuery.Add(new(limitName, state.Limit.ToString(CultureInfo.InvariantCulture)));
                if (style == "offset")
                {
                    pageQuery.Add(new(offsetName, state.Offset.ToString(CultureInfo.InvariantCulture)));
                }
                else if (state.Cursor is not null)
                {
                    pageQuery.Add(new(cursorName, state.Cursor));
                }

                return http.SendAsync(connection, request with { Query = pageQuery }, policy, cancellationToken);
            }, what, readAhead: method == HttpMethod.Get || method == HttpMethod.Head).ConfigureAwait(false);
        }

        var response = await http.SendAsync(connection, request, policy, context.CancellationToken).ConfigureAwait(false);
        context.Record.RetryCount = response.Retries;
        if (response.Status >= 400 && !Equals(scoped.Evaluate("fail_on_status"), false))
        {
            throw VendorStep.StatusFailure(context, connection, what, response);
        }

        return new Dictionary<string, object?>
        {
            ["status"] = (long)response.Status,
            ["headers"] = response.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase),
            ["body"] = response.Body,
        };
    }

    private static List<KeyValuePair<string, string>> Query(object? value)
    {
        var query = new List<KeyValuePair<string, string>>();
        if (value is not Dictionary<string, object?> map)
        {
            return query;
        }

        foreach (var (name, item) in map)
        {
            switch (item)
            {
                case null:
                    break;
                case IList list:
                    query.AddRange(list.Cast<object?>().Select(v => new KeyValuePair<string, string>(name, Values.ToText(v))));
                    break;
                case DateTimeOffset date:
                    query.Add(new(name, date.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
                    break;
                default:
                    query.Add(new(name, item is SecretValue s ? s.Reveal() : Values.ToText(item)));
                    break;
            }
        }

        return query;
    }

    private static Func<HttpContent>? Body(StepContext context)
    {
        if (context.Step.Value("body") is { } json)
        {
            var text = Values.ToJson(Reveal(context.Evaluate(json)));
            return () => new StringContent(text, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        }

        if (context.Evaluate("form") is Dictionary<string, object?> form)
        {
            var fields = form.Select(f => new KeyValuePair<string, string>(f.Key, f.Value is SecretValue s ? s.Reveal() : Values.ToText(f.Value))).ToList();
            return () => new FormUrlEncodedContent(fields);
        }

        if (context.Step.Value("text") is { } textNode)
        {
            var text = context.Evaluate(textNode) is SecretValue s ? s.Reveal() : Values.ToText(context.Evaluate(textNode));
            return () => new StringContent(text, Encoding.UTF8, "text/plain");
        }

        return null;
    }

    // A body sent to the vendor carries secrets in clear; only the request on the wire sees them.
    internal static object? Reveal(object? value) => value switch
    {
        SecretValue s => s.Reveal(),
        Dictionary<string, object?> map => map.ToDictionary(e => e.Key, e => Reveal(e.Value), StringComparer.Ordinal),
        IList list => list.Cast<object?>().Select(Reveal).ToList(),
        _ => value,
    };
}
