using FlowEngine.Server.Endpoints;
using Microsoft.Extensions.Time.Testing;

namespace FlowEngine.Server.Tests;

public sealed class ConsentStoreTests
{
    [Fact]
    public void Take_GivesAConsentOnce()
    {
        var store = new ConsentStore(new FakeTimeProvider(DateTimeOffset.UtcNow));
        var pending = store.Add("alias", "verifier", "http://127.0.0.1/oauth_redirect");

        Assert.Equal("verifier", store.Take(pending.State)?.Verifier);
        Assert.Null(store.Take(pending.State));
        Assert.Null(store.Take("other"));
        Assert.Null(store.Take(null));
    }

    [Fact]
    public void Take_AfterTenMinutes_GivesNothing()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new ConsentStore(clock);
        var late = store.Add("alias", "v1", "http://127.0.0.1/oauth_redirect");
        var early = store.Add("alias", "v2", "http://127.0.0.1/oauth_redirect");
        Assert.NotEqual(late.State, early.State);

        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.NotNull(store.Take(early.State));
        clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Null(store.Take(late.State));
    }
}
