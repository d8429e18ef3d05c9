using FlowEngine.Hosting;
using FlowEngine.Integration.Connections;
using FlowEngine.Simulators;

namespace FlowEngine.Durability.Tests;

/// <summary>Points the PagerDuty spoke's alias of an engine's store at a simulator, with its API token.</summary>
internal static class Vendor
{
    public const string PagerDutyAlias = "sn_pagerduty_spoke.PagerDuty";

    public static Task ConnectAsync(Engine engine, PagerDutySimulator sim) => engine.Connections.SaveAsync(new ConnectionRecord
    {
        AliasId = PagerDutyAlias,
        Url = sim.BaseUrl,
        CredentialType = "api_token",
        Secrets = new Dictionary<string, string> { ["token"] = sim.ApiToken },
    }, CancellationToken.None);
}
