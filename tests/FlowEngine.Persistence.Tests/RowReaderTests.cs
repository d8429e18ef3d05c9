using FlowEngine.Integration.Connections;
using FlowEngine.Persistence;
using FlowEngine.Runtime.Records;
using FlowEngine.Tests.Shared;

namespace FlowEngine.Persistence.Tests;

/// <summary>The plain-SQL lookups every run makes read back exactly what was stored.</summary>
public sealed class RowReaderTests
{
    [Fact]
    public async Task AConnection_ReadsBackEveryField_SecretsDecrypted_DatesAndNullsIntact()
    {
        var folder = TestPaths.TempFolder();
        var store = await FlowStore.OpenAsync(StoreOptions.Sqlite(Path.Combine(folder, "reader.db")));
        var connections = new EfConnectionStore(store, EfConnectionStore.CreateProtector(Path.Combine(folder, "keys")), TimeProvider.System);
        var expires = new DateTimeOffset(2026, 11, 25, 19, 58, 30, 123, TimeSpan.FromHours(2));
        var saved = new ConnectionRecord
        {
            AliasId = "sn_pagerduty_spoke.PagerDuty_eu",
            ParentAliasId = "sn_pagerduty_spoke.PagerDuty",
            Name = "PagerDuty EU",
            Url = "https://api.eu.pagerduty.com",
            Attributes = new Dictionary<string, string> { ["region"] = "eu" },
            CredentialType = "oauth2_authorization_code",
            Settings = new Dictionary<string, string> { ["client_id"] = "c1" },
            Secrets = new Dictionary<string, string> { ["client_secret"] = "s3cr3t-value" },
            AccessToken = "access-123456",
            RefreshToken = "refresh-123456",
            ExpiresAt = expires,
            GrantedScopes = "users.read users.write",
        };
        await connections.SaveAsync(saved, default);
        await connections.SaveAsync(new ConnectionRecord { AliasId = "bare" }, default);

        var read = (await connections.GetAsync(saved.AliasId, default))!;
        var bare = (await connections.GetAsync("bare", default))!;

        Assert.Equal(saved.ParentAliasId, read.ParentAliasId);
        Assert.Equal(saved.Name, read.Name);
        Assert.Equal(saved.Url, read.Url);
        Assert.Equal("eu", read.Attributes["region"]);
        Assert.Equal(saved.CredentialType, read.CredentialType);
        Assert.Equal("c1", read.Settings["client_id"]);
        Assert.Equal("s3cr3t-value", read.Secrets["client_secret"]);
        Assert.Equal("access-123456", read.AccessToken);
        Assert.Equal("refresh-123456", read.RefreshToken);
        Assert.Equal(expires, read.ExpiresAt);
        Assert.Equal(saved.GrantedScopes, read.GrantedScopes);
        Assert.Null(bare.Url);
        Assert.Null(bare.ExpiresAt);
        Assert.Empty(bare.Secrets);
        Assert.Null(await connections.GetAsync("missing", default));
    }

    [Fact]
    public async Task ASetterMissingForAMappedProperty_IsRefusedWhenTheReaderIsBuilt()
    {
        var store = await FlowStore.OpenAsync(StoreOptions.Sqlite(Path.Combine(TestPaths.TempFolder(), "reader.db")));
        await using var db = store.CreateContext();

        var error = Assert.Throws<InvalidOperationException>(() => RowReader<ExecutionProgress>.For(db, () => new ExecutionProgress { StepPath = "", StateJson = "" }, new Dictionary<string, Action<ExecutionProgress, object?>>
        {
            [nameof(ExecutionProgress.ExecutionId)] = (p, v) => p.ExecutionId = (Guid)v!,
            [nameof(ExecutionProgress.StepPath)] = (p, v) => p.StepPath = (string)v!,
            [nameof(ExecutionProgress.StateJson)] = (p, v) => p.StateJson = (string)v!,
        }));

        Assert.Contains("disagree on SavedAt", error.Message, StringComparison.Ordinal);
    }
}
