using System.CommandLine;
using System.Net;
using System.Text.Json;
using FlowEngine.Expressions;
using FlowEngine.Integration.Connections;
using FlowEngine.Runtime.Execution;
using FlowEngine.Runtime.Records;
using Spectre.Console;

namespace FlowEngine.Cli.Commands;

/// <summary><c>flowengine aliases list|set|test|consent|export</c>: connections and credentials of aliases.</summary>
internal static class AliasesCommand
{
    public static Command Build(Option<string?> db)
    {
        var flows = new Option<string>("--flows") { Description = "Folder with the spokes (flows/spokes/*/spoke.yaml)", DefaultValueFactory = _ => "flows", Recursive = true };

        var list = new Command("list", "Aliases from the spokes and child aliases, with their connections (secrets masked).");
        list.SetAction(async (parse, ct) =>
        {
            var engine = await Engine.OpenAsync(parse.GetValue(db), ct, parse.GetValue(flows)!).ConfigureAwait(false);
            var connections = await engine.Connections.ListAsync(ct).ConfigureAwait(false);
            var table = new Table().AddColumns("alias", "spoke", "parent", "url", "credential", "secrets", "token expires");
            var ids = engine.Integration.Spokes.Aliases.Select(a => a.Id).Concat(connections.Select(c => c.AliasId)).Distinct().Order(StringComparer.Ordinal);
            foreach (var id in ids)
            {
                var record = connections.FirstOrDefault(c => c.AliasId == id)?.Masked();
                var definition = engine.Integration.Spokes.Find(id) ?? (record?.ParentAliasId is { } p ? engine.Integration.Spokes.Find(p) : null);
                table.AddRow(
                    Markup.Escape(id),
                    Markup.Escape(definition?.Spoke ?? "?"),
                    Markup.Escape(record?.ParentAliasId ?? ""),
                    Markup.Escape(record?.Url ?? definition?.Url ?? ""),
                    Markup.Escape(record?.CredentialType ?? "[not configured]"),
                    Markup.Escape(record is null ? "" : string.Join(", ", record.Secrets.Select(s => $"{s.Key}={s.Value}").Concat(record.AccessToken is null ? [] : ["access_token=********"]))),
                    record?.ExpiresAt is { } at ? at.ToString("u", System.Globalization.CultureInfo.InvariantCulture) : "");
            }

            Output.Out.Write(table);
            return ExitCodes.Ok;
        });

        var alias = new Argument<string>("alias") { Description = "Alias id (scope.Name), or a new child alias id with --parent" };
        var parent = new Option<string?>("--parent") { Description = "Make this a child alias of PARENT: it inherits the parent's settings and has its own connection and credential" };
        var url = new Option<string?>("--url") { Description = "Connection URL (replaces the alias's URL template)" };
        var attrs = new Option<string[]>("--attribute", "-a") { Description = "Connection attribute name=value (repeatable)" };
        var credential = new Option<string?>("--credential", "-c") { Description = "api_token, basic, oauth2_authorization_code or oauth2_client_credentials" };
        var settings = new Option<string[]>("--setting", "-s") { Description = "Setting name=value: client_id, token_url, authorize_url, scopes, user, header, format, and the alias limits limits.concurrency, limits.requests_per_second, limits.queue, limits.max_wait (repeatable)" };
        var secrets = new Option<string[]>("--secret") { Description = "Secret name=value: token, password, client_secret (repeatable). Use --secret-env to keep it out of the process list" };
        var secretEnv = new Option<string[]>("--secret-env") { Description = "Secret name=ENVIRONMENT_VARIABLE: read the value from the environment" };
        var set = new Command("set", "Create or change the connection and credential of an alias or child alias.") { alias, parent, url, attrs, credential, settings, secrets, secretEnv };
        set.SetAction(async (parse, ct) =>
        {
            var engine = await Engine.OpenAsync(parse.GetValue(db), ct, parse.GetValue(flows)!).ConfigureAwait(false);
            var id = parse.GetValue(alias)!;
            var parentId = parse.GetValue(parent);
            var existing = await engine.Connections.GetAsync(id, ct).ConfigureAwait(false);
            if (parentId is null && existing?.ParentAliasId is null && engine.Integration.Spokes.Find(id) is null)
            {
                Output.Problem($"unknown alias '{id}'{Suggest.DidYouMean(id, engine.Integration.Spokes.Aliases.Select(a => a.Id))}; give --parent to create a child alias");
                return ExitCodes.Usage;
            }

            if (parentId is not null && engine.Integration.Spokes.Find(parentId) is null)
            {
                Output.Problem($"unknown parent alias '{parentId}'{Suggest.DidYouMean(parentId, engine.Integration.Spokes.Aliases.Select(a => a.Id))}");
                return ExitCodes.Usage;
            }

            ConnectionRecord record;
            try
            {
                var fromEnv = Pairs(parse.GetValue(secretEnv) ?? [], "--secret-env").ToDictionary(p => p.Key, p => Environment.GetEnvironmentVariable(p.Value)
                    ?? throw new FormatException($"environment variable {p.Value} is not set"));
                record = (existing ?? new ConnectionRecord { AliasId = id }) with
                {
                    ParentAliasId = parentId ?? existing?.ParentAliasId,
                    Url = parse.GetValue(url) ?? existing?.Url,
                    CredentialType = parse.GetValue(credential) ?? existing?.CredentialType,
                    Attributes = Merge(existing?.Attributes, Pairs(parse.GetValue(attrs) ?? [], "--attribute")),
                    Settings = Merge(existing?.Settings, Pairs(parse.GetValue(settings) ?? [], "--setting")),
                    Secrets = Merge(Merge(existing?.Secrets, Pairs(parse.GetValue(secrets) ?? [], "--secret")), fromEnv),
                };
            }
            catch (FormatException ex)
            {
                Output.Problem(ex.Message);
                return ExitCodes.Usage;
            }
            if (record.CredentialType is { } type && type is not ("api_token" or "basic" or "oauth2_authorization_code" or "oauth2_client_credentials"))
            {
                Output.Problem($"unknown credential type '{type}'; use api_token, basic, oauth2_authorization_code or oauth2_client_credentials");
                return ExitCodes.Usage;
            }

            await engine.Connections.SaveAsync(record, ct).ConfigureAwait(false);
            Output.Error.MarkupLine($"saved connection for [bold]{Markup.Escape(id)}[/]{(record.ParentAliasId is null ? "" : $" (child of {Markup.Escape(record.ParentAliasId)})")}; secrets are encrypted and never shown");
            return ExitCodes.Ok;
        });

        var testAlias = new Argument<string>("alias") { Description = "Alias or child alias id" };
        var test = new Command("test", "Test a connection by running its spoke's test action through it.") { testAlias };
        test.SetAction(async (parse, ct) =>
        {
            var engine = await Engine.OpenAsync(parse.GetValue(db), ct, parse.GetValue(flows)!).ConfigureAwait(false);
            var id = parse.GetValue(testAlias)!;
            var record = await engine.Connections.GetAsync(id, ct).ConfigureAwait(false);
            var definition = engine.Integration.Spokes.Find(id) ?? (record?.ParentAliasId is { } p ? engine.Integration.Spokes.Find(p) : null);
            if (definition?.TestAction is null)
            {
                Output.Problem(definition is null ? $"unknown alias '{id}'" : $"alias '{id}' declares no test_action");
                return ExitCodes.Usage;
            }

            await engine.LoadAsync([parse.GetValue(flows)!], ct).ConfigureAwait(false);
            var runner = await engine.RunnerAsync(ct).ConfigureAwait(false);
            var action = runner.Definitions.Find(definition.TestAction, null);
            if (action is null)
            {
                Output.Problem($"test action '{definition.TestAction}' of alias '{id}' is not loaded");
                return ExitCodes.Failed;
            }

            var overrides = id == definition.Id ? new Dictionary<string, string>() : new Dictionary<string, string> { [definition.Id] = id };
            var result = await runner.RunAsync(action, new Dictionary<string, object?>(), new RunOptions { TriggeredBy = "cli", AliasOverrides = overrides }, ct).ConfigureAwait(false);
            if (result.Status == ExecutionStatus.Completed)
            {
                Output.Error.MarkupLine($"[green]connection works[/]: {Markup.Escape(definition.TestAction)} through {Markup.Escape(id)} completed; outputs {Markup.Escape(Values.ToJson(result.Outputs))}");
                return ExitCodes.Ok;
            }

            Output.Problem($"connection test failed: {result.Record.Error}");
            return ExitCodes.Failed;
        });

        var consentAlias = new Argument<string>("alias") { Description = "Alias or child alias with an oauth2_authorization_code credential" };
        var port = new Option<int>("--port") { Description = "Port of the local redirect endpoint (http://127.0.0.1:PORT/oauth_redirect)", DefaultValueFactory = _ => 8765 };
        var auto = new Option<bool>("--follow") { Description = "Open the consent URL with an HTTP client instead of a browser (for simulators that consent at once)" };
        var consent = new Command("consent", "Get OAuth tokens: opens the consent page and receives the code on a local /oauth_redirect endpoint (PKCE).") { consentAlias, port, auto };
        consent.SetAction(async (parse, ct) =>
        {
            var engine = await Engine.OpenAsync(parse.GetValue(db), ct, parse.GetValue(flows)!).ConfigureAwait(false);
            var id = parse.GetValue(consentAlias)!;
            ResolvedConnection connection;
            try
            {
                connection = await engine.Integration.Resolver.ResolveAsync(id, null, ct).ConfigureAwait(false);
            }
            catch (StepFailedException ex)
            {
                Output.Problem(ex.Message);
                return ExitCodes.Usage;
            }

            if (connection.CredentialType != "oauth2_authorization_code")
            {
                Output.Problem($"alias '{id}' uses {connection.CredentialType}; consent is for oauth2_authorization_code");
                return ExitCodes.Usage;
            }

            var redirect = $"http://127.0.0.1:{parse.GetValue(port)}/oauth_redirect";
            var (verifier, challenge) = TokenManager.Pkce();
            var state = Guid.NewGuid().ToString("N");
            using var listener = new HttpListener();
            // The prefix is the root: HttpListener would not match /oauth_redirect?code=… against /oauth_redirect/.
            listener.Prefixes.Add($"http://127.0.0.1:{parse.GetValue(port)}/");
            listener.Start();
            var authorize = TokenManager.AuthorizeUrl(connection, redirect, state, connection.Setting("pkce") == "false" ? null : challenge);
            Output.Error.MarkupLine($"open this URL, sign in and give consent:\n[link]{Markup.Escape(authorize)}[/]\nwaiting on {Markup.Escape(redirect)} …");
            var callback = listener.GetContextAsync();

            // Kept until the callback arrives: disposing it would cancel the request it is following.
            using var follower = parse.GetValue(auto) ? new HttpClient(new HttpClientHandler { AllowAutoRedirect = true }) : null;
            var following = follower?.GetAsync(authorize, ct);

            var context = await callback.WaitAsync(TimeSpan.FromMinutes(5), ct).ConfigureAwait(false);
            while (context.Request.Url?.AbsolutePath != "/oauth_redirect")
            {
                context.Response.StatusCode = 404;
                context.Response.Close();
                context = await listener.GetContextAsync().WaitAsync(TimeSpan.FromMinutes(5), ct).ConfigureAwait(false);
            }

            var query = System.Web.HttpUtility.ParseQueryString(context.Request.Url?.Query ?? "");
            var ok = query["state"] == state && query["code"] is not null;
            var page = ok ? "Consent received. You can close this window." : $"Consent failed: {query["error"] ?? "state did not match"}";
            var bytes = System.Text.Encoding.UTF8.GetBytes($"<!doctype html><title>FlowEngine</title><p>{WebUtility.HtmlEncode(page)}</p>");
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.OutputStream.WriteAsync(bytes, ct).ConfigureAwait(false);
            context.Response.Close();
            if (following is not null)
            {
                (await following.ConfigureAwait(false)).Dispose();
            }

            if (!ok)
            {
                Output.Problem(page);
                return ExitCodes.Failed;
            }

            try
            {
                var stored = await engine.Integration.Tokens.ExchangeCodeAsync(connection, query["code"]!, redirect, verifier, ct).ConfigureAwait(false);
                Output.Error.MarkupLine($"[green]tokens stored[/] for {Markup.Escape(id)} (encrypted); access token valid until {stored.ExpiresAt:u}; granted scopes: {Markup.Escape(stored.GrantedScopes ?? "?")}");
                return ExitCodes.Ok;
            }
            catch (StepFailedException ex)
            {
                Output.Problem(ex.Message);
                return ExitCodes.Failed;
            }
        });

        var export = new Command("export", "Print connections as JSON without any secret or token, e.g. to move them to another machine.");
        export.SetAction(async (parse, ct) =>
        {
            var engine = await Engine.OpenAsync(parse.GetValue(db), ct, parse.GetValue(flows)!).ConfigureAwait(false);
            var connections = await engine.Connections.ListAsync(ct).ConfigureAwait(false);
            var exported = connections.Select(c => new
            {
                alias = c.AliasId,
                parent = c.ParentAliasId,
                url = c.Url,
                attributes = c.Attributes,
                credential = c.CredentialType,
                settings = c.Settings,
                secrets_to_enter = c.Secrets.Keys,
            });
            Console.Out.WriteLine(JsonSerializer.Serialize(exported, new JsonSerializerOptions { WriteIndented = true }));
            return ExitCodes.Ok;
        });

        var command = new Command("aliases", "Connection & credential aliases: connections, credentials, consent and tests.") { list, set, test, consent, export };
        command.Options.Add(flows);
        return command;
    }

    private static List<KeyValuePair<string, string>> Pairs(IEnumerable<string> values, string option) => values.Select(v =>
    {
        var eq = v.IndexOf('=', StringComparison.Ordinal);
        return eq > 0 ? new KeyValuePair<string, string>(v[..eq], v[(eq + 1)..]) : throw new FormatException(option == "--secret"
            ? "--secret must be name=value, e.g. --secret token=…; the value given is not shown, since it may be the secret itself"
            : $"{option} '{v.Split('=')[0]}' must be name=value");
    }).ToList();

    private static Dictionary<string, string> Merge(IReadOnlyDictionary<string, string>? existing, IEnumerable<KeyValuePair<string, string>> changes)
    {
        var merged = new Dictionary<string, string>(existing ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (key, value) in changes)
        {
            merged[key] = value;
        }

        return merged;
    }
}
