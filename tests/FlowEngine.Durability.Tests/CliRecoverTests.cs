using System.Diagnostics;
using FlowEngine.Hosting;
using FlowEngine.Integration.Connections;
using FlowEngine.Simulators;
using FlowEngine.Tests.Shared;
using Microsoft.EntityFrameworkCore;
using Xunit.Abstractions;

namespace FlowEngine.Durability.Tests;

/// <summary>Without a server: a CLI download killed with SIGKILL is finished by <c>flowengine executions recover</c>.</summary>
public sealed class CliRecoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task CliDownloadKilled_ExecutionsRecoverFinishesIt_WithTheVendorsUsersAsTheyAreNow()
    {
        await using var sim = await PagerDutySimulator.StartAsync(new PagerDutySeed { UserCount = 2_000 });
        var folder = TestPaths.TempFolder();
        var flows = Path.Combine(folder, "flows");
        TestPaths.CopyFolder(TestPaths.Flows, flows);
        var database = Path.Combine(folder, ".flowengine", "flowengine.db");
        var engine = await Engine.OpenAsync(database, CancellationToken.None, flows);
        await engine.Connections.SaveAsync(new ConnectionRecord
        {
            AliasId = "sn_pagerduty_spoke.PagerDuty",
            Url = sim.BaseUrl,
            CredentialType = "api_token",
            Secrets = new Dictionary<string, string> { ["token"] = sim.ApiToken },
        }, CancellationToken.None);
        Guid profileId;
        await using (var license = await engine.LicenseAsync(flows, runJobs: false, CancellationToken.None))
        {
            var profile = await license.Profiles.CreateAsync("pagerduty", "Cli Crash", downloadActivity: false);
            Assert.True((await license.Profiles.ValidateAsync(profile.Id)).Succeeded);
            Assert.True((await license.Profiles.PublishAsync(profile.Id)).Download.Succeeded);
            profileId = profile.Id;
        }

        // Five users leave the vendor; the next download must remove them.
        using (var vendor = new HttpClient { BaseAddress = new Uri(sim.BaseUrl) })
        {
            vendor.DefaultRequestHeaders.Add("Authorization", $"Token token={sim.ApiToken}");
            vendor.DefaultRequestHeaders.Add("Accept", PagerDutySimulator.AcceptHeader);
            foreach (var user in sim.Users.Where(u => u.Role != "owner").Take(5).ToList())
            {
                Assert.True((await vendor.DeleteAsync($"/users/{user.Id}")).IsSuccessStatusCode);
            }
        }

        sim.Faults.DelayNext(100_000, TimeSpan.FromMilliseconds(100));
        var before = sim.RequestCount("GET", "/users");
        using (var refresh = Start(folder, database, "profiles", "refresh", "Cli Crash"))
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (sim.RequestCount("GET", "/users") - before < 8 && DateTime.UtcNow < deadline && !refresh.HasExited)
            {
                await Task.Delay(20);
            }

            Assert.False(refresh.HasExited, "the refresh ended before it could be killed");
            refresh.Kill(entireProcessTree: true);
            await refresh.WaitForExitAsync();
        }

        sim.Faults.Clear();
        using var recover = Start(folder, database, "executions", "recover");
        var stdout = await recover.StandardOutput.ReadToEndAsync();
        var stderr = await recover.StandardError.ReadToEndAsync();
        await recover.WaitForExitAsync();

        Assert.True(recover.ExitCode == 0, stdout + stderr);
        Assert.Contains("resumed 1 interrupted execution(s)", stderr, StringComparison.Ordinal);
        Assert.Contains("pagerduty.sam.download_subscriptions@2  attempt 2  Completed", stdout, StringComparison.Ordinal);
        await using var db = engine.Store.CreateContext();
        var stored = await db.Subscriptions.Where(s => s.ProfileId == profileId).Select(s => s.ExternalUserId).ToListAsync();
        Assert.Equal(sim.Users.Select(u => u.Id).Order(StringComparer.Ordinal), stored.Order(StringComparer.Ordinal));
        Assert.Equal(1_995, stored.Count);
        output.WriteLine(stdout + stderr);
    }

    private static Process Start(string folder, string database, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "flowengine.dll"));
        info.ArgumentList.Add("--db");
        info.ArgumentList.Add(database);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment.Remove("FLOWENGINE_STORE");
        info.Environment["FLOWENGINE_NODE"] = "cli-node";
        return Process.Start(info)!;
    }
}
