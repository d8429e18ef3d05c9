using System.Net.Http.Headers;
using System.Text;
using FlowEngine.Persistence.LicenseManagement;
using Xunit.Abstractions;

namespace FlowEngine.BadInput.Tests;

/// <summary>
/// The CSV door, twice: attaching each bad user CSV of <see cref="CsvCases"/> is refused with the file, line and
/// column; and the same file stored behind the API's back (as one attached before these checks) makes the download
/// fail with the same message, leaving the profile's subscriptions as they were.
/// </summary>
[Collection(BadInputCollection.Name)]
public sealed class CsvAttachmentTests(BadInputServer server, ITestOutputHelper output)
{
    [Fact]
    public async Task EveryBadCsv_IsRefusedWhenAttached_NamingFileLineAndColumn_AndChangesNothing()
    {
        var failures = new List<string>();
        foreach (var @case in CsvCases.All)
        {
            var before = server.Snapshot();
            using var admin = server.Client();
            using var content = new ByteArrayContent(@case.Content);
            content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/profiles/{Uri.EscapeDataString(BadInputServer.RoadmunkProfile)}/attachments?fileName={@case.FileName}") { Content = content };
            request.Headers.ExpectContinue = true;
            using var response = await admin.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var why = (int)response.StatusCode != @case.Status
                ? $"answered {(int)response.StatusCode}, expected {@case.Status}"
                : Answers.Unclear(body, @case.Expect, server.Secrets);
            why ??= StoreSnapshot.Changed(before, server.Snapshot());

            output.WriteLine($"{(why is null ? "ok  " : "FAIL")} attach {@case.FileName} -> {(int)response.StatusCode}: {Answers.Detail(body)}");
            if (why is not null)
            {
                failures.Add($"{@case.Name}: {why}; answer: {body}");
            }
        }

        Figures.Report(output, "CSV attachments (attach)", CsvCases.All.Count, CsvCases.All.Count - failures.Count);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task EveryBadCsv_StoredBeforeTheChecks_FailsTheDownloadClearly_AndKeepsTheSubscriptions()
    {
        var cases = CsvCases.All.Where(c => c.AlsoInDownload).ToList();
        var failures = new List<string>();
        var profileId = await ProfileIdAsync(BadInputServer.RoadmunkProfile);
        foreach (var @case in cases)
        {
            var before = server.Snapshot();
            var id = Guid.CreateVersion7();
            await using (var db = server.Start.Engine.Store.CreateContext())
            {
                db.Attachments.Add(new ProfileAttachmentEntity { Id = id, ProfileId = profileId, FileName = @case.FileName, Content = Encoding.UTF8.GetString(@case.Content), AttachedAt = DateTimeOffset.UtcNow.AddDays(1) });
                await db.SaveChangesAsync();
            }

            string? why;
            string error;
            try
            {
                using var admin = server.Client();
                var run = await BadInputServer.ReadAsync(await admin.PostAsync($"/api/profiles/{Uri.EscapeDataString(BadInputServer.RoadmunkProfile)}/refresh", null));
                error = run.GetProperty("error").GetString() ?? "";
                var expect = string.Join('|', @case.Expect.Split('|').Where(f => !f.Contains(@case.FileName, StringComparison.Ordinal)).Select(f => f.Replace(@case.FileName + " ", "", StringComparison.Ordinal)));
                why = run.GetProperty("succeeded").GetBoolean() ? "the download succeeded" : Answers.Unclear(error, expect, server.Secrets);
            }
            finally
            {
                await using var db = server.Start.Engine.Store.CreateContext();
                db.Attachments.Remove(await db.Attachments.FindAsync(id) ?? throw new InvalidOperationException("the test's attachment is gone"));
                await db.SaveChangesAsync();
            }

            why ??= StoreSnapshot.Changed(before, server.Snapshot());

            output.WriteLine($"{(why is null ? "ok  " : "FAIL")} download with {@case.FileName}: {error}");
            if (why is not null)
            {
                failures.Add($"{@case.Name}: {why}; error: {error}");
            }
        }

        Figures.Report(output, "CSV attachments (download)", cases.Count, cases.Count - failures.Count);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private async Task<Guid> ProfileIdAsync(string name)
    {
        using var admin = server.Client();
        var profile = await BadInputServer.ReadAsync(await admin.GetAsync($"/api/profiles/{Uri.EscapeDataString(name)}"));
        return profile.GetProperty("profile").GetProperty("id").GetGuid();
    }
}
