using FlowEngine.Simulators.Hosting;

namespace FlowEngine.Simulators.PagerDuty;

/// <summary>The generated account: users, on-call entries and credentials, all derived from a <see cref="PagerDutySeed"/>.</summary>
internal sealed record PagerDutyData(
    IReadOnlyList<PagerDutyUser> Users,
    IReadOnlyList<PagerDutyOnCall> OnCalls,
    string ApiToken,
    string OAuthClientId,
    string OAuthClientSecret)
{
    private const string IdAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";
    private const string KeyAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ0123456789_+-";

    private static readonly string[] s_roles = ["admin", "user", "user", "user", "user", "limited_user", "limited_user", "observer", "read_only_user", "restricted_access", "read_only_limited_user"];
    private static readonly string[] s_timeZones = ["America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Berlin", "Asia/Tokyo", "Asia/Kolkata", "Australia/Sydney", "Etc/UTC"];
    private static readonly string[] s_colors = ["purple", "red", "green", "blue", "orange", "teal", "brown", "cayenne", "crimson", "forest-green", "indigo", "sea-green"];
    private static readonly string[] s_jobTitles = ["Site Reliability Engineer", "Software Engineer", "Engineering Manager", "Support Engineer", "Platform Engineer", "Incident Commander", "Product Manager", "Security Engineer"];

    public static PagerDutyData Generate(PagerDutySeed seed, DateTimeOffset now)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(seed.UserCount, 1);
        var random = new Random(seed.RandomSeed);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        string NewId()
        {
            string id;
            do
            {
                id = "P" + random.NextString(6, IdAlphabet);
            }
            while (!ids.Add(id));
            return id;
        }

        var apiToken = random.NextString(20, KeyAlphabet);
        var clientIdBytes = new byte[16];
        random.NextBytes(clientIdBytes);
        var clientId = new Guid(clientIdBytes).ToString();
        var clientSecret = random.NextString(64, KeyAlphabet);

        var policies = new[] { "Default", "Platform", "Payments" }.Select(n => new PagerDutyReference(NewId(), n)).ToArray();
        var schedules = new[] { "Primary", "Secondary", "Platform Weekly", "Payments Follow-the-sun" }.Select(n => new PagerDutyReference(NewId(), n)).ToArray();

        var users = new List<PagerDutyUser>(seed.UserCount);
        var onCalls = new List<PagerDutyOnCall>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var number = 1; number <= seed.UserCount; number++)
        {
            var (first, last) = random.NextPerson(names);
            var hasIncidents = IsEveryNth(number, seed.OpenIncidentsEvery) || seed.OpenIncidentUsers.Contains(number);
            var user = new PagerDutyUser
            {
                Number = number,
                Id = NewId(),
                Name = $"{first} {last}",
                Email = $"{first}.{last}@{seed.Subdomain}.example.com".ToLowerInvariant(),
                Role = number == 1 ? "owner" : random.Pick(s_roles),
                TimeZone = random.Pick(s_timeZones),
                Color = random.Pick(s_colors),
                JobTitle = random.Pick(s_jobTitles),
                Description = number % 3 == 0 ? null : $"Seeded user #{number}",
                InvitationSent = IsEveryNth(number, seed.InvitationSentEvery) || seed.InvitationSentUsers.Contains(number),
                OpenIncidents = hasIncidents ? 1 + random.Next(4) : 0,
            };
            users.Add(user);
            onCalls.AddRange(OnCallsFor(user, seed, now, random, policies, schedules));
        }

        return new PagerDutyData(users, onCalls, apiToken, clientId, clientSecret);
    }

    private static bool IsEveryNth(int number, int every) => every > 0 && number % every == 0;

    private static IEnumerable<PagerDutyOnCall> OnCallsFor(
        PagerDutyUser user, PagerDutySeed seed, DateTimeOffset now, Random random, PagerDutyReference[] policies, PagerDutyReference[] schedules)
    {
        if (user.Number == 1)
        {
            // The owner is a direct target of the default policy's last level: permanently on call.
            yield return new PagerDutyOnCall(user.Id, null, policies[0], 3, null, null);
            yield break;
        }

        var kind = random.NextDouble();
        var hour = SeededData.FloorToHour(now);
        if (kind < seed.RecentOnCallShare)
        {
            if (random.Next(3) == 0)
            {
                // On call right now.
                var start = hour.AddHours(-random.Next(1, 5 * 24));
                yield return Shift(start, hour.AddHours(random.Next(1, 5 * 24)));
            }

            var shifts = random.Next(1, 4);
            for (var i = 0; i < shifts; i++)
            {
                var end = hour.AddHours(-random.Next(1, Math.Max(2, seed.RecentOnCallDays * 24)));
                yield return Shift(end.AddHours(-random.Next(12, 7 * 24)), end);
            }
        }
        else if (kind < seed.RecentOnCallShare + seed.StaleOnCallShare)
        {
            var shifts = random.Next(1, 3);
            for (var i = 0; i < shifts; i++)
            {
                var end = hour.AddHours(-random.Next(75 * 24, 200 * 24));
                yield return Shift(end.AddHours(-random.Next(12, 7 * 24)), end);
            }
        }

        PagerDutyOnCall Shift(DateTimeOffset start, DateTimeOffset end) =>
            new(user.Id, random.Pick(schedules), random.Pick(policies), random.Next(1, 3), start, end);
    }
}
