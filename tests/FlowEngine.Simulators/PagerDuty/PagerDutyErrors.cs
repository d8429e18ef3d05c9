using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace FlowEngine.Simulators.PagerDuty;

/// <summary>PagerDuty's JSON responses and its error body <c>{"error":{"message","code","errors"}}</c>.</summary>
internal static class PagerDutyErrors
{
    public const int InternalError = 2000;
    public const int InvalidInput = 2001;
    public const int AuthenticationFailed = 2006;
    public const int AccessDenied = 2010;
    public const int RateLimitExceeded = 2020;
    public const int NotFound = 2100;

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static IResult Json(object body, int status = StatusCodes.Status200OK) =>
        Results.Json(body, JsonOptions, statusCode: status);

    public static IResult Error(int status, int code, string message, params string[] errors) =>
        Results.Json(new ErrorBody(new ErrorDetail(message, code, errors.Length == 0 ? null : errors)), JsonOptions, statusCode: status);

    public static IResult InvalidInputError(string message, params string[] errors) =>
        Error(StatusCodes.Status400BadRequest, InvalidInput, message, errors);

    public static IResult Unauthorized() => Error(StatusCodes.Status401Unauthorized, AuthenticationFailed, "Authentication failed");

    public static IResult NotFoundError() => Error(StatusCodes.Status404NotFound, NotFound, "Not Found");

    public static IResult AccessDeniedError(string scope) =>
        Error(StatusCodes.Status403Forbidden, AccessDenied, "Access Denied", $"The access token is missing the '{scope}' scope.");

    /// <summary>The error code PagerDuty uses for an HTTP status, for injected failures.</summary>
    public static (int Code, string Message) ForStatus(int status) => status switch
    {
        400 => (InvalidInput, "Invalid Input Provided"),
        401 => (AuthenticationFailed, "Authentication failed"),
        403 => (AccessDenied, "Access Denied"),
        404 => (NotFound, "Not Found"),
        429 => (RateLimitExceeded, "Rate Limit Exceeded"),
        _ => (InternalError, ReasonPhrase(status)),
    };

    private static string ReasonPhrase(int status)
    {
        var phrase = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
        return phrase.Length == 0 ? "Internal Error" : phrase;
    }

    private sealed record ErrorBody([property: JsonPropertyName("error")] ErrorDetail Error);

    private sealed record ErrorDetail(
        [property: JsonPropertyName("message")] string Message,
        [property: JsonPropertyName("code")] int Code,
        [property: JsonPropertyName("errors"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string[]? Errors);
}
