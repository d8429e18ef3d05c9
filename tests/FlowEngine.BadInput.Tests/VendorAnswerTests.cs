using Xunit.Abstractions;

namespace FlowEngine.BadInput.Tests;

/// <summary>
/// The vendor doors: each broken answer of <see cref="VendorAnswerCases"/> makes the profile's download fail with a
/// message naming the vendor, the alias and the cause, and the stored subscriptions stay as they were.
/// </summary>
[Collection(BadInputCollection.Name)]
public sealed class VendorAnswerTests(BadInputServer server, ITestOutputHelper output)
{
    [Fact]
    public Task EveryBrokenGraphQLAnswer_FailsTheDownload_NamingVendorAliasAndCause_AndKeepsTheSubscriptions() =>
        RunAsync(VendorAnswerCases.GraphQL, "Roadmunk GraphQL answers");

    [Fact]
    public Task EveryBrokenRestAnswer_FailsTheDownload_NamingVendorAliasAndCause_AndKeepsTheSubscriptions() =>
        RunAsync(VendorAnswerCases.Rest, "PagerDuty REST answers");

    private async Task RunAsync(IReadOnlyList<VendorCase> cases, string door)
    {
        var failures = new List<string>();
        var gaps = 0;
        foreach (var @case in cases)
        {
            if (@case.Slow)
            {
                output.WriteLine($"GAP  {@case.Vendor}: {@case.Name}: {@case.Gap}");
                gaps++;
                continue;
            }

            var (profile, alias, vendor) = @case.Vendor == "roadmunk"
                ? (BadInputServer.RoadmunkProfile, "sn_roadmunk_spoke.Roadmunk", "Roadmunk")
                : (BadInputServer.PagerDutyProfile, "sn_pagerduty_spoke.PagerDuty", "PagerDuty");
            var before = server.Snapshot();
            var logged = server.Log.Count;
            string error = "";
            string? why;
            if (@case.Vendor == "roadmunk")
            {
                server.Roadmunk.Faults.AnswerWith(@case.Answer);
            }
            else
            {
                server.PagerDuty.Faults.AnswerWith(@case.Answer);
            }

            try
            {
                using var admin = server.Client();
                var run = await BadInputServer.ReadAsync(await admin.PostAsync($"/api/profiles/{Uri.EscapeDataString(profile)}/refresh", null));
                error = run.TryGetProperty("error", out var e) ? e.GetString() ?? "" : "";
                why = run.GetProperty("succeeded").GetBoolean() ? "the download succeeded" : Answers.Unclear(error, $"{vendor}|{alias}|{@case.Expect}", server.Secrets);
            }
            finally
            {
                server.Roadmunk.Faults.Clear();
                server.PagerDuty.Faults.Clear();
            }

            var after = server.Snapshot();
            why ??= StoreSnapshot.Changed(before, after);
            why ??= server.ExceptionLoggedSince(logged);

            if (@case.Gap is not null)
            {
                output.WriteLine($"GAP  {@case.Vendor}: {@case.Name}: {why}{(after != before ? "; stored data changed:\n" + StoreSnapshot.Difference(before, after) + "\n" : "")}; error: {error}\n     needed: {@case.Gap}");
                if (why is null)
                {
                    failures.Add($"{@case.Name}: is answered clearly now; remove its Gap from VendorAnswerCases");
                }
                else
                {
                    gaps++;
                }

                if (after != before)
                {
                    await RestoreAsync(profile);
                }

                continue;
            }

            output.WriteLine($"{(why is null ? "ok  " : "FAIL")} {@case.Vendor}: {@case.Name}: {error}");
            if (why is not null)
            {
                failures.Add($"{@case.Name}: {why}; error: {error}");
            }
        }

        Figures.Report(output, door, cases.Count, cases.Count - gaps - failures.Count);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>After a known gap changed the stored subscriptions, download again from the healthy simulator.</summary>
    private async Task RestoreAsync(string profile)
    {
        using var admin = server.Client();
        var run = await BadInputServer.ReadAsync(await admin.PostAsync($"/api/profiles/{Uri.EscapeDataString(profile)}/refresh", null));
        Assert.True(run.GetProperty("succeeded").GetBoolean(), run.ToString());
    }
}
