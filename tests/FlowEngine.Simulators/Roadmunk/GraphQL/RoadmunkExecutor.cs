using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using FlowEngine.Simulators.Hosting;

namespace FlowEngine.Simulators.Roadmunk.GraphQL;

/// <summary>
/// Runs a validated operation against the account and builds <c>{data, errors}</c>. Only the selected fields are returned,
/// under their aliases. A failing root field becomes null with an entry in <c>errors[]</c>.
/// </summary>
internal sealed class RoadmunkExecutor(RoadmunkState state, RoadmunkData data, RoadmunkSeed seed, RoadmunkFaults faults)
{
    public const int DefaultFirst = 50;
    public const int MaxFirst = 100;
    private const string CursorPrefix = "roadmunk:user:";

    public JsonObject Execute(GraphQLOperation operation, JsonObject? variables)
    {
        if (operation.Kind == "subscription")
        {
            return ErrorsOnly(["Subscriptions are not supported."]);
        }

        var rootType = operation.Kind == "mutation" ? "Mutation" : "Query";
        var invalid = RoadmunkSchema.Validate(rootType, operation.Selection);
        if (invalid.Count > 0)
        {
            return ErrorsOnly(invalid);
        }

        var arguments = new ArgumentReader(operation, variables);
        var result = new JsonObject();
        var errors = new JsonArray();
        foreach (var field in operation.Selection)
        {
            try
            {
                result[field.ResponseKey] = field.Name switch
                {
                    "__typename" => rootType,
                    "account" => Account(field, arguments),
                    "inactivateUser" => InactivateUser(field, arguments),
                    _ => throw new InvalidOperationException("validated away"),
                };
            }
            catch (FieldException ex)
            {
                result[field.ResponseKey] = null;
                errors.Add(new JsonObject
                {
                    ["message"] = ex.Message,
                    ["path"] = new JsonArray([.. ex.Path.Select(p => JsonValue.Create(p))]),
                    ["extensions"] = new JsonObject { ["code"] = ex.Code },
                });
            }
        }

        var response = new JsonObject { ["data"] = result };
        if (errors.Count > 0)
        {
            response["errors"] = errors;
        }

        return response;
    }

    public static JsonObject ErrorsOnly(IEnumerable<string> messages) => new()
    {
        ["errors"] = new JsonArray([.. messages.Select(m => new JsonObject { ["message"] = m })]),
    };

    public static string Cursor(RoadmunkUser user) => Convert.ToBase64String(Encoding.UTF8.GetBytes(CursorPrefix + user.Id));

    /// <summary>The user id inside a cursor made by <see cref="Cursor"/>; null when it is not one.</summary>
    private static string? UserIdOf(string cursor)
    {
        var bytes = new byte[(cursor.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64String(cursor, bytes, out var written))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(bytes, 0, written);
        return text.StartsWith(CursorPrefix, StringComparison.Ordinal) ? text[CursorPrefix.Length..] : null;
    }

    private JsonObject Account(GraphQLField field, ArgumentReader arguments)
    {
        state.CountOperation("account");
        return Select(field.Selection!, "Account", f => f.Name switch
        {
            "id" => data.AccountId,
            "name" => seed.AccountName,
            _ => Users(f, arguments, [field.ResponseKey, f.ResponseKey]),
        });
    }

    private JsonObject Users(GraphQLField field, ArgumentReader arguments, string[] path)
    {
        state.CountOperation("users");
        var first = arguments.Int(field, "first") ?? DefaultFirst;
        if (first < 0)
        {
            throw new FieldException("Argument \"first\" must not be negative.", path, "BAD_USER_INPUT");
        }

        var start = 0;
        if (arguments.String(field, "after") is { } after)
        {
            // Decoded, not compared with every user's cursor: paging 100,000 users stays linear.
            var index = UserIdOf(after) is { } id ? state.IndexOf(id) : -1;
            start = index >= 0 ? index + 1 : throw new FieldException($"Invalid cursor \"{after}\".", path, "BAD_USER_INPUT");
        }

        start = state.UsersPageStart(start, faults.TakeRepeatPage());
        var (page, total) = state.Page(start, Math.Min(first, MaxFirst));
        return Select(field.Selection!, "UserConnection", f => f.Name switch
        {
            "edges" => new JsonArray([.. page.Select(u => Select(f.Selection!, "UserEdge", e => e.Name switch
            {
                "cursor" => Cursor(u),
                _ => User(u, e.Selection!),
            }))]),
            _ => Select(f.Selection!, "PageInfo", p => p.Name switch
            {
                "hasNextPage" => start + page.Count < total,
                _ => page.Count == 0 ? null : Cursor(page[^1]),
            }),
        });
    }

    private static JsonObject User(RoadmunkUser user, IReadOnlyList<GraphQLField> selection) =>
        Select(selection, "User", f => f.Name switch
        {
            "id" => user.Id,
            "email" => user.Email,
            "firstName" => user.FirstName,
            "lastName" => user.LastName,
            "role" => JsonNamingPolicy.SnakeCaseUpper.ConvertName(user.Role.ToString()),
            "isActive" => user.IsActive,
            "lastLoginAt" => user.LastLoginAt is { } login ? SeededData.Iso(login) : null,
            _ => SeededData.Iso(user.CreatedAt),
        });

    private JsonNode InactivateUser(GraphQLField field, ArgumentReader arguments)
    {
        state.CountOperation("inactivateUser");
        string[] path = [field.ResponseKey];
        var id = arguments.String(field, "id") ?? throw new FieldException("Argument \"id\" of required type \"ID!\" was not provided.", path, "BAD_USER_INPUT");
        var email = arguments.String(field, "email") ?? throw new FieldException("Argument \"email\" of required type \"String!\" was not provided.", path, "BAD_USER_INPUT");
        return state.Inactivate(id, email) switch
        {
            InactivateOutcome.Inactivated => true,
            InactivateOutcome.UnknownUser => throw new FieldException($"User \"{id}\" not found.", path, "NOT_FOUND"),
            InactivateOutcome.EmailMismatch => throw new FieldException($"The email \"{email}\" does not match user \"{id}\".", path, "BAD_USER_INPUT"),
            _ => throw new FieldException("The default Account Admin cannot be made inactive.", path, "FORBIDDEN"),
        };
    }

    /// <summary>Builds an object from a selection: each field under its response key, <c>__typename</c> answered here.</summary>
    private static JsonObject Select(IReadOnlyList<GraphQLField> selection, string typeName, Func<GraphQLField, JsonNode?> resolve)
    {
        var result = new JsonObject();
        foreach (var field in selection)
        {
            result[field.ResponseKey] = field.Name == "__typename" ? typeName : resolve(field);
        }

        return result;
    }

    /// <summary>Argument values with <c>$variables</c> resolved from the request, then from the operation's defaults.</summary>
    private sealed class ArgumentReader(GraphQLOperation operation, JsonObject? variables)
    {
        public int? Int(GraphQLField field, string name)
        {
            var node = Value(field, name);
            if (node is null)
            {
                return null;
            }

            return int.TryParse(node.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? value
                : throw new FieldException($"Argument \"{name}\" must be an Int.", [field.ResponseKey], "BAD_USER_INPUT");
        }

        public string? String(GraphQLField field, string name)
        {
            var node = Value(field, name);
            return node is null ? null
                : node.GetValueKind() == JsonValueKind.String ? node.GetValue<string>()
                : node.ToJsonString();
        }

        private JsonNode? Value(GraphQLField field, string name)
        {
            if (!field.Arguments.TryGetValue(name, out var value))
            {
                return null;
            }

            if (value.Variable is not { } variable)
            {
                return value.Literal;
            }

            return variables is not null && variables.TryGetPropertyValue(variable, out var given)
                ? given
                : operation.VariableDefaults.GetValueOrDefault(variable);
        }
    }

    private sealed class FieldException(string message, string[] path, string code) : Exception(message)
    {
        public string[] Path { get; } = path;

        public string Code { get; } = code;
    }
}
