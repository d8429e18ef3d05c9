using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using FlowEngine.LicenseManagement;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace FlowEngine.Server.Endpoints;

/// <summary>
/// Turns what a caller got wrong into a 4xx ProblemDetails that says what and where: a body that is not JSON (line
/// and column), a field of the wrong type or unknown (its name and what it takes), a query value that does not parse,
/// a body too large; and the engine's own refusals (unknown profile, wrong order). Nothing here names a .NET type, and
/// a handled exception is not logged as a server failure. Anything else falls through to the host's 500 handler.
/// </summary>
internal sealed partial class BadRequests(IProblemDetailsService problems) : IExceptionHandler
{
    /// <inheritdoc />
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var answer = Describe(exception);
        if (answer is null)
        {
            return false;
        }

        var (status, title, detail) = answer.Value;
        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).ConfigureAwait(false);
    }

    /// <summary>The status, title and detail for a caller's mistake; null for a server failure.</summary>
    internal static (int Status, string Title, string Detail)? Describe(Exception exception) => exception switch
    {
        BadHttpRequestException { InnerException: JsonException json } => (StatusCodes.Status400BadRequest, "The body is not valid", Json(json)),
        BadHttpRequestException bad => (bad.StatusCode, Title(bad.StatusCode), Binding(bad)),
        JsonException json => (StatusCodes.Status400BadRequest, "The body is not valid", Json(json)),
        LicenseException license => (StatusCodes.Status400BadRequest, "The request cannot be done", license.Message),
        KeyNotFoundException missing => (StatusCodes.Status404NotFound, "Not found", missing.Message),
        ArgumentException argument => (StatusCodes.Status400BadRequest, "Bad request", argument.Message),
        _ => null,
    };

    /// <summary>A detail for the answers the framework writes without one (no route, wrong method or media type).</summary>
    internal static string? StatusDetail(HttpContext context) => context.Response.StatusCode switch
    {
        StatusCodes.Status404NotFound => $"nothing is at {context.Request.Method} {context.Request.Path}; GET /openapi/v1.json lists the API's paths",
        StatusCodes.Status405MethodNotAllowed => $"{context.Request.Path} does not answer {context.Request.Method}; GET /openapi/v1.json lists the methods of each path",
        StatusCodes.Status415UnsupportedMediaType => $"the body of {context.Request.Method} {context.Request.Path} must be JSON: send it with Content-Type: application/json",
        StatusCodes.Status401Unauthorized => "send an API key: Authorization: ApiKey <key>",
        StatusCodes.Status403Forbidden => "this API key's role may not do this; ask an admin for a key with the needed role",
        _ => null,
    };

    private static string Title(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "Too large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported media type",
        _ => "Bad request",
    };

    /// <summary>A JSON body that does not read: where (field, line, column) and what the field takes.</summary>
    internal static string Json(JsonException json)
    {
        var where = $"line {(json.LineNumber ?? 0) + 1}, column {(json.BytePositionInLine ?? 0) + 1}";
        var field = FieldName(json.Path);
        var message = json.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut >= 0)
        {
            message = message[..cut];
        }

        if (UnknownMember().Match(message) is { Success: true } unknown)
        {
            var known = KnownFields(unknown.Groups["type"].Value);
            return $"unknown field '{unknown.Groups["name"].Value}' in the body ({where}){(known.Count > 0 ? "; the fields are " + string.Join(", ", known) : "")}; remove it or correct its name";
        }

        if (Conversion().Match(message) is { Success: true } conversion)
        {
            return $"{(field is null ? "the body" : $"field '{field}'")} ({where}) must be {Expected(MemberType(conversion.Groups["type"].Value, field))}; correct its value";
        }

        return $"the body is not valid JSON at {where}{(field is null ? "" : $" (field '{field}')")}: {message.TrimEnd('.')}; send a JSON object, e.g. {{ \"name\": \"value\" }}";
    }

    /// <summary>A route, query or body value minimal APIs could not bind, in our words.</summary>
    private static string Binding(BadHttpRequestException bad)
    {
        var message = bad.Message;
        if (FailedBind().Match(message) is { Success: true } failed)
        {
            return $"'{failed.Groups["value"].Value}' is not a valid value for '{failed.Groups["name"].Value}': it must be {Expected(failed.Groups["type"].Value)}";
        }

        if (message.Contains("was not provided", StringComparison.Ordinal) || message.Contains("no body was provided", StringComparison.Ordinal))
        {
            return "the request needs a JSON body; send a JSON object with Content-Type: application/json";
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType || message.Contains("JSON media type", StringComparison.Ordinal))
        {
            return "the body must be JSON: send it with Content-Type: application/json";
        }

        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return $"the request body is too large: {message.TrimEnd('.')}; send less";
        }

        return message;
    }

    private static string? FieldName(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        var name = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return name.Replace("['", ".", StringComparison.Ordinal).Replace("']", "", StringComparison.Ordinal).TrimStart('.');
    }

    /// <summary>What a .NET type takes, in JSON terms (the type as System.Text.Json or minimal APIs print it).</summary>
    private static string Expected(string type)
    {
        var name = Unwrap(type);
        if (name.Contains("Dictionary", StringComparison.Ordinal))
        {
            return "an object of names and text values";
        }

        if (name.Contains("List`", StringComparison.Ordinal) || name.Contains("List<", StringComparison.Ordinal) || name.EndsWith("[]", StringComparison.Ordinal))
        {
            return "a list";
        }

        return name[(name.LastIndexOfAny(['.', '+']) + 1)..] switch
        {
            "Boolean" or "bool" => "true or false",
            "Int32" or "Int64" or "int" or "long" => "a whole number",
            "Double" or "Decimal" or "Single" or "double" or "decimal" or "float" => "a number",
            "String" or "string" => "a string",
            "DateTimeOffset" or "DateTime" or "DateOnly" => "an ISO date or date-time such as 2026-10-01 or 2026-10-01T08:00:00Z",
            "Guid" => "a GUID such as 0195f2a4-6c1e-7b4a-9d3e-2f1a0b9c8d7e",
            "JsonElement" => "a JSON value",
            _ when EnumNames(name) is { Count: > 0 } names => "one of " + string.Join(", ", names),
            _ => "an object",
        };
    }

    /// <summary>
    /// The type of the field that did not convert: System.Text.Json names the request record rather than the field's
    /// own type when the record binds through its constructor, so look the field up on it.
    /// </summary>
    private static string MemberType(string typeName, string? field)
    {
        var type = typeof(BadRequests).Assembly.GetType(typeName, false);
        if (type is null || field is null || field.Contains('.', StringComparison.Ordinal) || field.Contains('[', StringComparison.Ordinal))
        {
            return typeName;
        }

        var property = type.GetProperty(field, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        return property is null ? typeName : (Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType).FullName ?? typeName;
    }

    /// <summary>The type inside <c>System.Nullable`1[…]</c>, <c>Nullable&lt;…&gt;</c> or <c>…?</c>.</summary>
    private static string Unwrap(string type)
    {
        var name = type.Trim().TrimEnd('?');
        if (name.StartsWith("System.Nullable`1[", StringComparison.Ordinal))
        {
            name = name["System.Nullable`1[".Length..^1];
        }
        else if (name.StartsWith("Nullable<", StringComparison.Ordinal))
        {
            name = name["Nullable<".Length..^1];
        }

        return name.Split(',')[0].Trim('[', ']');
    }

    private static List<string> EnumNames(string name)
    {
        var type = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(name, false)).FirstOrDefault(t => t is not null);
        return type is { IsEnum: true } ? Enum.GetNames(type).ToList() : [];
    }

    /// <summary>The JSON names of a request record's fields.</summary>
    private static List<string> KnownFields(string typeName)
    {
        var type = typeof(BadRequests).Assembly.GetType(typeName, false);
        if (type is null)
        {
            return [];
        }

        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name))
            .ToList();
    }

    [GeneratedRegex("^The JSON property '(?<name>.*)' could not be mapped to any .NET member contained in type '(?<type>[^']+)'")]
    private static partial Regex UnknownMember();

    [GeneratedRegex("^The JSON value could not be converted to (?<type>[^.]+(\\.[^. ]+)*)\\.?$")]
    private static partial Regex Conversion();

    [GeneratedRegex("^Failed to bind parameter \"(?<type>.+) (?<name>[^ ]+)\" from \"(?<value>.*)\"\\.?$")]
    private static partial Regex FailedBind();
}
