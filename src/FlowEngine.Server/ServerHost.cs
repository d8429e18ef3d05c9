using System.Text.Json.Serialization;
using FlowEngine.Hosting;
using FlowEngine.LicenseManagement;
using FlowEngine.LicenseManagement.Scheduling;
using FlowEngine.Server.Auth;
using FlowEngine.Server.Endpoints;
using FlowEngine.Server.Designer;
using FlowEngine.Server.Elsa;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FlowEngine.Server;

/// <summary>How to run the server.</summary>
public sealed record ServerOptions
{
    /// <summary>Where to listen; loopback by default.</summary>
    public string Urls { get; init; } = "http://127.0.0.1:5080";

    /// <summary>The flows folder loaded at start.</summary>
    public string FlowsFolder { get; init; } = "flows";

    /// <summary>The SQLite file (null: FLOWENGINE_STORE, else .flowengine/flowengine.db).</summary>
    public string? DatabasePath { get; init; }

    /// <summary>The designer's folder (designer/, with the npm package installed).</summary>
    public string DesignerFolder { get; init; } = "designer";

    /// <summary>Whether the scheduler fires jobs in this process.</summary>
    public bool RunJobs { get; init; } = true;

    /// <summary>Executions started through the API, triggers and the designer that may run at once (FLOWENGINE_MAX_RUNNING, default 256); more are refused with 429.</summary>
    public int MaxRunning { get; init; } = int.TryParse(Environment.GetEnvironmentVariable("FLOWENGINE_MAX_RUNNING"), out var max) && max > 0 ? max : 256;
}

/// <summary>What the server was started with, for the start-up message.</summary>
public sealed record ServerStart(WebApplication App, Engine Engine, LicenseParts License, string? NewAdminKey, IReadOnlyList<Definitions.Diagnostic> Diagnostics);

/// <summary>Builds the ASP.NET Core application on the engine: the API, the designer, triggers, the scheduler.</summary>
public static class ServerHost
{
    /// <summary>Opens the store, loads the flows, starts the scheduler, creates the first admin key when none exists.</summary>
    public static async Task<ServerStart> BuildAsync(ServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var engine = await Engine.OpenAsync(options.DatabasePath, cancellationToken, options.FlowsFolder).ConfigureAwait(false);
        var license = await engine.LicenseAsync(options.FlowsFolder, options.RunJobs, cancellationToken).ConfigureAwait(false);
        if (options.RunJobs)
        {
            await license.Scheduler.UpsertAsync(SamJobHandler.PruneSpec(), cancellationToken).ConfigureAwait(false);
        }

        var keys = new ApiKeys(engine.Store, TimeProvider.System);
        string? newKey = null;
        if (!await keys.AnyAsync(cancellationToken).ConfigureAwait(false))
        {
            newKey = await keys.CreateAsync("first admin key", Roles.Admin, cancellationToken).ConfigureAwait(false);
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = Directory.GetCurrentDirectory() });
        builder.WebHost.UseUrls(options.Urls);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // Data Protection warns that keys sit unencrypted in the key folder; that folder is the secret, kept apart from the database.
        builder.Logging.AddFilter("Microsoft.AspNetCore.DataProtection", LogLevel.Error);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(engine);
        builder.Services.AddSingleton(license);
        builder.Services.AddSingleton(keys);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ServerState>();
        builder.Services.AddSingleton(new Recovery(engine, license));
        builder.Services.AddHostedService<RecoveryService>();
        builder.Services.AddFlowEngineAuth();
        builder.Services.AddFlowEngineApi();
        builder.Services.AddProblemDetails();
        builder.Services.AddOpenApi();
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
        });

        var app = builder.Build();

        // Created now, so profile runs follow definition changes from the first request on.
        app.Services.GetRequiredService<ServerState>();
        app.UseExceptionHandler(handler => handler.Run(async context =>
        {
            var error = context.Features.Get<IExceptionHandlerFeature>()?.Error;
            var (status, title) = error switch
            {
                LicenseException => (StatusCodes.Status400BadRequest, "The request cannot be done"),
                ServerBusyException => (StatusCodes.Status429TooManyRequests, "Too many executions running"),
                ArgumentException => (StatusCodes.Status400BadRequest, "Bad request"),
                KeyNotFoundException => (StatusCodes.Status404NotFound, "Not found"),
                _ => (StatusCodes.Status500InternalServerError, "Internal error"),
            };
            await Results.Problem(status == 500 ? "the server failed; see its log" : error?.Message, statusCode: status, title: title).ExecuteAsync(context).ConfigureAwait(false);
        }));
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapGet("/health", () => Results.Ok(new { status = "ok" })).AllowAnonymous().ExcludeFromDescription();
        app.MapOpenApi().RequireAuthorization(Policies.Viewer);
        app.MapDefinitionEndpoints();
        app.MapFlowEngineApi();
        app.MapElsaApi();
        app.MapDesigner(options);
        return new ServerStart(app, engine, license, newKey, license.Diagnostics);
    }
}

/// <summary>State shared by endpoints: the runner over the current stored definitions, rebuilt when they change.</summary>
public sealed class ServerState
{
    private readonly Engine _engine;
    private Runtime.Execution.FlowRunner? _runner;

    /// <summary>Profile runs (validate, publish, jobs) use this state's runner, so they see new versions too.</summary>
    public ServerState(Engine engine, LicenseParts license)
    {
        ArgumentNullException.ThrowIfNull(license);
        _engine = engine;
        license.RunnerSource = RunnerAsync;
    }

    /// <summary>The runner over the stored definitions as they are now.</summary>
    public async Task<Runtime.Execution.FlowRunner> RunnerAsync(CancellationToken cancellationToken) =>
        _runner ??= await _engine.RunnerAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Forget the runner after a definition changed, so the next run sees the new versions.</summary>
    public void DefinitionsChanged() => _runner = null;
}
