using System.Collections;
using FlowEngine.Integration.Connections;
using FlowEngine.Runtime.Records;
using FlowEngine.Simulators;

namespace FlowEngine.Integration.Tests;

public sealed class RoadmunkSpokeTests
{
    private static Task<(IntegrationHarness Harness, RoadmunkSimulator Sim)> StartAsync(RoadmunkSeed? seed = null) =>
        IntegrationHarness.WithRoadmunkAsync(seed ?? new RoadmunkSeed { UserCount = 230, Region = RoadmunkRegion.Eu });

    private static List<Dictionary<string, object?>> Rows(object? value) => ((IList)value!).Cast<Dictionary<string, object?>>().ToList();

    [Fact]
    public async Task LookUpAccount_AndListUsers_WithCursorPaging()
    {
        var (harness, sim) = await StartAsync();
        await using var _ = sim;

        var account = await harness.RunAsync("roadmunk.look_up_account");
        Assert.True(account.Status == ExecutionStatus.Completed, account.Record.Error);
        Assert.Equal(sim.AccountId, account.Outputs["account_id"]);

        var result = await harness.RunAsync("roadmunk.list_users");
        Assert.True(result.Status == ExecutionStatus.Completed, result.Record.Error);
        var users = Rows(result.Outputs["users"]);
        Assert.Equal(230, users.Count);
        Assert.Equal(sim.Users.Select(u => u.Id).Order(), users.Select(u => (string)u["id"]!).Order());
        var someone = sim.Users.First(u => u.LastLoginAt is not null);
        var row = users.Single(u => (string)u["id"]! == someone.Id);
        Assert.Equal($"{someone.FirstName} {someone.LastName}", row["name"]);
        Assert.Equal(someone.LastLoginAt, DateTimeOffset.Parse((string)row["last_login"]!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(3L, (await harness.RecordAsync(result)).Steps.Count(s => s.StepId == "shape"));
        Assert.DoesNotContain(sim.ApiToken, await harness.EverythingStoredAsync(result), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeactivateUser_ReturnsTrue_AndGraphQLErrorsBecomeAFailureWithTheMessage()
    {
        var (harness, sim) = await StartAsync(new RoadmunkSeed { UserCount = 20 });
        await using var _ = sim;
        var target = sim.Users.First(u => u.IsActive && !u.IsDefaultAdmin);
        var admin = sim.Users.Single(u => u.IsDefaultAdmin);

        var ok = await harness.RunAsync("roadmunk.deactivate_user", new() { ["user_id"] = target.Id, ["email"] = target.Email });
        Assert.Equal(("success", ""), ((string)ok.Outputs["status"]!, (string)ok.Outputs["error_message"]!));
        Assert.False(sim.Users.Single(u => u.Id == target.Id).IsActive);
        Assert.Equal(1, sim.InactivateCount(target.Id));

        var refused = await harness.RunAsync("roadmunk.deactivate_user", new() { ["user_id"] = admin.Id, ["email"] = admin.Email });
        Assert.Equal("failure", refused.Outputs["status"]);
        Assert.Contains("Roadmunk (alias sn_roadmunk_spoke.Roadmunk) returned GraphQL errors for GraphQL Inactivate:", (string)refused.Outputs["error_message"]!, StringComparison.Ordinal);
        Assert.True(sim.Users.Single(u => u.Id == admin.Id).IsActive);
    }

    [Fact]
    public async Task ListUsers_GraphQLErrorsAnswer_FailsWithTheMessages()
    {
        var (harness, sim) = await StartAsync(new RoadmunkSeed { UserCount = 20 });
        await using var _ = sim;
        sim.Faults.GraphQLErrorsNext(1, "Internal resolver error: users");

        var result = await harness.RunAsync("roadmunk.list_users");

        Assert.Equal(ExecutionStatus.Failed, result.Status);
        Assert.Contains("returned GraphQL errors for GraphQL Users: Internal resolver error: users", result.Record.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task LookUpUsersUsingFile_ReadsTheExportedCsvByHeaderName()
    {
        var (harness, sim) = await StartAsync(new RoadmunkSeed { UserCount = 40 });
        await using var _ = sim;
        var csv = sim.ExportUsersCsv();

        var result = await harness.RunAsync("roadmunk.look_up_users_using_file", new() { ["csv"] = csv });

        Assert.True(result.Status == ExecutionStatus.Completed, result.Record.Error);
        var active = ((IList)result.Outputs["active_emails"]!).Cast<string>().Order().ToList();
        Assert.Equal(sim.Users.Where(u => u.IsActive).Select(u => u.Email.ToLowerInvariant()).Order(), active);
        var rows = Rows(result.Outputs["users"]);
        Assert.Contains("First Name", rows[0].Keys);
        Assert.IsType<DateTimeOffset>(rows.First(r => r["date_added"] is not null)["date_added"]);
    }

    [Fact]
    public async Task LookUpUsersUsingFile_MissingColumn_SaysWhichColumnsThereAre()
    {
        var harness = new IntegrationHarness();
        var result = await harness.RunAsync("roadmunk.look_up_users_using_file", new() { ["csv"] = "Name,E-mail\nAna,ana@example.com\n" });
        Assert.Equal(ExecutionStatus.Failed, result.Status);
        // 'E-mail' matches email: names compare without case or punctuation.
        Assert.Equal("step 'parse': the CSV has no column 'status' in its header (line 1); its columns are Name, E-mail; the first line must name the columns, e.g. Email,Status,Role,Last Login,Date Added", result.Record.Error);
    }
}
