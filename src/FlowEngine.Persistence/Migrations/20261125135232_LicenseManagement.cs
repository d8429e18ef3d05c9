using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowEngine.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class LicenseManagement : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "sam_attachments",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProfileId = table.Column<Guid>(type: "TEXT", nullable: false),
                    FileName = table.Column<string>(type: "TEXT", nullable: false),
                    Content = table.Column<string>(type: "TEXT", nullable: false),
                    AttachedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sam_attachments", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "sam_candidate_history",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    CandidateId = table.Column<Guid>(type: "TEXT", nullable: false),
                    From = table.Column<string>(type: "TEXT", maxLength: 24, nullable: true),
                    To = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    By = table.Column<string>(type: "TEXT", nullable: false),
                    Why = table.Column<string>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sam_candidate_history", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "sam_entitlements",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    SoftwareModelId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Rights = table.Column<int>(type: "INTEGER", nullable: false),
                    UnitCost = table.Column<double>(type: "REAL", nullable: false),
                    Description = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sam_entitlements", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "sam_exclusions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", nullable: false),
                    Value = table.Column<string>(type: "TEXT", nullable: false),
                    ProfileType = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sam_exclusions", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "sam_profiles",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", nullable: false),
                    Vendor = table.Column<string>(type: "TEXT", nullable: false),
                    ProfileType = table.Column<string>(type: "TEXT", nullable: false),
                    AliasId = table.Column<string>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    DownloadSubscriptions = table.Column<bool>(type: "INTEGER", nullable: false),
                    DownloadActivity = table.Column<bool>(type: "INTEGER", nullable: false),
                    ReclaimSubscriptions = table.Column<bool>(type: "INTEGER", nullable: false),
                    AnalyzeActivityFrom = table.Column<long>(type: "INTEGER", nullable: false),
                    ReclaimCapCount = table.Column<int>(type: "INTEGER", nullable: false),
                    ReclaimCapShare = table.Column<double>(type: "REAL", nullable: false),
                    ValidatedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ValidationSucceeded = table.Column<bool>(type: "INTEGER", nullable: true),
                    ValidationMessage = table.Column<string>(type: "TEXT", nullable: true),
                    SoftwareModelId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sam_profiles", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "sam_reclamation_rules",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    ProfileId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SoftwareModelId = table.Column<Guid>(type: "TEXT", nullable: true),
                    LastActivityThresholdDays = table.Column<int>(type: "INTEGER", nullable: false),
                    NotifyUser = table.Column<bool>(type: "INTEGER", nullable: false),
                    DaysBeforeAutoReclamation = table.Column<int>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sam_reclamation_rules", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "sam_reconciliations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    SoftwareModelId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RunAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Owned = table.Column<int>(type: "INTEGER", nullable: false),
                    Used = table.Column<int>(type: "INTEGER", nullable: false),
                    Stale = table.Column<int>(type: "INTEGER", nullable: false),
                    Compliant = table.Column<bool>(type: "INTEGER", nullable: false),
                    PotentialSavings = table.Column<double>(type: "REAL", nullable: false),
                    RealisedSavings = table.Column<double>(type: "REAL", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sam_reconciliations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "sam_removal_candidates",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Number = table.Column<string>(type: "TEXT", nullable: false),
                    ProfileId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SubscriptionId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ExternalUserId = table.Column<string>(type: "TEXT", nullable: false),
                    UserPrincipalName = table.Column<string>(type: "TEXT", maxLength: 320, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    RuleId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ThresholdDays = table.Column<int>(type: "INTEGER", nullable: false),
                    LastActivity = table.Column<long>(type: "INTEGER", nullable: true),
                    ErrorMessage = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sam_removal_candidates", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "sam_software_models",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Name = table.Column<string>(type: "TEXT", nullable: false),
                    Publisher = table.Column<string>(type: "TEXT", nullable: false),
                    Product = table.Column<string>(type: "TEXT", nullable: false),
                    Identifier = table.Column<string>(type: "TEXT", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sam_software_models", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "sam_subscriptions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProfileId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ExternalUserId = table.Column<string>(type: "TEXT", nullable: false),
                    UserPrincipalName = table.Column<string>(type: "TEXT", nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", nullable: true),
                    LastActivity = table.Column<long>(type: "INTEGER", nullable: true),
                    ExternalCreated = table.Column<long>(type: "INTEGER", nullable: true),
                    Identifier = table.Column<string>(type: "TEXT", nullable: true),
                    SoftwareModelId = table.Column<Guid>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sam_subscriptions", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_sam_attachments_ProfileId_AttachedAt",
                table: "sam_attachments",
                columns: new[] { "ProfileId", "AttachedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_sam_candidate_history_CandidateId",
                table: "sam_candidate_history",
                column: "CandidateId");

            migrationBuilder.CreateIndex(
                name: "IX_sam_profiles_DisplayName",
                table: "sam_profiles",
                column: "DisplayName",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_sam_removal_candidates_Number",
                table: "sam_removal_candidates",
                column: "Number",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_sam_removal_candidates_ProfileId_State",
                table: "sam_removal_candidates",
                columns: new[] { "ProfileId", "State" });

            migrationBuilder.CreateIndex(
                name: "IX_sam_software_models_Identifier",
                table: "sam_software_models",
                column: "Identifier",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_sam_subscriptions_ProfileId_ExternalUserId",
                table: "sam_subscriptions",
                columns: new[] { "ProfileId", "ExternalUserId" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sam_attachments");

            migrationBuilder.DropTable(
                name: "sam_candidate_history");

            migrationBuilder.DropTable(
                name: "sam_entitlements");

            migrationBuilder.DropTable(
                name: "sam_exclusions");

            migrationBuilder.DropTable(
                name: "sam_profiles");

            migrationBuilder.DropTable(
                name: "sam_reclamation_rules");

            migrationBuilder.DropTable(
                name: "sam_reconciliations");

            migrationBuilder.DropTable(
                name: "sam_removal_candidates");

            migrationBuilder.DropTable(
                name: "sam_software_models");

            migrationBuilder.DropTable(
                name: "sam_subscriptions");
        }
    }
}
