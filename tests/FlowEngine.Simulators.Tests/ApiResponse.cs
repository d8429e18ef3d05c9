using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace FlowEngine.Simulators.Tests;

/// <summary>A fully read HTTP response.</summary>
internal sealed record ApiResponse(HttpStatusCode Status, HttpResponseHeaders Headers, string Text)
{
    public JsonElement Json => JsonDocument.Parse(Text).RootElement;

    public static async Task<ApiResponse> ReadAsync(HttpResponseMessage response) =>
        new(response.StatusCode, response.Headers, await response.Content.ReadAsStringAsync());

    public string? Header(string name) => Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
