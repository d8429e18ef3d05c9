using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace FlowEngine.Expressions;

/// <summary>
/// The value model that flows between steps: <c>null</c>, <see cref="bool"/>, <see cref="long"/>, <see cref="double"/>,
/// <see cref="string"/>, <see cref="DateTimeOffset"/>, <see cref="SecretValue"/>, lists (<see cref="IList{T}"/> of object)
/// and objects (<see cref="IDictionary{TKey,TValue}"/> of string to object). Plain CLR values keep pills cheap.
/// </summary>
public static class Values
{
    /// <summary>The type name an integrator sees in an error.</summary>
    public static string TypeName(object? value) => value switch
    {
        null => "null",
        bool => "boolean",
        long or int => "integer",
        double or float or decimal => "number",
        string => "string",
        DateTimeOffset or DateTime => "datetime",
        SecretValue => "secret",
        IDictionary<string, object?> => "object",
        IList => "array",
        _ => value.GetType().Name,
    };

    /// <summary>Truthiness for conditions: null, false, 0, "" and empty arrays are false.</summary>
    public static bool IsTruthy(object? value) => value switch
    {
        null => false,
        bool b => b,
        long l => l != 0,
        double d => d != 0 && !double.IsNaN(d),
        string s => s.Length > 0 && !s.Equals("false", StringComparison.OrdinalIgnoreCase),
        ICollection c => c.Count > 0,
        _ => true,
    };

    /// <summary>Reads a property of an object; a missing property is null, a property of a scalar is an error.</summary>
    public static object? GetMember(object? target, string name, int offset) => target switch
    {
        IDictionary<string, object?> map => map.TryGetValue(name, out var v) ? v : null,
        null => throw new ExpressionException($"cannot read '{name}' of null", offset),
        _ => throw new ExpressionException($"cannot read '{name}' of a {TypeName(target)}", offset),
    };

    /// <summary>Reads <c>target[index]</c>: an array by integer position (negative counts from the end), an object by key.</summary>
    public static object? GetIndex(object? target, object? index, int offset)
    {
        switch (target)
        {
            case IList list when index is long i:
                var at = i < 0 ? list.Count + i : i;
                return at >= 0 && at < list.Count ? list[(int)at] : null;
            case IDictionary<string, object?> map when index is string key:
                return map.TryGetValue(key, out var v) ? v : null;
            case null:
                throw new ExpressionException("cannot index null", offset);
            default:
                throw new ExpressionException($"cannot index a {TypeName(target)} with a {TypeName(index)}", offset);
        }
    }

    /// <summary>Equality across the value model: numbers compare by value, strings ordinally.</summary>
    public static bool AreEqual(object? left, object? right)
    {
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        if (IsNumber(left) && IsNumber(right))
        {
            return ToDouble(left) == ToDouble(right);
        }

        if (left is DateTimeOffset || right is DateTimeOffset)
        {
            return TryDate(left, out var a) && TryDate(right, out var b) && a == b;
        }

        if (left is IList || left is IDictionary<string, object?>)
        {
            return ToJson(left) == ToJson(right);
        }

        return left.Equals(right);
    }

    /// <summary>Orders numbers, strings and dates; anything else is an error naming both types.</summary>
    public static int Compare(object? left, object? right, int offset)
    {
        if (IsNumber(left) && IsNumber(right))
        {
            return ToDouble(left!).CompareTo(ToDouble(right!));
        }

        if ((left is DateTimeOffset || right is DateTimeOffset) && TryDate(left, out var a) && TryDate(right, out var b))
        {
            return a.CompareTo(b);
        }

        if (left is string ls && right is string rs)
        {
            return string.CompareOrdinal(ls, rs);
        }

        throw new ExpressionException($"cannot compare {TypeName(left)} with {TypeName(right)}", offset);
    }

    /// <summary><c>+ - * / %</c>. <c>+</c> concatenates when either side is a string.</summary>
    public static object? Arithmetic(string op, object? left, object? right, int offset)
    {
        if (op == "+" && (left is string || right is string))
        {
            return ToText(left) + ToText(right);
        }

        if (left is long a && right is long b)
        {
            return op switch
            {
                // Arms are object so integers stay integers (a switch would widen them all to double).
                "+" => (object)checked(a + b),
                "-" => checked(a - b),
                "*" => checked(a * b),
                "/" when b == 0 => throw new ExpressionException("division by zero", offset),
                "/" when a % b == 0 => a / b,
                "/" => (double)a / b,
                "%" when b == 0 => throw new ExpressionException("division by zero", offset),
                "%" => a % b,
                _ => throw new ExpressionException($"unknown operator '{op}'", offset),
            };
        }

        if (IsNumber(left) && IsNumber(right))
        {
            double x = ToDouble(left!), y = ToDouble(right!);
            return op switch
            {
                "+" => x + y,
                "-" => x - y,
                "*" => x * y,
                "/" when y == 0 => throw new ExpressionException("division by zero", offset),
                "/" => x / y,
                "%" => x % y,
                _ => throw new ExpressionException($"unknown operator '{op}'", offset),
            };
        }

        throw new ExpressionException($"cannot apply '{op}' to {TypeName(left)} and {TypeName(right)}", offset);
    }

    /// <summary>True for integers and numbers.</summary>
    public static bool IsNumber(object? value) => value is long or double or int or float or decimal;

    /// <summary>Converts an integer or number to double.</summary>
    public static double ToDouble(object value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);

    /// <summary>Reads a datetime from a <see cref="DateTimeOffset"/> or an ISO 8601 string.</summary>
    public static bool TryDate(object? value, out DateTimeOffset date)
    {
        switch (value)
        {
            case DateTimeOffset d:
                date = d;
                return true;
            case DateTime dt:
                date = new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc));
                return true;
            case string s:
                return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out date);
            default:
                date = default;
                return false;
        }
    }

    /// <summary>Text of a value for interpolation: strings as they are, dates in ISO 8601, objects as JSON.</summary>
    public static string ToText(object? value) => value switch
    {
        null => "",
        string s => s,
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture),
        SecretValue secret => secret.Display,
        IList or IDictionary<string, object?> => ToJson(value),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>Serialises a value as JSON; secrets come out masked.</summary>
    public static string ToJson(object? value, bool indented = false)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = indented }))
        {
            WriteJson(writer, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes a value to a JSON writer; secrets are written as the mask.</summary>
    public static void WriteJson(Utf8JsonWriter writer, object? value)
    {
        switch (value)
        {
            case null: writer.WriteNullValue(); break;
            case bool b: writer.WriteBooleanValue(b); break;
            case long l: writer.WriteNumberValue(l); break;
            case int i: writer.WriteNumberValue(i); break;
            case double d when double.IsFinite(d): writer.WriteNumberValue(d); break;
            case double d: writer.WriteStringValue(d.ToString(CultureInfo.InvariantCulture)); break;
            case string s: writer.WriteStringValue(s); break;
            case DateTimeOffset d: writer.WriteStringValue(d); break;
            case SecretValue secret: writer.WriteStringValue(secret.Display); break;
            case IDictionary<string, object?> map:
                writer.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    writer.WritePropertyName(key);
                    WriteJson(writer, item);
                }

                writer.WriteEndObject();
                break;
            case IList list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteJson(writer, item);
                }

                writer.WriteEndArray();
                break;
            default: writer.WriteStringValue(value.ToString()); break;
        }
    }

    /// <summary>Reads JSON into the value model. Integers stay integers; strings stay strings.</summary>
    public static object? FromJson(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().Aggregate(
            new Dictionary<string, object?>(StringComparer.Ordinal),
            (map, p) => { map[p.Name] = FromJson(p.Value); return map; }),
        JsonValueKind.Array => element.EnumerateArray().Select(FromJson).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? (object)l : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    /// <summary>Parses JSON text into the value model.</summary>
    /// <exception cref="JsonException">The text is not one JSON value.</exception>
    public static object? ParseJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var length = Encoding.UTF8.GetMaxByteCount(json.Length);
        var rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
        try
        {
            return ParseJson(rented.AsSpan(0, Encoding.UTF8.GetBytes(json, rented)));
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// Parses UTF-8 JSON into the value model as it reads it (no document in between: a vendor's page becomes its
    /// dictionaries and lists directly). The same values as <see cref="FromJson"/>; a repeated key keeps its last value.
    /// </summary>
    /// <exception cref="JsonException">The text is not one JSON value.</exception>
    public static object? ParseJson(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read())
        {
            throw new JsonException("the JSON text is empty");
        }

        var value = Read(ref reader, new JsonStrings());
        if (reader.Read())
        {
            throw new JsonException($"more than one JSON value: unexpected {reader.TokenType} at byte {reader.TokenStartIndex}");
        }

        return value;
    }

    private static object? Read(ref Utf8JsonReader reader, JsonStrings strings)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                // Objects at one depth tend to share a shape (a page's users): sized like the last one there.
                var depth = Math.Min(reader.CurrentDepth, JsonStrings.Depths - 1);
                var map = new Dictionary<string, object?>(strings.Sizes[depth], StringComparer.Ordinal);
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var name = strings.Get(ref reader);
                    reader.Read();
                    map[name] = Read(ref reader, strings);
                }

                strings.Sizes[depth] = map.Count;
                return map;
            case JsonTokenType.StartArray:
                var list = new List<object?>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    list.Add(Read(ref reader, strings));
                }

                return list;
            case JsonTokenType.String:
                return strings.Get(ref reader);
            case JsonTokenType.Number:
                return reader.TryGetInt64(out var l) ? (object)l : reader.GetDouble();
            case JsonTokenType.True:
                return True;
            case JsonTokenType.False:
                return False;
            default:
                return null;
        }
    }

    private static readonly object True = true;
    private static readonly object False = false;

    /// <summary>
    /// The strings of one parse: a short string seen again (a property name, a role, a time zone) is the same string
    /// instance, not a new one per occurrence. A small table indexed by a hash of the UTF-8 bytes; a miss replaces the
    /// entry. Only ASCII strings are shared, compared byte for char.
    /// </summary>
    private sealed class JsonStrings
    {
        public const int Depths = 16;
        private const int MaxLength = 32;
        private readonly string?[] _table = new string?[256];

        public int[] Sizes { get; } = new int[Depths];

        public string Get(ref Utf8JsonReader reader)
        {
            if (reader.ValueIsEscaped || reader.HasValueSequence || reader.ValueSpan.Length > MaxLength)
            {
                return reader.GetString()!;
            }

            var bytes = reader.ValueSpan;
            if (bytes.Length == 0)
            {
                return string.Empty;
            }

            var slot = (bytes.Length * 31 + bytes[0] * 7 + bytes[^1] * 13 + bytes[bytes.Length / 2]) & 255;
            if (_table[slot] is { } known && Same(known, bytes))
            {
                return known;
            }

            return _table[slot] = reader.GetString()!;
        }

        private static bool Same(string text, ReadOnlySpan<byte> bytes)
        {
            if (text.Length != bytes.Length)
            {
                return false;
            }

            for (var i = 0; i < bytes.Length; i++)
            {
                if (text[i] >= 0x80 || text[i] != bytes[i])
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>True when the value, or anything inside it, is a <see cref="SecretValue"/>.</summary>
    public static bool ContainsSecret(object? value) => value switch
    {
        SecretValue => true,
        IDictionary<string, object?> map => map.Values.Any(ContainsSecret),
        IList list => list.Cast<object?>().Any(ContainsSecret),
        _ => false,
    };
}
