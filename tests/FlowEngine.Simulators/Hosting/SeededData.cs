namespace FlowEngine.Simulators.Hosting;

/// <summary>Word lists and helpers shared by the seeded data generators. Everything comes from a seeded <see cref="Random"/>.</summary>
internal static class SeededData
{
    public static readonly string[] FirstNames =
    [
        "Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
        "Kara", "Liam", "Maya", "Noah", "Olga", "Priya", "Quinn", "Rafael", "Sofia", "Tomas",
        "Uma", "Victor", "Wen", "Ximena", "Yusuf", "Zoe", "Amara", "Bruno", "Camille", "Diego",
    ];

    public static readonly string[] LastNames =
    [
        "Alvarez", "Brown", "Chen", "Dubois", "Eriksen", "Fischer", "Garcia", "Haddad", "Ivanova", "Jensen",
        "Kowalski", "Lopez", "Muller", "Nakamura", "Okafor", "Patel", "Quinlan", "Rossi", "Silva", "Tanaka",
        "Ueda", "Varga", "Williams", "Xu", "Yilmaz", "Zhang", "Andersson", "Baker", "Costa", "Dimitrov",
    ];

    public static T Pick<T>(this Random random, IReadOnlyList<T> items) => items[random.Next(items.Count)];

    /// <summary>A string of <paramref name="length"/> characters drawn from <paramref name="alphabet"/>.</summary>
    public static string NextString(this Random random, int length, string alphabet)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    /// <summary>A person's name that is unique in <paramref name="taken"/> (a number is appended on a clash).</summary>
    public static (string First, string Last) NextPerson(this Random random, HashSet<string> taken)
    {
        var first = random.Pick(FirstNames);
        var last = random.Pick(LastNames);
        var candidate = last;
        for (var n = 2; !taken.Add($"{first} {candidate}"); n++)
        {
            candidate = $"{last}{n}";
        }

        return (first, candidate);
    }

    public static DateTimeOffset FloorToMinute(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerMinute), TimeSpan.Zero);

    public static DateTimeOffset FloorToHour(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerHour), TimeSpan.Zero);

    /// <summary>ISO 8601 in UTC with seconds, as both vendors print times.</summary>
    public static string Iso(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
}
