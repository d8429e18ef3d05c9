using System.Globalization;
using System.Text.RegularExpressions;
using FlowEngine.Integration.Spokes;
using FlowEngine.Runtime.Execution;

namespace FlowEngine.Integration.Connections;

/// <summary>
/// Resolves an alias at run time: applies overrides (action, subflow, flow, caller — see <see cref="Frame.ResolveAlias"/>),
/// finds the connection of the alias used, and lets a child alias inherit what it does not set from its parent.
/// </summary>
public sealed partial class AliasResolver(SpokeCatalog spokes, IConnectionStore connections)
{
    /// <summary>The connection store.</summary>
    public IConnectionStore Connections { get; } = connections;

    /// <summary>The spokes and their aliases.</summary>
    public SpokeCatalog Spokes { get; } = spokes;

    /// <summary>Resolves <paramref name="configuredAlias"/> as seen from a frame (null frame: no overrides).</summary>
    /// <exception cref="StepFailedException">The alias is unknown or has no connection; the message says what to do.</exception>
    public async Task<ResolvedConnection> ResolveAsync(string configuredAlias, Frame? frame, CancellationToken cancellationToken)
    {
        var used = frame?.ResolveAlias(configuredAlias) ?? configuredAlias;
        var record = await Connections.GetAsync(used, cancellationToken).ConfigureAwait(false);
        var definition = Spokes.Find(used) ?? (record?.ParentAliasId is { } parentId ? Spokes.Find(parentId) : null);
        if (definition is null)
        {
            throw new StepFailedException(
                used == configuredAlias
                    ? $"unknown alias '{used}'; aliases come from flows/spokes/*/spoke.yaml or 'flowengine aliases create-child'"
                    : $"alias '{configuredAlias}' is overridden with '{used}', which is neither a spoke alias nor a child alias with a connection",
                code: "alias");
        }

        if (record is null)
        {
            throw new StepFailedException(
                $"alias '{used}' has no connection yet; create it with 'flowengine aliases set {used} --credential <type> …'", code: "alias");
        }

        var parent = record.ParentAliasId is { } p ? await Connections.GetAsync(p, cancellationToken).ConfigureAwait(false) : null;
        var attributes = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var attribute in definition.Attributes)
        {
            var text = record.Attributes.GetValueOrDefault(attribute.Name) ?? parent?.Attributes.GetValueOrDefault(attribute.Name);
            attributes[attribute.Name] = text is null ? attribute.Default : Convert(text, attribute.Type.Name);
        }

        var url = record.Url ?? (definition.Url is { } template ? Fill(template, attributes) : parent?.Url)
            ?? throw new StepFailedException($"alias '{used}' has no URL; set one with 'flowengine aliases set {used} --url …'", code: "alias");
        var credentialType = record.CredentialType ?? parent?.CredentialType
            ?? throw new StepFailedException($"alias '{used}' has no credential; set one with 'flowengine aliases set {used} --credential …'", code: "alias");

        AliasLimits limits;
        try
        {
            limits = AliasLimits.FromSettings(record.Settings, parent is null ? definition.Limits : AliasLimits.FromSettings(parent.Settings, definition.Limits));
        }
        catch (ArgumentException ex)
        {
            throw new StepFailedException($"alias '{used}' has a wrong limit setting: {ex.Message}; fix it with 'flowengine aliases set {used} --setting limits.<name>=<value>'", code: "alias");
        }

        return new ResolvedConnection
        {
            ConfiguredAlias = configuredAlias,
            UsedAlias = used,
            Definition = definition,
            BaseUrl = url.TrimEnd('/'),
            Attributes = attributes,
            Record = record,
            CredentialType = credentialType,
            Limits = limits,
        };
    }

    /// <summary>Fills <c>{name}</c> placeholders from attribute values.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, object?> attributes) =>
        Placeholder().Replace(template, m => attributes.TryGetValue(m.Groups[1].Value, out var v) && v is not null
            ? Expressions.Values.ToText(v)
            : m.Value);

    private static object? Convert(string text, string type) => type switch
    {
        "integer" when long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
        "number" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        "boolean" when bool.TryParse(text, out var b) => b,
        _ => text,
    };

    [GeneratedRegex(@"\{([a-z_][a-z0-9_]*)\}")]
    private static partial Regex Placeholder();
}
