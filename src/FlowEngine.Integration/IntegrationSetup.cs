using FlowEngine.Integration.Connections;
using FlowEngine.Integration.Http;
using FlowEngine.Integration.Spokes;
using FlowEngine.Integration.Steps;
using FlowEngine.Runtime.Steps;

namespace FlowEngine.Integration;

/// <summary>The integration part wired together: spokes, the connection store, tokens and HTTP.</summary>
public sealed class Integration
{
    /// <summary>Builds the part. <paramref name="http"/> is shared by every vendor call (connection pooling).</summary>
    public Integration(SpokeCatalog spokes, IConnectionStore connections, HttpClient http, TimeProvider time)
    {
        Spokes = spokes;
        Connections = connections;
        Tokens = new TokenManager(connections, http, time);
        Resolver = new AliasResolver(spokes, connections);
        Http = new VendorHttp(http, Tokens, time);
    }

    /// <summary>Spokes and aliases.</summary>
    public SpokeCatalog Spokes { get; }

    /// <summary>Connections and credentials.</summary>
    public IConnectionStore Connections { get; }

    /// <summary>OAuth tokens.</summary>
    public TokenManager Tokens { get; }

    /// <summary>Alias resolution.</summary>
    public AliasResolver Resolver { get; }

    /// <summary>Vendor HTTP.</summary>
    public VendorHttp Http { get; }

    /// <summary>Registers the REST, GraphQL and CSV step types.</summary>
    public StepHandlerRegistry Register(StepHandlerRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .Register(new RestStepHandler(Resolver, Http))
            .Register(new GraphQLStepHandler(Resolver, Http))
            .Register(new CsvStepHandler());
    }

    /// <summary>An HTTP client for vendors: no automatic redirects, a 100 s timeout per request.</summary>
    public static HttpClient CreateHttpClient() => new(new SocketsHttpHandler
    {
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    })
    {
        Timeout = TimeSpan.FromSeconds(100),
    };
}
