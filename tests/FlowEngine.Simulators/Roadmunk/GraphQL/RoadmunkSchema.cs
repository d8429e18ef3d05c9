namespace FlowEngine.Simulators.Roadmunk.GraphQL;

/// <summary>
/// The assumed Roadmunk schema (domain.md §4.3), used to validate selections like a GraphQL server would:
/// <code>
/// type Query { account: Account }
/// type Mutation { inactivateUser(id: ID!, email: String!): Boolean }
/// type Account { id: ID!  name: String  users(first: Int, after: String): UserConnection! }
/// type UserConnection { edges: [UserEdge!]!  pageInfo: PageInfo! }
/// type UserEdge { node: User!  cursor: String! }
/// type User { id: ID!  email: String!  firstName: String  lastName: String  role: UserRole!  isActive: Boolean!  lastLoginAt: DateTime  createdAt: DateTime! }
/// type PageInfo { hasNextPage: Boolean!  endCursor: String }
/// </code>
/// </summary>
internal static class RoadmunkSchema
{
    private static readonly Dictionary<string, Dictionary<string, FieldType>> s_types = new(StringComparer.Ordinal)
    {
        ["Query"] = new(StringComparer.Ordinal) { ["account"] = new("Account") },
        ["Mutation"] = new(StringComparer.Ordinal)
        {
            ["inactivateUser"] = new("Boolean", [new("id", "ID!"), new("email", "String!")]),
        },
        ["Account"] = new(StringComparer.Ordinal)
        {
            ["id"] = new("ID!"),
            ["name"] = new("String"),
            ["users"] = new("UserConnection!", [new("first", "Int"), new("after", "String")]),
        },
        ["UserConnection"] = new(StringComparer.Ordinal) { ["edges"] = new("[UserEdge!]!"), ["pageInfo"] = new("PageInfo!") },
        ["UserEdge"] = new(StringComparer.Ordinal) { ["node"] = new("User!"), ["cursor"] = new("String!") },
        ["User"] = new(StringComparer.Ordinal)
        {
            ["id"] = new("ID!"),
            ["email"] = new("String!"),
            ["firstName"] = new("String"),
            ["lastName"] = new("String"),
            ["role"] = new("UserRole!"),
            ["isActive"] = new("Boolean!"),
            ["lastLoginAt"] = new("DateTime"),
            ["createdAt"] = new("DateTime!"),
        },
        ["PageInfo"] = new(StringComparer.Ordinal) { ["hasNextPage"] = new("Boolean!"), ["endCursor"] = new("String") },
    };

    /// <summary>Validation errors for <paramref name="selection"/> on <paramref name="typeName"/>; empty when valid.</summary>
    public static List<string> Validate(string typeName, IReadOnlyList<GraphQLField> selection)
    {
        var errors = new List<string>();
        ValidateInto(typeName, selection, errors);
        return errors;
    }

    private static void ValidateInto(string typeName, IReadOnlyList<GraphQLField> selection, List<string> errors)
    {
        var fields = s_types[typeName];
        foreach (var field in selection)
        {
            if (field.Name == "__typename")
            {
                continue;
            }

            if (!fields.TryGetValue(field.Name, out var type))
            {
                errors.Add($"Cannot query field \"{field.Name}\" on type \"{typeName}\".");
                continue;
            }

            foreach (var argument in field.Arguments.Keys.Where(a => type.Arguments.All(d => d.Name != a)))
            {
                errors.Add($"Unknown argument \"{argument}\" on field \"{typeName}.{field.Name}\".");
            }

            foreach (var required in type.Arguments.Where(a => a.Type.EndsWith('!') && !field.Arguments.ContainsKey(a.Name)))
            {
                errors.Add($"Field \"{field.Name}\" argument \"{required.Name}\" of type \"{required.Type}\" is required, but it was not provided.");
            }

            var named = type.Type.Trim('[', ']', '!');
            if (!s_types.ContainsKey(named))
            {
                if (field.Selection is not null)
                {
                    errors.Add($"Field \"{field.Name}\" must not have a selection since type \"{type.Type}\" has no subfields.");
                }
            }
            else if (field.Selection is null)
            {
                errors.Add($"Field \"{field.Name}\" of type \"{type.Type}\" must have a selection of subfields. Did you mean \"{field.Name} {{ ... }}\"?");
            }
            else
            {
                ValidateInto(named, field.Selection, errors);
            }
        }
    }

    private sealed record FieldType(string Type, ArgumentType[]? ArgumentList = null)
    {
        public ArgumentType[] Arguments => ArgumentList ?? [];
    }

    private sealed record ArgumentType(string Name, string Type);
}
