using System.Diagnostics;
using FlowEngine.Tests.Shared;
using Npgsql;

namespace FlowEngine.PostgreSql.Tests;

/// <summary>
/// The throwaway PostgreSQL the tests run against: <c>.ci/install-postgres.sh</c> installs and starts it on first use
/// (once per test process), so <c>dotnet test FlowEngine.sln</c> needs nothing set up by hand. When it cannot be
/// started the tests fail with the script's output; they never skip.
/// </summary>
internal static class PostgresServer
{
    public static int Port { get; } = int.TryParse(Environment.GetEnvironmentVariable("FLOWENGINE_PG_PORT"), out var port) ? port : 55432;

    /// <summary>The role the script creates; it may create databases.</summary>
    public static string ServerConnectionString => $"Host=127.0.0.1;Port={Port};Username=flowengine;Password=flowengine;Timeout=15";

    private static readonly Lazy<Task> Started = new(StartAsync);

    public static Task EnsureStartedAsync() => Started.Value;

    /// <summary>The connection string of a database of that name on the test server.</summary>
    public static string ConnectionString(string database) => $"{ServerConnectionString};Database={database}";

    private static async Task StartAsync()
    {
        var script = Path.Combine(TestPaths.RepositoryRoot, ".ci", "install-postgres.sh");
        var start = new ProcessStartInfo("bash", [script])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["FLOWENGINE_PG_PORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not run {script}");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"PostgreSQL could not be started for the tests: {script} exited {process.ExitCode}\n{await output}{await error}");
        }

        // The script says it is up; prove it with the role the tests use.
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync();
    }
}

/// <summary>A fresh, empty database per test class, dropped afterwards.</summary>
public sealed class PostgresDatabase : IAsyncLifetime
{
    public string Name { get; } = $"flowengine_test_{Guid.NewGuid():N}";

    public string ConnectionString => PostgresServer.ConnectionString(Name);

    public async Task InitializeAsync()
    {
        await PostgresServer.EnsureStartedAsync();
        await using var connection = new NpgsqlConnection(PostgresServer.ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{Name}\"", connection);
        await command.ExecuteNonQueryAsync();
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(PostgresServer.ConnectionString("postgres"));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await command.ExecuteNonQueryAsync();
    }
}
