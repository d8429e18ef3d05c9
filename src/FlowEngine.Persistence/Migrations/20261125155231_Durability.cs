using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace FlowEngine.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class Durability : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AliasOverridesJson",
                table: "executions",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "Attempt",
                table: "executions",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "ConcurrencyKey",
                table: "executions",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "LeaseExpiresAt",
                table: "executions",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Node",
                table: "executions",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Resumable",
                table: "executions",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateTable(
                name: "execution_progress",
                columns: table => new
                {
                    ExecutionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    StepPath = table.Column<string>(type: "TEXT", nullable: false),
                    StateJson = table.Column<string>(type: "TEXT", nullable: false),
                    SavedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_execution_progress", x => new { x.ExecutionId, x.StepPath });
                    table.ForeignKey(
                        name: "FK_execution_progress_executions_ExecutionId",
                        column: x => x.ExecutionId,
                        principalTable: "executions",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "idempotency_records",
                columns: table => new
                {
                    Key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Node = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    ExecutionId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Detail = table.Column<string>(type: "TEXT", nullable: true),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    StartedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    EndedAt = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_idempotency_records", x => x.Key);
                });

            migrationBuilder.CreateTable(
                name: "run_locks",
                columns: table => new
                {
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Holder = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    AcquiredAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ExpiresAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_run_locks", x => x.Name);
                });

            migrationBuilder.CreateTable(
                name: "sam_staged_subscriptions",
                columns: table => new
                {
                    ExecutionId = table.Column<Guid>(type: "TEXT", nullable: false),
                    ExternalUserId = table.Column<string>(type: "TEXT", nullable: false),
                    ProfileId = table.Column<Guid>(type: "TEXT", nullable: false),
                    NewId = table.Column<Guid>(type: "TEXT", nullable: false),
                    UserPrincipalName = table.Column<string>(type: "TEXT", nullable: false),
                    DisplayName = table.Column<string>(type: "TEXT", nullable: true),
                    LastActivity = table.Column<long>(type: "INTEGER", nullable: true),
                    ExternalCreated = table.Column<long>(type: "INTEGER", nullable: true),
                    Identifier = table.Column<string>(type: "TEXT", nullable: true),
                    Attempt = table.Column<int>(type: "INTEGER", nullable: false),
                    Repeated = table.Column<int>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_sam_staged_subscriptions", x => new { x.ExecutionId, x.ExternalUserId });
                });

            migrationBuilder.CreateIndex(
                name: "IX_executions_ConcurrencyKey",
                table: "executions",
                column: "ConcurrencyKey",
                unique: true,
                filter: "\"Status\" = 'Running'");

            migrationBuilder.CreateIndex(
                name: "IX_executions_Status_LeaseExpiresAt",
                table: "executions",
                columns: new[] { "Status", "LeaseExpiresAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "execution_progress");

            migrationBuilder.DropTable(
                name: "idempotency_records");

            migrationBuilder.DropTable(
                name: "run_locks");

            migrationBuilder.DropTable(
                name: "sam_staged_subscriptions");

            migrationBuilder.DropIndex(
                name: "IX_executions_ConcurrencyKey",
                table: "executions");

            migrationBuilder.DropIndex(
                name: "IX_executions_Status_LeaseExpiresAt",
                table: "executions");

            migrationBuilder.DropColumn(
                name: "AliasOverridesJson",
                table: "executions");

            migrationBuilder.DropColumn(
                name: "Attempt",
                table: "executions");

            migrationBuilder.DropColumn(
                name: "ConcurrencyKey",
                table: "executions");

            migrationBuilder.DropColumn(
                name: "LeaseExpiresAt",
                table: "executions");

            migrationBuilder.DropColumn(
                name: "Node",
                table: "executions");

            migrationBuilder.DropColumn(
                name: "Resumable",
                table: "executions");
        }
    }
}
