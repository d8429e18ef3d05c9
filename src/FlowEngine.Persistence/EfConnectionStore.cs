using System.Text.Json;
using FlowEngine.Integration.Connections;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Persistence;

/// <summary>
/// Connections in the database. Secrets (tokens, passwords, client secrets) and OAuth tokens are encrypted with
/// ASP.NET Core Data Protection, whose key ring is a folder outside the database: a copy of the database alone
/// does not reveal them.
/// </summary>
public sealed class EfConnectionStore(FlowStore store, IDataProtector protector, TimeProvider time) : IConnectionStore
{
    /// <summary>The default key folder, beside the default database but not in it.</summary>
    public const string DefaultKeyFolder = ".flowengine/keys";

    /// <summary>A protector whose keys live in <paramref name="keyFolder"/>.</summary>
    public static IDataProtector CreateProtector(string keyFolder)
    {
        var provider = DataProtectionProvider.Create(new DirectoryInfo(keyFolder), b => b.SetApplicationName("FlowEngine"));
        return provider.CreateProtector("FlowEngine.Connections.v1");
    }

    private sealed record SecretBlob(Dictionary<string, string> Secrets, string? AccessToken, string? RefreshToken);

    private static readonly Dictionary<string, Action<ConnectionEntity, object?>> Setters = new()
    {
        [nameof(ConnectionEntity.AliasId)] = (c, v) => c.AliasId = (string)v!,
        [nameof(ConnectionEntity.ParentAliasId)] = (c, v) => c.ParentAliasId = (string?)v,
        [nameof(ConnectionEntity.Name)] = (c, v) => c.Name = (string?)v,
        [nameof(ConnectionEntity.Url)] = (c, v) => c.Url = (string?)v,
        [nameof(ConnectionEntity.AttributesJson)] = (c, v) => c.AttributesJson = (string)v!,
        [nameof(ConnectionEntity.CredentialType)] = (c, v) => c.CredentialType = (string?)v,
        [nameof(ConnectionEntity.SettingsJson)] = (c, v) => c.SettingsJson = (string)v!,
        [nameof(ConnectionEntity.ProtectedSecrets)] = (c, v) => c.ProtectedSecrets = (string?)v,
        [nameof(ConnectionEntity.ExpiresAt)] = (c, v) => c.ExpiresAt = (DateTimeOffset?)v,
        [nameof(ConnectionEntity.GrantedScopes)] = (c, v) => c.GrantedScopes = (string?)v,
        [nameof(ConnectionEntity.UpdatedAt)] = (c, v) => c.UpdatedAt = (DateTimeOffset)v!,
    };

    private RowReader<ConnectionEntity>? _reader;

    /// <inheritdoc />
    public async Task<ConnectionRecord?> GetAsync(string aliasId, CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        // Every vendor step resolves its alias: plain SQL, no LINQ to compile on a process's first run.
        _reader ??= RowReader<ConnectionEntity>.For(db, () => new ConnectionEntity { AliasId = "" }, Setters);
        var entity = await _reader.FirstAsync(db, [(nameof(ConnectionEntity.AliasId), aliasId)], cancellationToken).ConfigureAwait(false);
        return entity is null ? null : ToRecord(entity);
    }

    /// <inheritdoc />
    public async Task SaveAsync(ConnectionRecord connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        await using var db = store.CreateContext();
        var entity = await db.Connections.FirstOrDefaultAsync(c => c.AliasId == connection.AliasId, cancellationToken).ConfigureAwait(false);
        if (entity is null)
        {
            entity = new ConnectionEntity { AliasId = connection.AliasId };
            db.Connections.Add(entity);
        }

        entity.ParentAliasId = connection.ParentAliasId;
        entity.Name = connection.Name;
        entity.Url = connection.Url;
        entity.AttributesJson = JsonSerializer.Serialize(connection.Attributes);
        entity.CredentialType = connection.CredentialType;
        entity.SettingsJson = JsonSerializer.Serialize(connection.Settings);
        entity.ProtectedSecrets = protector.Protect(JsonSerializer.Serialize(new SecretBlob(
            connection.Secrets.ToDictionary(), connection.AccessToken, connection.RefreshToken)));
        entity.ExpiresAt = connection.ExpiresAt;
        entity.GrantedScopes = connection.GrantedScopes;
        entity.UpdatedAt = time.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<ConnectionRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        var entities = await db.Connections.AsNoTracking().OrderBy(c => c.AliasId).ToListAsync(cancellationToken).ConfigureAwait(false);
        return entities.Select(ToRecord).ToList();
    }

    private ConnectionRecord ToRecord(ConnectionEntity entity)
    {
        var secrets = entity.ProtectedSecrets is null
            ? new SecretBlob([], null, null)
            : JsonSerializer.Deserialize<SecretBlob>(Unprotect(entity))!;
        return new ConnectionRecord
        {
            AliasId = entity.AliasId,
            ParentAliasId = entity.ParentAliasId,
            Name = entity.Name,
            Url = entity.Url,
            Attributes = JsonSerializer.Deserialize<Dictionary<string, string>>(entity.AttributesJson) ?? [],
            CredentialType = entity.CredentialType,
            Settings = JsonSerializer.Deserialize<Dictionary<string, string>>(entity.SettingsJson) ?? [],
            Secrets = secrets.Secrets,
            AccessToken = secrets.AccessToken,
            RefreshToken = secrets.RefreshToken,
            ExpiresAt = entity.ExpiresAt,
            GrantedScopes = entity.GrantedScopes,
        };
    }

    private string Unprotect(ConnectionEntity entity)
    {
        try
        {
            return protector.Unprotect(entity.ProtectedSecrets!);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            throw new InvalidOperationException(
                $"the credential of alias '{entity.AliasId}' cannot be decrypted: the key folder (FLOWENGINE_KEYS, default {DefaultKeyFolder}) is not the one it was saved with. " +
                $"Restore that folder, or enter the credential again with 'flowengine aliases set {entity.AliasId} …'");
        }
    }
}
