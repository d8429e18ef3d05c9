using System.Text;
using System.Text.Json;

namespace FlowEngine.Expressions.Tests;

public sealed class JsonTests
{
    [Fact]
    public void ParseJson_KeepsIntegersAsIntegers_AndEveryOtherKindAsItsValue()
    {
        var value = Values.ParseJson("""{"n": 10, "big": 9007199254740993, "x": 1.5, "e": 2e3, "s": "é\u00e9", "t": true, "f": false, "z": null, "a": [1, "b", {"c": []}], "o": {}}""");

        var map = Assert.IsType<Dictionary<string, object?>>(value);
        Assert.Equal(10L, Assert.IsType<long>(map["n"]));
        Assert.Equal(9007199254740993L, Assert.IsType<long>(map["big"]));
        Assert.Equal(1.5, Assert.IsType<double>(map["x"]));
        Assert.Equal(2000.0, Assert.IsType<double>(map["e"]));
        Assert.Equal("éé", map["s"]);
        Assert.Equal(true, map["t"]);
        Assert.Equal(false, map["f"]);
        Assert.True(map.ContainsKey("z") && map["z"] is null);
        var list = Assert.IsType<List<object?>>(map["a"]);
        Assert.Equal(1L, list[0]);
        Assert.Equal("b", list[1]);
        Assert.Empty(Assert.IsType<List<object?>>(Assert.IsType<Dictionary<string, object?>>(list[2])["c"]));
        Assert.Empty(Assert.IsType<Dictionary<string, object?>>(map["o"]));
    }

    [Fact]
    public void ParseJson_FromUtf8_GivesWhatTheDocumentReaderGives()
    {
        const string text = """[{"id": "P1", "email": "A@x.example", "teams": [{"id": "T1"}], "n": -3}, 4.25, "last", {"k": 1, "k": 2}]""";

        var fromBytes = Values.ParseJson(Encoding.UTF8.GetBytes(text));
        using var document = JsonDocument.Parse(text);

        Assert.Equal(Values.ToJson(Values.FromJson(document.RootElement)), Values.ToJson(fromBytes));
        Assert.Equal(2L, ((Dictionary<string, object?>)((List<object?>)fromBytes!)[3]!)["k"]);
    }

    [Fact]
    public void ParseJson_RepeatedStrings_AreReadAsWrittenEvenWhenTheirBytesLookAlike()
    {
        // A page whose users repeat names and values, escaped strings, and strings longer than the shared ones; then
        // strings whose UTF-8 bytes equal another string's characters ("γ" is CE B3, "Î³" is U+00CE U+00B3, and both
        // land in the same entry of the shared strings).
        var users = Enumerable.Range(0, 300).Select(i => new Dictionary<string, object?>
        {
            ["id"] = $"P{i:D4}",
            ["role"] = i % 3 == 0 ? "admin" : "user",
            ["name"] = i % 2 == 0 ? "γ" : "Î³",
            ["note"] = i % 5 == 0 ? "tab\there" : "a \"quoted\" word",
            ["url"] = $"https://acme.pagerduty.com/users/P{i:D4}/with/a/long/path",
            ["flag"] = i % 2 == 0,
        }).ToList<object?>();
        var text = Values.ToJson(users);

        var parsed = Values.ParseJson(Encoding.UTF8.GetBytes(text));

        Assert.Equal(text, Values.ToJson(parsed));
        var list = Assert.IsType<List<object?>>(parsed);
        Assert.Equal("γ", ((Dictionary<string, object?>)list[2]!)["name"]);
        Assert.Equal("Î³", ((Dictionary<string, object?>)list[3]!)["name"]);

        // The look-alikes one after the other, unescaped as a vendor may send them.
        var alike = (List<object?>)Values.ParseJson(Encoding.UTF8.GetBytes("""["Î³", "γ", "Î³", "γ", "é"]"""))!;
        Assert.Equal(["Î³", "γ", "Î³", "γ", "é"], alike.Cast<string>());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{\"a\": 1")]
    [InlineData("{\"a\": 1} {\"b\": 2}")]
    [InlineData("[1, 2,]")]
    [InlineData("{'a': 1}")]
    public void ParseJson_RefusesWhatIsNotOneJsonValue(string text)
    {
        Assert.ThrowsAny<JsonException>(() => Values.ParseJson(text));
    }

    [Fact]
    public void ParseJson_RefusesNestingDeeperThan64()
    {
        var deep = new string('[', 65) + new string(']', 65);

        Assert.ThrowsAny<JsonException>(() => Values.ParseJson(deep));
        Assert.NotNull(Values.ParseJson(new string('[', 64) + new string(']', 64)));
    }
}
