using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace FlowEngine.Simulators.Hosting;

/// <summary>Builds and starts a quiet Kestrel server on 127.0.0.1 and reports the address it bound.</summary>
internal static class SimulatorHost
{
    public static async Task<(WebApplication App, string BaseUrl)> StartAsync(int port, Action<WebApplication> configure)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port);
        });

        var app = builder.Build();
        configure(app);
        await app.StartAsync();

        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        return (app, addresses.Addresses.First().TrimEnd('/'));
    }

    /// <summary>Writes one line per request to <paramref name="log"/> when it is set.</summary>
    public static void UseRequestLog(this WebApplication app, string vendor, Func<TextWriter?> log)
    {
        app.Use(async (context, next) =>
        {
            await next();
            log()?.WriteLine($"{DateTime.Now:HH:mm:ss} {vendor} {context.Request.Method} {context.Request.Path}{context.Request.QueryString} -> {context.Response.StatusCode}");
        });
    }
}
