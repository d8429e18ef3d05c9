using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace FlowEngine.Simulators.Roadmunk.GraphQL;

/// <summary>
/// A small recursive-descent parser for the GraphQL subset the simulator serves: operations, variables with defaults,
/// fields, aliases and arguments. Fragments, directives and block strings are refused with a clear error.
/// </summary>
internal sealed class GraphQLParser
{
    private readonly string _text;
    private int _pos;

    private GraphQLParser(string text) => _text = text;

    /// <summary>Parses <paramref name="text"/> and returns the operation named <paramref name="operationName"/> (or the only one).</summary>
    public static GraphQLOperation Parse(string text, string? operationName)
    {
        var parser = new GraphQLParser(text);
        var operations = new List<GraphQLOperation>();
        parser.SkipIgnored();
        while (!parser.AtEnd)
        {
            operations.Add(parser.ReadOperation());
            parser.SkipIgnored();
        }

        if (operations.Count == 0)
        {
            throw new GraphQLException("Syntax Error: Unexpected <EOF>.");
        }

        if (!string.IsNullOrEmpty(operationName))
        {
            return operations.Find(o => o.Name == operationName)
                ?? throw new GraphQLException($"Unknown operation named \"{operationName}\".");
        }

        return operations.Count == 1
            ? operations[0]
            : throw new GraphQLException("Must provide operation name if query contains multiple operations.");
    }

    private bool AtEnd => _pos >= _text.Length;

    private char Current => AtEnd ? '\0' : _text[_pos];

    private GraphQLOperation ReadOperation()
    {
        if (Current == '{')
        {
            return new GraphQLOperation("query", null, new Dictionary<string, JsonNode?>(), ReadSelectionSet());
        }

        var kind = ReadName();
        if (kind == "fragment")
        {
            throw new GraphQLException("Fragments are not supported by this simulator.");
        }

        if (kind is not ("query" or "mutation" or "subscription"))
        {
            throw new GraphQLException($"Syntax Error: Unexpected Name \"{kind}\".");
        }

        SkipIgnored();
        var name = IsNameStart(Current) ? ReadName() : null;
        SkipIgnored();
        var defaults = Current == '(' ? ReadVariableDefinitions() : new Dictionary<string, JsonNode?>();
        SkipIgnored();
        RefuseDirective();
        return new GraphQLOperation(kind, name, defaults, ReadSelectionSet());
    }

    private Dictionary<string, JsonNode?> ReadVariableDefinitions()
    {
        var defaults = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        Expect('(');
        while (Peek() != ')')
        {
            Expect('$');
            var name = ReadName();
            Expect(':');
            SkipType();
            if (Peek() == '=')
            {
                _pos++;
                var value = ReadValue();
                defaults[name] = value.Literal ?? throw new GraphQLException("Syntax Error: a default value cannot be a variable.");
            }
        }

        Expect(')');
        return defaults;
    }

    private void SkipType()
    {
        if (Peek() == '[')
        {
            _pos++;
            SkipType();
            Expect(']');
        }
        else
        {
            SkipIgnored();
            ReadName();
        }

        if (Peek() == '!')
        {
            _pos++;
        }
    }

    private List<GraphQLField> ReadSelectionSet()
    {
        Expect('{');
        var fields = new List<GraphQLField>();
        while (Peek() != '}')
        {
            if (AtEnd)
            {
                throw new GraphQLException("Syntax Error: Expected Name, found <EOF>.");
            }

            if (Current == '.')
            {
                throw new GraphQLException("Fragments are not supported by this simulator.");
            }

            fields.Add(ReadField());
        }

        Expect('}');
        if (fields.Count == 0)
        {
            throw new GraphQLException("Syntax Error: Expected Name, found \"}\".");
        }

        return fields;
    }

    private GraphQLField ReadField()
    {
        string? alias = null;
        var name = ReadName();
        if (Peek() == ':')
        {
            _pos++;
            SkipIgnored();
            alias = name;
            name = ReadName();
        }

        var arguments = new Dictionary<string, GraphQLValue>(StringComparer.Ordinal);
        if (Peek() == '(')
        {
            _pos++;
            while (Peek() != ')')
            {
                SkipIgnored();
                var argument = ReadName();
                Expect(':');
                arguments[argument] = ReadValue();
            }

            Expect(')');
        }

        SkipIgnored();
        RefuseDirective();
        var selection = Peek() == '{' ? ReadSelectionSet() : null;
        return new GraphQLField(alias, name, arguments, selection);
    }

    private GraphQLValue ReadValue()
    {
        var c = Peek();
        if (c == '$')
        {
            _pos++;
            return new GraphQLValue(ReadName(), null);
        }

        return new GraphQLValue(null, ReadLiteral());
    }

    private JsonNode? ReadLiteral()
    {
        var c = Peek();
        switch (c)
        {
            case '"':
                return JsonValue.Create(ReadString());
            case '[':
                _pos++;
                var array = new JsonArray();
                while (Peek() != ']')
                {
                    array.Add(ReadLiteral());
                }

                _pos++;
                return array;
            case '{':
                _pos++;
                var obj = new JsonObject();
                while (Peek() != '}')
                {
                    SkipIgnored();
                    var key = ReadName();
                    Expect(':');
                    obj[key] = ReadLiteral();
                }

                _pos++;
                return obj;
            case '$':
                throw new GraphQLException("Variables inside list or object literals are not supported by this simulator.");
        }

        if (c == '-' || char.IsAsciiDigit(c))
        {
            var start = _pos;
            while (!AtEnd && (char.IsAsciiDigit(Current) || Current is '-' or '+' or '.' or 'e' or 'E'))
            {
                _pos++;
            }

            var number = _text[start.._pos];
            return long.TryParse(number, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer)
                ? JsonValue.Create(integer)
                : JsonValue.Create(double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture));
        }

        var name = ReadName();
        return name switch
        {
            "true" => JsonValue.Create(true),
            "false" => JsonValue.Create(false),
            "null" => null,
            _ => JsonValue.Create(name), // an enum value
        };
    }

    private string ReadString()
    {
        if (_text.AsSpan(_pos).StartsWith("\"\"\""))
        {
            throw new GraphQLException("Block strings are not supported by this simulator.");
        }

        _pos++;
        var value = new StringBuilder();
        while (Current != '"')
        {
            if (AtEnd || Current == '\n')
            {
                throw new GraphQLException("Syntax Error: Unterminated string.");
            }

            if (Current != '\\')
            {
                value.Append(_text[_pos++]);
                continue;
            }

            _pos++;
            var escaped = _text[_pos++];
            value.Append(escaped switch
            {
                'n' => "\n",
                'r' => "\r",
                't' => "\t",
                'b' => "\b",
                'f' => "\f",
                'u' when _pos + 4 <= _text.Length => ((char)int.Parse(_text.AsSpan(_pos, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToString(),
                _ => escaped.ToString(),
            });
            if (escaped == 'u')
            {
                _pos += 4;
            }
        }

        _pos++;
        return value.ToString();
    }

    private string ReadName()
    {
        SkipIgnored();
        if (!IsNameStart(Current))
        {
            throw new GraphQLException(AtEnd ? "Syntax Error: Expected Name, found <EOF>." : $"Syntax Error: Expected Name, found \"{Current}\".");
        }

        var start = _pos;
        while (!AtEnd && (IsNameStart(Current) || char.IsAsciiDigit(Current)))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    private void RefuseDirective()
    {
        if (Peek() == '@')
        {
            throw new GraphQLException("Directives are not supported by this simulator.");
        }
    }

    private void Expect(char c)
    {
        if (Peek() != c)
        {
            throw new GraphQLException(AtEnd ? $"Syntax Error: Expected \"{c}\", found <EOF>." : $"Syntax Error: Expected \"{c}\", found \"{Current}\".");
        }

        _pos++;
    }

    /// <summary>Skips whitespace, commas and comments, then returns the next character (or '\0').</summary>
    private char Peek()
    {
        SkipIgnored();
        return Current;
    }

    private void SkipIgnored()
    {
        while (!AtEnd)
        {
            if (char.IsWhiteSpace(Current) || Current == ',' || Current == '\uFEFF')
            {
                _pos++;
            }
            else if (Current == '#')
            {
                while (!AtEnd && Current != '\n')
                {
                    _pos++;
                }
            }
            else
            {
                return;
            }
        }
    }

    private static bool IsNameStart(char c) => char.IsAsciiLetter(c) || c == '_';
}
