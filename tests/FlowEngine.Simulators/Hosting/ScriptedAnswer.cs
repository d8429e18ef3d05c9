namespace FlowEngine.Simulators;

/// <summary>
/// An answer a test scripts instead of the simulator's own: written as given (status, content type, body), so it can
/// be anything a broken vendor might send: not JSON, the wrong shape, or too large.
/// </summary>
/// <param name="Body">The body, written as it is.</param>
/// <param name="ContentType">The Content-Type header.</param>
/// <param name="Status">The HTTP status.</param>
public sealed record ScriptedAnswer(string Body, string ContentType = "application/json", int Status = 200)
{
    internal async Task WriteAsync(HttpContext context)
    {
        context.Response.StatusCode = Status;
        context.Response.ContentType = ContentType;
        await context.Response.WriteAsync(Body, context.RequestAborted);
    }
}

/// <summary>What a scripted answer is given: the request's number since the script was set (from 0) and its body.</summary>
/// <param name="Index">0 for the first request after <c>AnswerWith</c>, then 1, 2, …</param>
/// <param name="Path">The request path.</param>
/// <param name="Body">The request body as text (empty for a GET).</param>
public sealed record ScriptedRequest(int Index, string Path, string Body);
