using FlowEngine.Definitions;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.Reading;
using FlowEngine.Expressions;

namespace FlowEngine.Integration.Spokes;

/// <summary>
/// The spokes found under <c>flows/spokes/*/spoke.yaml</c> and their aliases. A spoke manifest declares the
/// aliases; the spoke's actions are ordinary action files beside it.
/// </summary>
public sealed class SpokeCatalog
{
    /// <summary>The manifest file name inside a spoke folder.</summary>
    public const string ManifestName = "spoke.yaml";

    private static readonly string[] SpokeKeys = ["$schema", "kind", "id", "name", "version", "description", "aliases", "license"];
    private static readonly string[] AliasKeys = ["name", "type", "connection_type", "default", "url", "headers", "attributes", "credentials", "retry", "limits", "test_action"];
    private static readonly string[] CredentialTypes = ["api_token", "basic", "oauth2_authorization_code", "oauth2_client_credentials"];

    private readonly Dictionary<string, AliasDefinition> _aliases = new(StringComparer.Ordinal);

    /// <summary>Spokes read.</summary>
    public List<SpokeManifest> Spokes { get; } = [];

    /// <summary>Problems found in manifests.</summary>
    public List<Diagnostic> Diagnostics { get; } = [];

    /// <summary>Every alias declared.</summary>
    public IReadOnlyCollection<AliasDefinition> Aliases => _aliases.Values;

    /// <summary>Reads every <c>spoke.yaml</c> under the given folders.</summary>
    public static SpokeCatalog Load(IEnumerable<string> folders)
    {
        var catalog = new SpokeCatalog();
        foreach (var folder in folders.Where(Directory.Exists))
        {
            foreach (var file in Directory.EnumerateFiles(folder, ManifestName, SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                catalog.Add(Path.GetRelativePath(Environment.CurrentDirectory, file), File.ReadAllText(file));
            }
        }

        return catalog;
    }

    /// <summary>A spoke by id.</summary>
    public SpokeManifest? Spoke(string id) => Spokes.FirstOrDefault(s => s.Id == id);

    /// <summary>An alias by id.</summary>
    public AliasDefinition? Find(string aliasId) => _aliases.GetValueOrDefault(aliasId);

    /// <summary>The default parent alias of a spoke (the first segment of an action id, e.g. <c>pagerduty</c>).</summary>
    public AliasDefinition? DefaultFor(string spokeId) =>
        _aliases.Values.FirstOrDefault(a => a.Spoke == spokeId && a.IsDefault) ?? _aliases.Values.FirstOrDefault(a => a.Spoke == spokeId);

    /// <summary>Reads one manifest text.</summary>
    public SpokeManifest? Add(string file, string text)
    {
        var root = SourceTreeReader.Read(file, text, Diagnostics);
        if (root is null)
        {
            return null;
        }

        if (root.Kind != NodeKind.Mapping || root["kind"]?.Text != "spoke")
        {
            Error(root, "a spoke.yaml starts with 'kind: spoke', then id, name, version and aliases");
            return null;
        }

        Unknown(root, SpokeKeys, "a spoke");
        var id = root["id"]?.Text;
        if (id is null || !System.Text.RegularExpressions.Regex.IsMatch(id, "^[a-z][a-z0-9_]*$"))
        {
            Error(root["id"] ?? root, "a spoke needs 'id': a lower-case name such as pagerduty; its actions are <id>.<action>");
            return null;
        }

        var aliases = new List<AliasDefinition>();
        if (root["aliases"] is { Kind: NodeKind.Mapping } aliasNodes)
        {
            foreach (var (key, node) in aliasNodes.Entries)
            {
                if (ReadAlias(id!, key, node) is { } alias)
                {
                    if (!_aliases.TryAdd(alias.Id, alias))
                    {
                        Error(key, $"alias '{alias.Id}' is declared twice");
                        continue;
                    }

                    aliases.Add(alias);
                }
            }
        }
        else
        {
            Error(root["aliases"] ?? root, "a spoke needs 'aliases': a mapping of alias ids (scope.Name) to their settings");
        }

        var version = root["version"]?.ScalarValue() is long v ? (int)v : 1;
        LicenseInfo? license = null;
        if (root["license"] is { Kind: NodeKind.Mapping } l)
        {
            license = new LicenseInfo(
                l["profile_type"]?.Text ?? $"{root["name"]?.Text ?? id} Subscription",
                l["publisher"]?.Text ?? root["name"]?.Text ?? id!,
                l["product"]?.Text ?? root["name"]?.Text ?? id!,
                l["identifier"]?.Text ?? id!);
        }

        var manifest = new SpokeManifest(id!, root["name"]?.Text ?? id!, version, root["description"]?.Text, aliases, file) { License = license };
        Spokes.Add(manifest);
        return manifest;
    }

    private AliasDefinition? ReadAlias(string spoke, SourceNode key, SourceNode node)
    {
        var id = key.Text ?? "";
        if (!System.Text.RegularExpressions.Regex.IsMatch(id, @"^([A-Za-z0-9_]+\.)?[A-Za-z0-9_]+$"))
        {
            Error(key, $"alias id '{id}' must be scope.Name with letters, digits and '_' only, e.g. sn_pagerduty_spoke.PagerDuty");
            return null;
        }

        if (node.Kind != NodeKind.Mapping)
        {
            Error(node, $"alias '{id}' must be a mapping of its settings");
            return null;
        }

        Unknown(node, AliasKeys, $"alias '{id}'");
        var type = node["type"]?.Text ?? "connection_and_credential";
        if (type is not ("connection_and_credential" or "credential"))
        {
            Error(node["type"]!, "alias type must be connection_and_credential or credential");
        }

        var credentials = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var (credentialKey, settings) in node["credentials"]?.Entries ?? [])
        {
            if (!CredentialTypes.Contains(credentialKey.Text))
            {
                Error(credentialKey, $"unknown credential type '{credentialKey.Text}'{Suggest.DidYouMean(credentialKey.Text ?? "", CredentialTypes)}; types are {string.Join(", ", CredentialTypes)}");
                continue;
            }

            credentials[credentialKey.Text!] = settings.Entries.ToDictionary(e => e.Key.Text ?? "", e => e.Value.Text ?? "", StringComparer.Ordinal);
        }

        var retry = RetryPolicy.Default;
        if (node["retry"] is { Kind: NodeKind.Mapping } retryNode)
        {
            try
            {
                retry = RetryPolicy.From(retryNode.Entries.ToDictionary(e => e.Key.Text ?? "", e => e.Value.ScalarValue(), StringComparer.Ordinal), RetryPolicy.Default);
            }
            catch (ArgumentException ex)
            {
                Error(retryNode, ex.Message);
            }
        }

        var limits = AliasLimits.Default;
        if (node["limits"] is { } limitsNode)
        {
            if (limitsNode.Kind != NodeKind.Mapping)
            {
                Error(limitsNode, $"limits of alias '{id}' must be a mapping: {{ concurrency: 4, requests_per_second: 15, queue: 64, max_wait: 120 }}");
            }
            else
            {
                try
                {
                    limits = AliasLimits.From(limitsNode.Entries.Select(e => new KeyValuePair<string, object?>(e.Key.Text ?? "", e.Value.ScalarValue())), AliasLimits.Default);
                }
                catch (ArgumentException ex)
                {
                    Error(limitsNode, $"alias '{id}': {ex.Message}");
                }
            }
        }

        return new AliasDefinition
        {
            Id = id,
            Spoke = spoke,
            Name = node["name"]?.Text ?? id,
            Type = type,
            ConnectionType = node["connection_type"]?.Text ?? "http",
            IsDefault = node["default"]?.ScalarValue() is true,
            Url = node["url"]?.Text,
            Headers = node["headers"]?.Entries.ToDictionary(e => e.Key.Text ?? "", e => e.Value.Text ?? "", StringComparer.OrdinalIgnoreCase) ?? [],
            Attributes = ReadAttributes(node["attributes"]),
            Credentials = credentials,
            Retry = retry,
            Limits = limits,
            TestAction = node["test_action"]?.Text,
            Span = key.Span,
        };
    }

    private List<ParameterSpec> ReadAttributes(SourceNode? node)
    {
        var result = new List<ParameterSpec>();
        foreach (var (key, value) in node?.Entries ?? [])
        {
            var typeName = value.Kind == NodeKind.Scalar ? value.Text : value["type"]?.Text;
            if (typeName is null || !TypeSpec.Names.Contains(typeName))
            {
                Error(value, $"attribute '{key.Text}' needs a type: one of {string.Join(", ", TypeSpec.Names)}");
                continue;
            }

            result.Add(new ParameterSpec(key.Text ?? "", new TypeSpec(typeName), key.Span)
            {
                Default = value["default"]?.ScalarValue(),
                Description = value["description"]?.Text,
                Required = value["required"]?.ScalarValue() is true,
            });
        }

        return result;
    }

    private void Unknown(SourceNode mapping, string[] allowed, string where)
    {
        foreach (var (key, _) in mapping.Entries.Where(e => !allowed.Contains(e.Key.Text)))
        {
            Error(key, $"unknown key '{key.Text}' in {where}{Suggest.DidYouMean(key.Text ?? "", allowed)}; allowed: {string.Join(", ", allowed.Where(a => a != "$schema"))}");
        }
    }

    private void Error(SourceNode node, string message) =>
        Diagnostics.Add(new Diagnostic(Codes.InvalidValue, Severity.Error, node.Span.File, node.Span.Line, node.Span.Column, null, message));
}
