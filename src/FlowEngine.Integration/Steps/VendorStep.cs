using System.Collections;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.StepTypes;
using FlowEngine.Expressions;
using FlowEngine.Integration.Connections;
using FlowEngine.Integration.Http;
using FlowEngine.Integration.Spokes;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Steps;

namespace FlowEngine.Integration.Steps;

/// <summary>What REST and GraphQL steps share: the alias, retry, limits, pagination and failure messages.</summary>
internal static class VendorStep
{
    public static readonly StepPropertySpec Alias = new("alias", PropertyKind.Name,
        "The connection & credential alias (scope.Name); default: the spoke's default alias for this action's spoke.");

    public static readonly StepPropertySpec Retry = new("retry", PropertyKind.Value,
        "Overrides the alias's retry policy: { strategy: exponential|fixed|honor_header, header, interval, max_count, max_elapsed }.") { ExpectedType = TypeSpec.Object };

    public static readonly StepPropertySpec ResponseLimit = new("response_limit", PropertyKind.Value,
        "Largest answer accepted, in bytes (default 5 MB, at most 10 MB).") { ExpectedType = TypeSpec.Integer };

    public static readonly StepPropertySpec Paginate = new("paginate", PropertyKind.Value,
        "Paging as data: { style: offset|cursor, items, limit, more, max_offset, cursor_param, next_cursor, has_next, cursor_variable, max_pages, read_ahead }.") { ExpectedType = TypeSpec.Object };

    public static readonly StepPropertySpec Do = new("do", PropertyKind.Steps,
        "With paginate: steps run for each page (as 'page', 'page_index'); pages are not kept in memory.");

    public static readonly StepPropertySpec FailOnStatus = new("fail_on_status", PropertyKind.Value,
        "When false, a 4xx/5xx answer is returned as outputs (status, body) instead of failing.") { ExpectedType = TypeSpec.Boolean };

    public static readonly IReadOnlyList<BlockLocal> PageLocals = [new("do", Name: "page"), new("do", Name: "page_index")];

    public static async Task<(ResolvedConnection Connection, StepContext Context)> ResolveAsync(StepContext context, AliasResolver resolver)
    {
        var configured = context.Step.NameOf("alias") ?? DefaultAlias(context, resolver);
        var connection = await resolver.ResolveAsync(configured, context.Frame, context.CancellationToken).ConfigureAwait(false) with { Deadline = context.Deadline };
        foreach (var secret in connection.Record.Secrets.Values)
        {
            context.RememberSecret(secret);
        }

        var pill = new Dictionary<string, object?>(connection.Attributes, StringComparer.Ordinal)
        {
            ["alias"] = connection.UsedAlias,
            ["url"] = connection.BaseUrl,
        };
        return (connection, context.With("connection", pill));
    }

    private static string DefaultAlias(StepContext context, AliasResolver resolver)
    {
        var spoke = context.Frame.Definition.Id.Split('.')[0];
        return resolver.Spokes.DefaultFor(spoke)?.Id
            ?? throw new StepFailedException($"step '{context.Step.Id}' names no alias and spoke '{spoke}' declares none; add 'alias: scope.Name'", context.Step.Id, "alias");
    }

    public static RetryPolicy Policy(StepContext context, ResolvedConnection connection)
    {
        if (context.Evaluate("retry") is not Dictionary<string, object?> settings)
        {
            return connection.Definition.Retry;
        }

        try
        {
            return RetryPolicy.From(settings, connection.Definition.Retry);
        }
        catch (ArgumentException ex)
        {
            throw new StepFailedException(ex.Message, context.Step.Id, "retry");
        }
    }

    public static long Limit(StepContext context) => context.Evaluate("response_limit") switch
    {
        null => VendorHttp.DefaultResponseLimit,
        long n and > 0 and <= VendorHttp.MaxResponseLimit => n,
        var other => throw new StepFailedException($"response_limit must be 1 to {VendorHttp.MaxResponseLimit} bytes, not {Values.ToText(other)}", context.Step.Id, "request"),
    };

    public static Dictionary<string, object?> Recorded(ResolvedConnection connection, Dictionary<string, object?> request)
    {
        request["alias"] = connection.ConfiguredAlias;
        request["alias_used"] = connection.UsedAlias;
        return request;
    }

    /// <summary>Reads a dotted path (<c>data.account.users.edges</c>) from a parsed body.</summary>
    public static object? Path(object? body, string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return body;
        }

        var current = body;
        foreach (var part in path.TrimStart('$', '.').Split('.'))
        {
            current = current is IDictionary<string, object?> map && map.TryGetValue(part, out var next) ? next : null;
        }

        return current;
    }

    /// <summary>The vendor's own message from a failed answer (PagerDuty <c>error.message</c>, GraphQL <c>errors[].message</c>, <c>message</c>).</summary>
    public static string VendorMessage(object? body)
    {
        var parts = new List<string>();
        if (Path(body, "error") is IDictionary<string, object?> error)
        {
            parts.Add(Values.ToText(Path(error, "message")));
            if (Path(error, "errors") is IList details && details.Count > 0)
            {
                parts.Add(string.Join("; ", details.Cast<object?>().Select(Values.ToText)));
            }

            if (Path(error, "code") is { } code)
            {
                parts.Add($"(code {Values.ToText(code)})");
            }
        }
        else if (Path(body, "errors") is IList errors)
        {
            parts.AddRange(errors.Cast<object?>().Select(e => Values.ToText(Path(e, "message") ?? e)));
        }
        else if (Path(body, "message") is { } message)
        {
            parts.Add(Values.ToText(message));
        }
        else if (Path(body, "error") is string text)
        {
            parts.Add(text + (Path(body, "error_description") is { } description ? $": {Values.ToText(description)}" : ""));
        }
        else if (body is string s && s.Length > 0)
        {
            parts.Add(s.Length > 200 ? s[..200] + "…" : s);
        }

        return string.Join(" ", parts.Where(p => p.Length > 0));
    }

    public static StepFailedException StatusFailure(StepContext context, ResolvedConnection connection, string what, VendorResponse response)
    {
        var message = VendorMessage(response.Body);
        return new StepFailedException(
            context.Scrub($"{connection.Vendor} (alias {connection.UsedAlias}) answered {response.Status} to {what}{(message.Length > 0 ? ": " + message : "")}"),
            context.Step.Id,
            $"http_{response.Status}")
        {
            IsRetryable = response.Status is 429 or 408 or >= 500,
            Details = new Dictionary<string, object?> { ["status"] = (long)response.Status, ["vendor_message"] = context.Scrub(message), ["body"] = response.Body },
        };
    }

    /// <summary>
    /// Runs the request once, or once per page: pages either stream into the <c>do</c> block (nothing kept) or are
    /// collected into <c>items</c>. <paramref name="send"/> sends one page given the paging state.
    /// </summary>
    /// <remarks>
    /// With a <c>do</c> block and a request that only reads (<paramref name="readAhead"/>: GET, a GraphQL query), the next
    /// page is asked for as soon as this page says where it is, and arrives while this page's block runs and its progress
    /// is stored: one request of the step in flight at a time, as before, but the vendor's answer time overlaps the
    /// engine's work. <c>paginate: { read_ahead: false }</c> turns it off. A page read ahead is used only after the page
    /// before it is done; if that page fails, the request is cancelled and its answer dropped.
    /// </remarks>
    public static async Task<object?> PagesAsync(StepContext context, ResolvedConnection connection, Dictionary<string, object?> paging, Func<PageState, CancellationToken, Task<VendorResponse>> send, string what, bool readAhead)
    {
        var style = paging.GetValueOrDefault("style") as string ?? "offset";
        var itemsPath = paging.GetValueOrDefault("items") as string;
        var limit = paging.GetValueOrDefault("limit") as long? ?? 100;
        var maxOffset = paging.GetValueOrDefault("max_offset") as long?;
        var maxPages = paging.GetValueOrDefault("max_pages") as long? ?? 10_000;
        var block = context.Step.Block("do");
        var collected = block.Count == 0 ? new List<object?>() : null;
        readAhead = readAhead && collected is null && paging.GetValueOrDefault("read_ahead") is not false;
        var state = new PageState(0, limit, null);
        var seenCursors = new HashSet<string>(StringComparer.Ordinal);
        string? previousPage = null;
        long count = 0, pages = 0, retries = 0;

        // Streamed pages are handled by the do block as they come, so a resumed execution continues at the page it
        // was on; collected pages live only in memory and are read again.
        if (collected is null && await context.LoadProgressAsync().ConfigureAwait(false) is { } saved)
        {
            pages = saved.GetValueOrDefault("pages") as long? ?? 0;
            count = saved.GetValueOrDefault("count") as long? ?? 0;
            if (Values.IsTruthy(saved.GetValueOrDefault("done")))
            {
                return new Dictionary<string, object?> { ["pages"] = pages, ["count"] = count, ["resumed"] = true };
            }

            state = state with { Offset = saved.GetValueOrDefault("offset") as long? ?? 0, Cursor = saved.GetValueOrDefault("cursor") as string };
            if (state.Cursor is not null)
            {
                seenCursors.Add(state.Cursor);
            }
        }

        using var ahead = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        Task<VendorResponse>? nextPage = null;
        try
        {
            while (true)
            {
                context.CancellationToken.ThrowIfCancellationRequested();
                if (pages >= maxPages)
                {
                    throw new StepFailedException($"{what} has more than {maxPages} pages (max_pages); raise max_pages or narrow the request", context.Step.Id, "pagination");
                }

                var response = await (nextPage ?? send(state, ahead.Token)).ConfigureAwait(false);
                nextPage = null;
                retries += response.Retries;
                if (response.Status >= 400)
                {
                    throw StatusFailure(context, connection, what, response);
                }

                // A missing or null list is not an empty page: taken as "no items", a download would remove every user.
                var items = Path(response.Body, itemsPath) as IList ?? throw new StepFailedException(
                    $"{connection.Vendor} (alias {connection.UsedAlias}) answered {what} without a list at '{itemsPath}' " +
                    $"({(response.Body is string ? "the answer is not JSON" : Path(response.Body, itemsPath) is null ? "it is missing or null" : "it is " + Values.TypeName(Path(response.Body, itemsPath)))}); " +
                    "nothing from this answer was used", context.Step.Id, "pagination");
                previousPage = RepeatedPage(context, connection, what, items, previousPage, pages);
                pages++;
                count += items.Count;

                // Where the next page is (or that this was the last), checked before this page is used.
                var next = style == "offset"
                    ? NextOffset(context, connection, paging, what, response.Body, items, state, limit, maxOffset, count)
                    : NextCursor(context, connection, paging, what, response.Body, items, state, seenCursors);
                if (readAhead && next is not null && pages < maxPages)
                {
                    nextPage = send(next, ahead.Token);
                }

                if (collected is not null)
                {
                    collected.AddRange(items.Cast<object?>());
                }
                else
                {
                    await context.RunBlockAsync(block, $"[page {pages - 1}]", [("page", items), ("page_index", pages - 1)], (int)(pages - 1), perBatch: true).ConfigureAwait(false);
                }

                await SaveProgressAsync(context, collected, next ?? state, pages, count, done: next is null).ConfigureAwait(false);
                if (next is null)
                {
                    break;
                }

                state = next;
            }
        }
        finally
        {
            if (nextPage is not null)
            {
                // This page failed (or the execution was cancelled) while the next one was on its way: it is not used.
                // Its outcome, whatever it is, is dropped: the step's own failure is the one reported.
                await ahead.CancelAsync().ConfigureAwait(false);
                await Task.WhenAny(nextPage).ConfigureAwait(false);
                _ = nextPage.Exception;
            }
        }

        context.Record.RetryCount = (int)retries;
        var outputs = new Dictionary<string, object?> { ["pages"] = pages, ["count"] = count };
        if (collected is not null)
        {
            outputs["items"] = collected;
        }

        return outputs;
    }

    // Offset paging: the next page's state, or null after the last page.
    private static PageState? NextOffset(StepContext context, ResolvedConnection connection, Dictionary<string, object?> paging, string what, object? body, IList items, PageState state, long limit, long? maxOffset, long count)
    {
        var morePath = paging.GetValueOrDefault("more") as string ?? "more";
        var moreValue = Path(body, morePath) ?? throw new StepFailedException(
            $"{connection.Vendor} (alias {connection.UsedAlias}) answered {what} without '{morePath}', so it cannot tell whether more pages follow; nothing from this answer was used",
            context.Step.Id, "pagination");
        var more = Values.IsTruthy(moreValue);
        if (more && items.Count == 0)
        {
            throw new StepFailedException(
                $"{connection.Vendor} (alias {connection.UsedAlias}) said more items follow ('{morePath}' is true) but sent an empty page at offset {state.Offset} of {what}; stopping rather than taking it as the end",
                context.Step.Id, "pagination");
        }

        if (!more)
        {
            return null;
        }

        var next = state.Offset + limit;
        if (maxOffset is { } cap && next + limit > cap)
        {
            throw new StepFailedException(
                $"{connection.Vendor} (alias {connection.UsedAlias}) stops offset paging at {cap} (offset + limit) and there are more than {count} items at {what}; " +
                "narrow the request (for example with a query filter) or page with a cursor where the vendor offers one",
                context.Step.Id, "pagination");
        }

        return state with { Offset = next };
    }

    // Cursor paging: the next page's state, or null after the last page.
    private static PageState? NextCursor(StepContext context, ResolvedConnection connection, Dictionary<string, object?> paging, string what, object? body, IList items, PageState state, HashSet<string> seenCursors)
    {
        var cursor = Path(body, paging.GetValueOrDefault("next_cursor") as string ?? "next_cursor") is { } c ? Values.ToText(c) : null;
        bool hasNext;
        if (paging.GetValueOrDefault("has_next") is string hasNextPath)
        {
            hasNext = Values.IsTruthy(Path(body, hasNextPath) ?? throw new StepFailedException(
                $"{connection.Vendor} (alias {connection.UsedAlias}) answered {what} without '{hasNextPath}', so it cannot tell whether more pages follow; nothing from this answer was used",
                context.Step.Id, "pagination"));
            if (hasNext && items.Count == 0)
            {
                throw new StepFailedException(
                    $"{connection.Vendor} (alias {connection.UsedAlias}) said more pages follow ('{hasNextPath}' is true) but sent an empty page at {what}; stopping rather than following cursors that bring nothing",
                    context.Step.Id, "pagination");
            }

            if (hasNext && string.IsNullOrEmpty(cursor))
            {
                throw new StepFailedException(
                    $"{connection.Vendor} (alias {connection.UsedAlias}) said more pages follow ('{hasNextPath}' is true) but gave no cursor for them at {what}; stopping rather than taking it as the end",
                    context.Step.Id, "pagination");
            }
        }
        else
        {
            hasNext = cursor is { Length: > 0 };
        }

        if (!hasNext || string.IsNullOrEmpty(cursor))
        {
            return null;
        }

        if (!seenCursors.Add(cursor))
        {
            throw new StepFailedException($"{connection.Vendor} (alias {connection.UsedAlias}) returned cursor '{cursor}' twice at {what}; stopping rather than reading the same page again", context.Step.Id, "pagination");
        }

        return state with { Cursor = cursor };
    }

    // A page whose items are exactly the previous page's is the vendor serving a page twice (and skipping the one asked
    // for): going on would keep duplicates and miss records, so the step stops. Returns this page's fingerprint.
    private static string? RepeatedPage(StepContext context, ResolvedConnection connection, string what, IList items, string? previous, long index)
    {
        if (items.Count == 0)
        {
            return null;
        }

        var fingerprint = Fingerprint(items);
        if (fingerprint == previous)
        {
            throw new StepFailedException(
                $"{connection.Vendor} (alias {connection.UsedAlias}) returned the same page twice at {what} (page {index + 1} repeats page {index}); " +
                "stopping rather than keeping duplicates and missing the page it skipped; run it again, and if it repeats, tell the vendor",
                context.Step.Id, "pagination");
        }

        return fingerprint;
    }

    // The items' ids in order when every item has one (a record, or a GraphQL edge's node), which is cheap; otherwise the
    // items' JSON. Either way, equal only for a page that repeats the previous one.
    private static string Fingerprint(IList items)
    {
        var ids = new string?[items.Count];
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i] as IDictionary<string, object?>;
            var id = item?.TryGetValue("id", out var own) == true ? own
                : item?.TryGetValue("node", out var node) == true && node is IDictionary<string, object?> inner && inner.TryGetValue("id", out var nodeId) ? nodeId
                : null;
            ids[i] = id switch
            {
                string text => text,
                long number => number.ToString(System.Globalization.CultureInfo.InvariantCulture),
                _ => null,
            };
            if (ids[i] is null)
            {
                return Values.ToJson(items);
            }
        }

        return "ids:" + string.Join('\u001f', ids);
    }

    private static Task SaveProgressAsync(StepContext context, List<object?>? collected, PageState next, long pages, long count, bool done) =>
        collected is not null
            ? Task.CompletedTask
            : context.SaveProgressAsync(new Dictionary<string, object?>
            {
                ["offset"] = next.Offset,
                ["cursor"] = next.Cursor,
                ["pages"] = pages,
                ["count"] = count,
                ["done"] = done,
            });

    /// <summary>Where paging is: the offset and limit for offset paging, the cursor for cursor paging.</summary>
    public sealed record PageState(long Offset, long Limit, string? Cursor);
}
