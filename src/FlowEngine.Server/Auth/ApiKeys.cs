using System.Security.Cryptography;
using System.Text;
using FlowEngine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace FlowEngine.Server.Auth;

/// <summary>The three roles; each includes the ones below it.</summary>
public static class Roles
{
    /// <summary>Everything.</summary>
    public const string Admin = "admin";

    /// <summary>Definitions, runs, executions.</summary>
    public const string Integrator = "integrator";

    /// <summary>Read only.</summary>
    public const string Viewer = "viewer";

    /// <summary>All roles, strongest first.</summary>
    public static readonly string[] All = [Admin, Integrator, Viewer];
}

/// <summary>Creates and checks API keys; only their SHA-256 hashes are stored.</summary>
public sealed class ApiKeys(FlowStore store, TimeProvider time)
{
    /// <summary>Creates a key and returns it in clear: the only time it is ever shown.</summary>
    public async Task<string> CreateAsync(string name, string role, CancellationToken cancellationToken)
    {
        if (!Roles.All.Contains(role))
        {
            throw new ArgumentException($"role must be one of {string.Join(", ", Roles.All)}", nameof(role));
        }

        var key = "fe_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)).Replace('+', '-').Replace('/', '_');
        await using var db = store.CreateContext();
        db.ApiKeys.Add(new ApiKeyEntity { Id = Guid.CreateVersion7(time.GetUtcNow()), Name = name, Role = role, Hash = Hash(key), Prefix = key[..7], CreatedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        return key;
    }

    /// <summary>The role of a key, or null when it is unknown.</summary>
    public async Task<(string Role, string Name)?> CheckAsync(string key, CancellationToken cancellationToken)
    {
        var hash = Hash(key);
        await using var db = store.CreateContext();
        var entity = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Hash == hash, cancellationToken).ConfigureAwait(false);
        return entity is null ? null : (entity.Role, entity.Name);
    }

    /// <summary>Whether any key exists.</summary>
    public async Task<bool> AnyAsync(CancellationToken cancellationToken)
    {
        await using var db = store.CreateContext();
        return await db.ApiKeys.AnyAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
