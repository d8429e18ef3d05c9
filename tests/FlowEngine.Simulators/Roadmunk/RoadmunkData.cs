using FlowEngine.Simulators.Hosting;

namespace FlowEngine.Simulators.Roadmunk;

/// <summary>The generated account, users and API token, all derived from a <see cref="RoadmunkSeed"/>.</summary>
internal sealed record RoadmunkData(string AccountId, IReadOnlyList<RoadmunkUser> Users, string ApiToken)
{
    /// <summary>Roadmunk API tokens are about 549 characters long.</summary>
    public const int TokenLength = 549;

    private const string Hex = "0123456789abcdef";
    private const string TokenAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    public static RoadmunkData Generate(RoadmunkSeed seed, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seed.UserCount, 1);
        var random = new Random(seed.RandomSeed);
        var accountId = random.NextString(24, Hex);
        var token = random.NextString(TokenLength, TokenAlphabet);
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var minute = SeededData.FloorToMinute(now);
        var users = new List<RoadmunkUser>(seed.UserCount);
        for (var number = 1; number <= seed.UserCount; number++)
        {
            var (first, last) = random.NextPerson(names);
            string id;
            do
            {
                id = random.NextString(24, Hex);
            }
            while (!ids.Add(id));

            var isDefaultAdmin = number == 1;
            var isNew = !isDefaultAdmin && random.NextDouble() < seed.NewUserShare;
            var createdAt = isDefaultAdmin ? minute.AddDays(-seed.CreatedAtSpreadDays)
                : isNew ? minute.AddMinutes(-random.Next(60, 14 * 24 * 60))
                : minute.AddMinutes(-MinutesBetween(random, 15, seed.CreatedAtSpreadDays));
            var neverLoggedIn = !isDefaultAdmin && (random.NextDouble() < seed.NeverLoggedInShare || (isNew && random.Next(2) == 0));
            var loginWindow = Math.Min(seed.LastLoginSpreadDays * 24 * 60, (int)(minute - createdAt).TotalMinutes);
            users.Add(new RoadmunkUser
            {
                Number = number,
                Id = id,
                Email = $"{first}.{last}@{seed.EmailDomain}".ToLowerInvariant(),
                FirstName = first,
                LastName = last,
                Role = isDefaultAdmin ? RoadmunkRole.AccountAdmin : PickRole(random, seed),
                IsActive = isDefaultAdmin || random.NextDouble() >= seed.InactiveShare,
                LastLoginAt = neverLoggedIn ? null : minute.AddMinutes(-random.Next(0, Math.Max(1, loginWindow))),
                CreatedAt = createdAt,
                IsDefaultAdmin = isDefaultAdmin,
            });
        }

        return new RoadmunkData(accountId, users, token);
    }

    /// <summary>A random number of minutes between <paramref name="fromDays"/> and <paramref name="toDays"/> days.</summary>
    private static int MinutesBetween(Random random, int fromDays, int toDays)
    {
        var from = fromDays * 24 * 60;
        return random.Next(from, Math.Max(from + 1, toDays * 24 * 60));
    }

    private static RoadmunkRole PickRole(Random random, RoadmunkSeed seed)
    {
        var roll = random.NextDouble();
        return roll < seed.AdminShare ? RoadmunkRole.AccountAdmin
            : roll < seed.AdminShare + seed.ReviewerShare ? RoadmunkRole.Reviewer
            : RoadmunkRole.Collaborator;
    }
}
