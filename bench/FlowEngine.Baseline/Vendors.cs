using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace FlowEngine.Baseline;

/// <summary>
/// The vendor calls of the license subflows written by hand: the requests, headers and paging of
/// flows/spokes/pagerduty and flows/spokes/roadmunk, and the mapping of flows/license/*/download_subscriptions.yaml.
/// </summary>
public sealed class Vendors(HttpClient http, string baseUrl, string token)
{
    /// <summary>PagerDuty's page size (the spoke's <c>page_size</c> default).</summary>
    public const int PageSize = 100;

    private const string RoadmunkUsersQuery = """
        query Users($first: Int, $after: String) {
          account { id
            users(first: $first, after: $after) {
              edges { node { id email firstName lastName role isActive lastLoginAt createdAt } }
              pageInfo { hasNextPage endCursor }
            }
          }
        }
        """;

    private readonly string _baseUrl = baseUrl.TrimEnd('/');

    /// <summary>GET /users, offset paging 100 a page until <c>more</c> is false; one mapped page at a time.</summary>
    public async IAsyncEnumerable<IReadOnlyList<MappedUser>> PagerDutyUsersAsync(DateTimeOffset now, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var offset = 0; ; offset += PageSize)
        {
            using var document = await PagerDutyGetAsync($"/users?limit={PageSize}&offset={offset}", cancellationToken).ConfigureAwait(false);
            var root = document.RootElement;
            var page = new List<MappedUser>(PageSize);
            foreach (var user in root.GetProperty("users").EnumerateArray())
            {
                var invited = user.TryGetProperty("invitation_sent", out var sent) && sent.ValueKind == JsonValueKind.True;
                page.Add(new MappedUser(
                    user.GetProperty("id").GetString()!,
                    user.GetProperty("email").GetString()!.ToLowerInvariant(),
                    user.GetProperty("name").GetString(),
                    "pagerduty",
                    invited ? now : null,
                    null));
            }

            yield return page;
            if (!root.TryGetProperty("more", out var more) || more.ValueKind != JsonValueKind.True)
            {
                yield break;
            }
        }
    }

    /// <summary>The Roadmunk users query with cursor paging (first/after, pageInfo); one mapped page at a time.</summary>
    public async IAsyncEnumerable<IReadOnlyList<MappedUser>> RoadmunkUsersAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? cursor = null;
        while (true)
        {
            var body = JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["query"] = RoadmunkUsersQuery,
                ["variables"] = new Dictionary<string, object?> { ["first"] = PageSize, ["after"] = cursor },
                ["operationName"] = "Users",
            });
            using var request = new HttpRequestMessage(HttpMethod.Post, _baseUrl + "/") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (document.RootElement.TryGetProperty("errors", out var errors))
            {
                throw new InvalidOperationException("Roadmunk answered with errors: " + errors.GetRawText());
            }

            var users = document.RootElement.GetProperty("data").GetProperty("account").GetProperty("users");
            var page = new List<MappedUser>(PageSize);
            foreach (var edge in users.GetProperty("edges").EnumerateArray())
            {
                var node = edge.GetProperty("node");
                page.Add(new MappedUser(
                    node.GetProperty("id").GetString()!,
                    node.GetProperty("email").GetString()!.ToLowerInvariant(),
                    $"{node.GetProperty("firstName").GetString()} {node.GetProperty("lastName").GetString()}",
                    "roadmunk",
                    Date(node.GetProperty("createdAt")),
                    Date(node.GetProperty("lastLoginAt"))));
            }

            yield return page;
            var info = users.GetProperty("pageInfo");
            if (info.GetProperty("hasNextPage").ValueKind != JsonValueKind.True)
            {
                yield break;
            }

            cursor = info.GetProperty("endCursor").GetString();
        }
    }

    /// <summary>GET /oncalls since..until, 100 a page: each entry as (user id, the entry's end or <paramref name="until"/> when it has none or ends later).</summary>
    public async IAsyncEnumerable<(string UserId, DateTimeOffset At)> PagerDutyOnCallsAsync(DateTimeOffset since, DateTimeOffset until, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var range = $"since={Uri.EscapeDataString(BaselineStore.Time(since))}&until={Uri.EscapeDataString(BaselineStore.Time(until))}";
        for (var offset = 0; ; offset += PageSize)
        {
            using var document = await PagerDutyGetAsync($"/oncalls?{range}&limit={PageSize}&offset={offset}", cancellationToken).ConfigureAwait(false);
            var root = document.RootElement;
            foreach (var entry in root.GetProperty("oncalls").EnumerateArray())
            {
                var end = Date(entry.GetProperty("end"));
                yield return (entry.GetProperty("user").GetProperty("id").GetString()!, end is null || end > until ? until : end.Value);
            }

            if (!root.TryGetProperty("more", out var more) || more.ValueKind != JsonValueKind.True)
            {
                yield break;
            }
        }
    }

    /// <summary>DELETE /users/{id}: null on success (204, or 404 already gone), else PagerDuty's message.</summary>
    public async Task<string?> PagerDutyRemoveUserAsync(string userId, CancellationToken cancellationToken = default)
    {
        using var request = PagerDutyRequest(HttpMethod.Delete, "/users/" + Uri.EscapeDataString(userId));
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.NoContent or HttpStatusCode.NotFound)
        {
            return null;
        }

        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        return $"PagerDuty answered {(int)response.StatusCode} to removing user {userId}: {body}";
    }

    private async Task<JsonDocument> PagerDutyGetAsync(string pathAndQuery, CancellationToken cancellationToken)
    {
        using var request = PagerDutyRequest(HttpMethod.Get, pathAndQuery);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private HttpRequestMessage PagerDutyRequest(HttpMethod method, string pathAndQuery)
    {
        var request = new HttpRequestMessage(method, _baseUrl + pathAndQuery);
        request.Headers.TryAddWithoutValidation("Accept", "application/vnd.pagerduty+json;version=2");
        request.Headers.TryAddWithoutValidation("Authorization", $"Token token={token}");
        return request;
    }

    private static DateTimeOffset? Date(JsonElement value) =>
        value.ValueKind == JsonValueKind.String
            ? DateTimeOffset.Parse(value.GetString()!, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)
            : null;
}
