using System.Text;
using FlowEngine.Simulators.Hosting;

namespace FlowEngine.Simulators.Roadmunk;

/// <summary>The "Download User CSV" report (proposed columns, domain.md §4.3): one row per user, active and inactive.</summary>
internal static class RoadmunkCsv
{
    public const string Header = "First Name,Last Name,Email,Role,Status,Last Login,Date Added";

    public static string Export(IEnumerable<RoadmunkUser> users)
    {
        var csv = new StringBuilder(Header).Append("\r\n");
        foreach (var user in users)
        {
            string[] fields =
            [
                user.FirstName,
                user.LastName,
                user.Email,
                DisplayName(user.Role),
                user.IsActive ? "Active" : "Inactive",
                user.LastLoginAt is { } login ? SeededData.Iso(login) : "",
                SeededData.Iso(user.CreatedAt),
            ];
            csv.AppendJoin(',', fields.Select(Quote)).Append("\r\n");
        }

        return csv.ToString();
    }

    public static string DisplayName(RoadmunkRole role) => role switch
    {
        RoadmunkRole.AccountAdmin => "Account Admin",
        RoadmunkRole.Reviewer => "Reviewer",
        _ => "Collaborator",
    };

    private static string Quote(string field) =>
        field.AsSpan().IndexOfAny(",\"\r\n") < 0 ? field : "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
