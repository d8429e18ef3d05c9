using System.Globalization;
using System.Runtime.InteropServices;

namespace FlowEngine.Simulators;

/// <summary>
/// <c>pagerduty | roadmunk | both</c> with options; starts the simulators, prints how to reach them and runs until Ctrl+C.
/// </summary>
internal static class SimulatorCommandLine
{
    public const string Usage = """
        Usage: dotnet run --project tests/FlowEngine.Simulators -- <command> [options]

        Commands:
          pagerduty   PagerDuty REST API v2 + OAuth identity service
          roadmunk    Roadmunk GraphQL gateway (one region)
          both        both of them

        Options:
          --users <n>            users per simulated account (default 25)
          --port <n>             port (default 0 = any free port); with 'both' the PagerDuty port,
                                 Roadmunk then takes port+1 unless --roadmunk-port is given
          --roadmunk-port <n>    Roadmunk port for 'both'
          --region <r>           pagerduty: us|eu; roadmunk: app|eu|apac
          --pagerduty-region <r> / --roadmunk-region <r>   regions for 'both'
          --subdomain <s>        PagerDuty subdomain (default acme)
          --token-lifetime <s>   PagerDuty OAuth access-token expires_in in seconds (default 3600)
          --seed <n>             random seed (default 42)
          --quiet                do not log requests
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (FormatException ex)
        {
            await error.WriteLineAsync(ex.Message);
            await error.WriteLineAsync(Usage);
            return 2;
        }

        if (options.Help)
        {
            await output.WriteLineAsync(Usage);
            return 0;
        }

        var stop = new TaskCompletionSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.TrySetResult();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);

        PagerDutySimulator? pagerDuty = null;
        RoadmunkSimulator? roadmunk = null;
        try
        {
            await output.WriteLineAsync("=====================================================================");
            await output.WriteLineAsync(" SIMULATOR — not a real vendor. Test data only; nothing leaves this machine.");
            await output.WriteLineAsync("=====================================================================");
            if (options.Command is "pagerduty" or "both")
            {
                pagerDuty = await PagerDutySimulator.StartAsync(options.PagerDutySeed(), port: options.Port);
                pagerDuty.RequestLog = options.Quiet ? null : output;
                await PrintAsync(output, pagerDuty);
            }

            if (options.Command is "roadmunk" or "both")
            {
                var port = options.Command == "both" ? options.RoadmunkPort ?? (options.Port == 0 ? 0 : options.Port + 1) : options.Port;
                roadmunk = await RoadmunkSimulator.StartAsync(options.RoadmunkSeed(), port: port);
                roadmunk.RequestLog = options.Quiet ? null : output;
                await PrintAsync(output, roadmunk);
            }

            await output.WriteLineAsync();
            await output.WriteLineAsync("Running. Press Ctrl+C to stop.");
            await stop.Task;
            await output.WriteLineAsync("Stopping.");
            return 0;
        }
        catch (IOException ex)
        {
            await error.WriteLineAsync("Could not start: " + ex.Message);
            return 1;
        }
        finally
        {
            if (pagerDuty is not null)
            {
                await pagerDuty.DisposeAsync();
            }

            if (roadmunk is not null)
            {
                await roadmunk.DisposeAsync();
            }
        }
    }

    private static async Task PrintAsync(TextWriter output, PagerDutySimulator pd)
    {
        await output.WriteLineAsync();
        await output.WriteLineAsync($"PagerDuty SIMULATOR (region {pd.Region.ToString().ToLowerInvariant()}, subdomain {pd.Subdomain}, {pd.Users.Count} users)");
        await output.WriteLineAsync($"  Base URL (api.pagerduty.com): {pd.BaseUrl}");
        await output.WriteLineAsync($"  API token:                    {pd.ApiToken}   (Authorization: Token token={pd.ApiToken})");
        await output.WriteLineAsync($"  OAuth client id:              {pd.OAuthClientId}");
        await output.WriteLineAsync($"  OAuth client secret:          {pd.OAuthClientSecret}");
        await output.WriteLineAsync($"  OAuth authorize URL:          {pd.AuthorizeUrl}   (consents at once)");
        await output.WriteLineAsync($"  OAuth token URL:              {pd.TokenUrl}");
        await output.WriteLineAsync($"  client_credentials scope:     {pd.AsAccountScope} users.read oncalls.read users.write");
    }

    private static async Task PrintAsync(TextWriter output, RoadmunkSimulator rm)
    {
        await output.WriteLineAsync();
        await output.WriteLineAsync($"Roadmunk SIMULATOR (region {rm.Region.ToString().ToLowerInvariant()}, stands for {rm.RealGatewayUrl}, {rm.Users.Count} users)");
        await output.WriteLineAsync($"  Gateway URL (POST GraphQL):   {rm.BaseUrl}   (or {rm.BaseUrl}/graphql)");
        await output.WriteLineAsync($"  API token:                    {rm.ApiToken}");
        await output.WriteLineAsync($"                                (Authorization: Bearer <token>)");
        await output.WriteLineAsync($"  User CSV report:              {rm.BaseUrl}/_simulator/users.csv");
    }

    private sealed record Options
    {
        public string Command { get; init; } = "";
        public bool Help { get; init; }
        public bool Quiet { get; init; }
        public int Users { get; init; } = 25;
        public int Port { get; init; }
        public int? RoadmunkPort { get; init; }
        public string? PagerDutyRegion { get; init; }
        public string? RoadmunkRegion { get; init; }
        public string Subdomain { get; init; } = "acme";
        public int TokenLifetime { get; init; } = 3600;
        public int Seed { get; init; } = 42;

        public PagerDutySeed PagerDutySeed() => new()
        {
            UserCount = Users,
            Subdomain = Subdomain,
            Region = ParseEnum<PagerDutyRegion>(PagerDutyRegion ?? "us", "PagerDuty region (us|eu)"),
            AccessTokenLifetimeSeconds = TokenLifetime,
            RandomSeed = Seed,
        };

        public RoadmunkSeed RoadmunkSeed() => new()
        {
            UserCount = Users,
            Region = ParseEnum<RoadmunkRegion>(RoadmunkRegion ?? "app", "Roadmunk region (app|eu|apac)"),
            RandomSeed = Seed,
        };

        public static Options Parse(string[] args)
        {
            if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
            {
                return new Options { Help = true };
            }

            var options = new Options { Command = args[0] };
            if (options.Command is not ("pagerduty" or "roadmunk" or "both"))
            {
                throw new FormatException($"Unknown command '{args[0]}'.");
            }

            for (var i = 1; i < args.Length; i++)
            {
                var name = args[i];
                if (name is "--quiet" or "-q")
                {
                    options = options with { Quiet = true };
                    continue;
                }

                if (name is "-h" or "--help")
                {
                    return options with { Help = true };
                }

                var value = i + 1 < args.Length ? args[++i] : throw new FormatException($"Option '{name}' needs a value.");
                options = name switch
                {
                    "--users" => options with { Users = Int(name, value) },
                    "--port" => options with { Port = Int(name, value) },
                    "--roadmunk-port" => options with { RoadmunkPort = Int(name, value) },
                    "--region" when options.Command == "pagerduty" => options with { PagerDutyRegion = value },
                    "--region" when options.Command == "roadmunk" => options with { RoadmunkRegion = value },
                    "--pagerduty-region" => options with { PagerDutyRegion = value },
                    "--roadmunk-region" => options with { RoadmunkRegion = value },
                    "--subdomain" => options with { Subdomain = value },
                    "--token-lifetime" => options with { TokenLifetime = Int(name, value) },
                    "--seed" => options with { Seed = Int(name, value) },
                    _ => throw new FormatException($"Unknown option '{name}' for '{options.Command}'."),
                };
            }

            // Fail early on bad regions.
            _ = options.Command != "roadmunk" ? options.PagerDutySeed() : null;
            _ = options.Command != "pagerduty" ? options.RoadmunkSeed() : null;
            return options;
        }

        private static int Int(string name, string value) =>
            int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                ? n
                : throw new FormatException($"Option '{name}' needs a non-negative integer, not '{value}'.");

        private static T ParseEnum<T>(string value, string what)
            where T : struct, Enum =>
            Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed)
                ? parsed
                : throw new FormatException($"Unknown {what}: '{value}'.");
    }
}
