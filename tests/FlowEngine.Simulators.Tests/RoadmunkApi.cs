using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace FlowEngine.Simulators.Tests;

/// <summary>A real HttpClient posting GraphQL to a running <see cref="RoadmunkSimulator"/>.</summary>
internal sealed class RoadmunkApi(RoadmunkSimulator simulator) : IDisposable
{
    public const string UsersQuery = """
        query Users($first:Int,$after:String){
          account { id
            users(first:$first, after:$after){
              edges{ node{ id email firstName lastName role isActive lastLoginAt createdAt } }
              pageInfo{ hasNextPage endCursor }
            }
          }
        }
        """;

    public const string InactivateMutation = "mutation($id:ID!,$email:String!){ inactivateUser(id:$id, email:$email) }";

    public HttpClient Client { get; } = new() { BaseAddress = new Uri(simulator.BaseUrl) };

    public Task<ApiResponse> PostAsync(string query, object? variables = null, string path = "/", string? authorization = null, string? operationName = null)
    {
        var body = new JsonObject
        {
            ["query"] = query,
            ["variables"] = variables is null ? null : JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(variables)),
            ["operationName"] = operationName,
        };
        return SendAsync(path, JsonContent.Create(body), authorization);
    }

    public async Task<ApiResponse> SendAsync(string path, HttpContent content, string? authorization = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        request.Headers.TryAddWithoutValidation("Authorization", authorization ?? $"Bearer {simulator.ApiToken}");
        using var response = await Client.SendAsync(request);
        return await ApiResponse.ReadAsync(response);
    }

    public void Dispose() => Client.Dispose();
}
