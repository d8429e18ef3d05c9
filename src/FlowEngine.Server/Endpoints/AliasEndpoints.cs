using System.Net;
using FlowEngine.Expressions;
using FlowEngine.Hosting;
using FlowEngine.Integration.Connections;
using FlowEngine.Integration.Spokes;
using FlowEngine.Runtime.Execution;
using FlowEngine.Server.Auth;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;

namespace FlowEngine.Server.Endpoints;

/// <summary>
/// <c>/api/spokes</c> and <c>/api/aliases</c>: connection &amp; credential aliases and their connections. Secrets and
/// tokens are write-only: reads say which are set, never what they are. Also the OAuth consent and its redirect.
/// </summary>
internal static class AliasEndpoints
{
    private static readonly string[] CredentialTypes = ["api_token", "basic", "oauth2_authorization_code", "oauth2_client_credentials"];
    private static readonly string[] SecretNames = ["token", "password", "client_secret", "secret", "access_token", "refresh_token", "api_key"];

    public static IEndpointRouteBuilder MapAliasEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/spokes", (Engine engine) => TypedResults.Ok(engine.Integration.Spokes.Spokes.Select(s => new SpokeView(
                s.Id, s.Name, s.Version, s.Description, s.License is { } l ? new LicenseView(l.ProfileType, l.Publisher, l.Product, l.Identifier) : null,
                s.Aliases.Select(a => a.Id).ToList())).ToList()))
            .WithTags("Aliases").RequireAuthorization(Policies.Viewer);

        var group = app.MapGroup("/api/aliases").WithTags("Aliases").RequireAuthorization(Policies.Viewer);
        group.MapGet("/", async (Engine engine, CancellationToken ct) =>
        {
            var connections = await engine.Connections.ListAsync(ct).ConfigureAwait(false);
            var spokes = engine.Integration.Spokes;
            return TypedResults.Ok(spokes.Aliases.Select(a => a.Id).Concat(connections.Select(c => c.AliasId)).Distinct().Order(StringComparer.Ordinal)
                .Select(id => AliasView.From(id, connections.FirstOrDefault(c => c.AliasId == id), spokes)).ToList());
        });

        group.MapGet("/{alias}", async Task<Results<Ok<AliasView>, ProblemHttpResult>> (string alias, Engine engine, CancellationToken ct) =>
        {
            var record = await engine.Connections.GetAsync(alias, ct).ConfigureAwait(false);
            return record is null && engine.Integration.Spokes.Find(alias) is null
                ? ApiResults.NotFound($"no alias '{alias}'{Suggest.DidYouMean(alias, engine.Integration.Spokes.Aliases.Select(a => a.Id))}")
                : TypedResults.Ok(AliasView.From(alias, record, engine.Integration.Spokes));
        });

        group.MapPut("/{alias}", async Task<Results<Ok<AliasView>, ProblemHttpResult>> (string alias, ConnectionInput input, Engine engine, CancellationToken ct) =>
        {
            var spokes = engine.Integration.Spokes;
            var existing = await engine.Connections.GetAsync(alias, ct).ConfigureAwait(false);
            var parent = string.IsNullOrEmpty(input.Parent) ? null : input.Parent;
            if (parent is null && existing?.ParentAliasId is null && spokes.Find(alias) is null)
            {
                return ApiResults.NotFound($"unknown alias '{alias}'{Suggest.DidYouMean(alias, spokes.Aliases.Select(a => a.Id))}; give 'parent' to create a child alias");
            }

            if (parent is not null && spokes.Find(parent) is null)
            {
                return ApiResults.BadRequest($"unknown parent alias '{parent}'{Suggest.DidYouMean(parent, spokes.Aliases.Select(a => a.Id))}");
            }

            var misplaced = (input.Settings?.Keys ?? Enumerable.Empty<string>()).Concat(input.Attributes?.Keys ?? Enumerable.Empty<string>()).Where(k => SecretNames.Contains(k)).ToList();
            if (misplaced.Count > 0)
            {
                return ApiResults.BadRequest($"{string.Join(", ", misplaced)} must go in 'secrets', which are encrypted and never shown, not in settings or attributes");
            }

            var credential = input.CredentialType is null ? existing?.CredentialType : input.CredentialType.Length == 0 ? null : input.CredentialType;
            if (credential is not null && !CredentialTypes.Contains(credential))
            {
                return ApiResults.BadRequest($"unknown credential type '{credential}'; use {string.Join(", ", CredentialTypes)}");
            }

            var secrets = Merge(existing?.Secrets, input.Secrets, keepOnEmpty: true);
            foreach (var name in input.RemoveSecrets ?? [])
            {
                secrets.Remove(name);
            }

            var record = (existing ?? new ConnectionRecord { AliasId = alias }) with
            {
                ParentAliasId = parent ?? existing?.ParentAliasId,
                Name = input.Name ?? existing?.Name,
                Url = input.Url is null ? existing?.Url : input.Url.Length == 0 ? null : input.Url,
                CredentialType = credential,
                Attributes = Merge(existing?.Attributes, input.Attributes, keepOnEmpty: false),
                Settings = Merge(existing?.Settings, input.Settings, keepOnEmpty: false),
                Secrets = secrets,
            };
            if (input.ClearTokens == true)
            {
                record = record with { AccessToken = null, RefreshToken = null, ExpiresAt = null, GrantedScopes = null };
            }

            await engine.Connections.SaveAsync(record, ct).ConfigureAwait(false);
            return TypedResults.Ok(AliasView.From(alias, record, spokes));
        }).RequireAuthorization(Policies.Admin);

        group.MapPost("/{alias}/test", async Task<Results<Ok<RunView>, ProblemHttpResult>> (string alias, Engine engine, ServerState state, CancellationToken ct) =>
        {
            var record = await engine.Connections.GetAsync(alias, ct).ConfigureAwait(false);
            var definition = engine.Integration.Spokes.Find(alias) ?? (record?.ParentAliasId is { } p ? engine.Integration.Spokes.Find(p) : null);
            if (definition?.TestAction is null)
            {
                return definition is null ? ApiResults.NotFound($"unknown alias '{alias}'") : ApiResults.BadRequest($"alias '{alias}' declares no test_action");
            }

            var runner = await state.RunnerAsync(ct).ConfigureAwait(false);
            var action = runner.Definitions.Find(definition.TestAction, null);
            if (action is null)
            {
                return ApiResults.BadRequest($"test action '{definition.TestAction}' of alias '{alias}' is not stored; load the flows");
            }

            var overrides = alias == definition.Id ? new Dictionary<string, string>() : new Dictionary<string, string> { [definition.Id] = alias };
            var result = await runner.RunAsync(action, new Dictionary<string, object?>(), new RunOptions { TriggeredBy = "api", AliasOverrides = overrides }, ct).ConfigureAwait(false);
            return TypedResults.Ok(RunView.From(result.Record, result.Outputs));
        }).RequireAuthorization(Policies.Admin);

        group.MapPost("/{alias}/consent", async Task<Results<Ok<ConsentView>, ProblemHttpResult>> (string alias, HttpRequest request, Engine engine, ConsentStore consents, CancellationToken ct) =>
        {
            ResolvedConnection connection;
            try
            {
                connection = await engine.Integration.Resolver.ResolveAsync(alias, null, ct).ConfigureAwait(false);
            }
            catch (StepFailedException ex)
            {
                return ApiResults.BadRequest(ex.Message);
            }

            if (connection.CredentialType != "oauth2_authorization_code")
            {
                return ApiResults.BadRequest($"alias '{alias}' uses {connection.CredentialType}; consent is for oauth2_authorization_code");
            }

            var redirect = connection.Setting("redirect_uri") ?? $"{request.Scheme}://{request.Host}/oauth_redirect";
            var (verifier, challenge) = TokenManager.Pkce();
            var pkce = connection.Setting("pkce") != "false";
            var pending = consents.Add(alias, pkce ? verifier : null, redirect);
            try
            {
                var url = TokenManager.AuthorizeUrl(connection, redirect, pending.State, pkce ? challenge : null);
                return TypedResults.Ok(new ConsentView(alias, url, redirect, pending.State, pending.ExpiresAt));
            }
            catch (StepFailedException ex)
            {
                consents.Take(pending.State);
                return ApiResults.BadRequest(ex.Message);
            }
        }).RequireAuthorization(Policies.Admin);

        return app;
    }

    /// <summary><c>GET /oauth_redirect</c>: the vendor sends the admin's browser back here with a code; the engine exchanges it for tokens.</summary>
    public static IEndpointRouteBuilder MapOAuthRedirect(this IEndpointRouteBuilder app)
    {
        app.MapGet("/oauth_redirect", async (string? code, string? state, string? error, [FromQuery(Name = "error_description")] string? description, ConsentStore consents, Engine engine, CancellationToken ct) =>
        {
            var pending = consents.Take(state);
            if (pending is null)
            {
                return Page(StatusCodes.Status400BadRequest, "Consent not completed",
                    "This consent is unknown, was completed already, or is older than 10 minutes. Start it again with 'Create and get OAuth token'.");
            }

            if (error is not null || code is null)
            {
                return Page(StatusCodes.Status400BadRequest, "Consent not completed", $"The vendor answered {error ?? "without a code"}{(description is null ? "" : $": {description}")}.");
            }

            try
            {
                var connection = await engine.Integration.Resolver.ResolveAsync(pending.Alias, null, ct).ConfigureAwait(false);
                var stored = await engine.Integration.Tokens.ExchangeCodeAsync(connection, code, pending.RedirectUri, pending.Verifier, ct).ConfigureAwait(false);
                return Page(StatusCodes.Status200OK, "Consent received",
                    $"Tokens are stored (encrypted) for {pending.Alias}; the access token is valid until {stored.ExpiresAt:u}; granted scopes: {stored.GrantedScopes ?? "?"}. You can close this window.");
            }
            catch (StepFailedException ex)
            {
                return Page(StatusCodes.Status502BadGateway, "Token exchange failed", ex.Message);
            }
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    private static IResult Page(int status, string title, string message) => Results.Content(
        $"""
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>FlowEngine · {WebUtility.HtmlEncode(title)}</title><link rel="icon" href="/admin/favicon.svg" type="image/svg+xml"><link rel="stylesheet" href="/admin/admin.css"></head>
        <body><main class="page"><h1>{WebUtility.HtmlEncode(title)}</h1><p id="consent-result" data-status="{status}">{WebUtility.HtmlEncode(message)}</p>
        <p><a href="/admin/aliases.html">Back to aliases</a></p></main></body></html>
        """,
        "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string>? existing, IReadOnlyDictionary<string, string>? changes, bool keepOnEmpty)
    {
        var merged = new Dictionary<string, string>(existing ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in changes ?? new Dictionary<string, string>())
        {
            if (string.IsNullOrEmpty(value))
            {
                if (!keepOnEmpty)
                {
                    merged.Remove(key);
                }

                continue;
            }

            merged[key] = value;
        }

        return merged;
    }

    [System.Text.Json.Serialization.JsonUnmappedMemberHandling(System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow)]
    internal sealed record ConnectionInput(
        string? Parent, string? Name, string? Url, Dictionary<string, string>? Attributes, string? CredentialType,
        Dictionary<string, string>? Settings, Dictionary<string, string>? Secrets, List<string>? RemoveSecrets, bool? ClearTokens);

    internal sealed record ConsentView(string Alias, string AuthorizeUrl, string RedirectUri, string State, DateTimeOffset ExpiresAt);

    internal sealed record LicenseView(string ProfileType, string Publisher, string Product, string Identifier);

    internal sealed record SpokeView(string Id, string Name, int Version, string? Description, LicenseView? License, IReadOnlyList<string> Aliases);

    internal sealed record AttributeView(string Name, string Type, string? Description, object? Default);

    /// <summary>An alias with its connection; secrets and tokens only as "set or not".</summary>
    internal sealed record AliasView(
        string Id, string? Spoke, string? Name, string? Parent, bool Configured, string? Url, string? UrlTemplate,
        IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<AttributeView> AttributeSpecs,
        string? CredentialType, IReadOnlyList<string> CredentialTypes, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> CredentialTemplates,
        IReadOnlyDictionary<string, string> Settings, IReadOnlyList<string> SecretsSet,
        bool HasAccessToken, bool HasRefreshToken, DateTimeOffset? TokenExpiresAt, string? GrantedScopes, string? TestAction)
    {
        public static AliasView From(string id, ConnectionRecord? record, SpokeCatalog spokes)
        {
            var definition = spokes.Find(id) ?? (record?.ParentAliasId is { } p ? spokes.Find(p) : null);
            return new AliasView(
                id, definition?.Spoke, record?.Name ?? definition?.Name, record?.ParentAliasId, record is not null, record?.Url, definition?.Url,
                record?.Attributes ?? new Dictionary<string, string>(),
                definition?.Attributes.Select(a => new AttributeView(a.Name, a.Type.ToString(), a.Description, a.Default)).ToList() ?? [],
                record?.CredentialType, definition?.Credentials.Keys.ToList() ?? [],
                definition?.Credentials ?? new Dictionary<string, IReadOnlyDictionary<string, string>>(),
                record?.Settings ?? new Dictionary<string, string>(), record?.Secrets.Keys.Order(StringComparer.Ordinal).ToList() ?? [],
                record?.AccessToken is not null, record?.RefreshToken is not null, record?.ExpiresAt, record?.GrantedScopes, definition?.TestAction);
        }
    }
}
