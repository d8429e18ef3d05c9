using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowEngine.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class StagedPages : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "sam_staged_pages",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ExecutionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProfileId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Attempt = table.Column<int>(type: "INTEGER", nullable: false),
                    Count = table.Column<int>(type: "INTEGER", nullable: false),
                    Users = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sam_staged_pages", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_sam_staged_pages_ExecutionId",
                table: "sam_staged_pages",
                column: "ExecutionId");

            // A download interrupted before the upgrade keeps the users it had staged: each execution's staged users
            // become one page of its attempt (a user its attempt had received twice is written twice, so the commit
            // still refuses that download).
            migrationBuilder.Sql("""
                INSERT INTO sam_staged_pages ("ExecutionId", "ProfileId", "Attempt", "Count", "Users")
                SELECT "ExecutionId", "ProfileId", "Attempt", COUNT(*), json_group_array(json("User"))
                FROM (
                  SELECT "ExecutionId", "ProfileId", "Attempt", json_array("ExternalUserId", "UserPrincipalName", "DisplayName", "LastActivity", "ExternalCreated", "Identifier", "NewId") AS "User"
                  FROM sam_staged_subscriptions
                  UNION ALL
                  SELECT "ExecutionId", "ProfileId", "Attempt", json_array("ExternalUserId", "UserPrincipalName", "DisplayName", "LastActivity", "ExternalCreated", "Identifier", "NewId")
                  FROM sam_staged_subscriptions WHERE "Repeated" > 0)
                GROUP BY "ExecutionId", "ProfileId", "Attempt"
                """);

            migrationBuilder.DropTable(
                name: "sam_staged_subscriptions");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sam_staged_pages");

            migrationBuilder.CreateTable(
                name: "sam_staged_subscriptions",
                columns: table => new
                {
                    ExecutionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ExternalUserId = table.Column<string>(type: "TEXT", nullable: false),
                    Attempt = table.Column<int>(type: "INTEGER", nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", nullable: true),
                    ExternalCreated = table.Column<long>(type: "INTEGER", nullable: true),
                    Identifier = table.Column<string>(type: "TEXT", nullable: true),
                    LastActivity = table.Column<long>(type: "INTEGER", nullable: true),
                    NewId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ProfileId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Repeated = table.Column<int>(type: "INTEGER", nullable: false),
                    UserPrincipalName = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sam_staged_subscriptions", x => new { x.ExecutionId, x.ExternalUserId });
                });
        }
    }
}
