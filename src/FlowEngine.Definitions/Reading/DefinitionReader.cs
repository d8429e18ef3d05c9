using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using FlowEngine.Definitions.Model;
using FlowEngine.Definitions.StepTypes;
using FlowEngine.Expressions;

namespace FlowEngine.Definitions.Reading;

/// <summary>The result of reading one file: the definition when it could be built, and every diagnostic found.</summary>
public sealed record ReadResult(Definition? Definition, IReadOnlyList<Diagnostic> Diagnostics)
{
    /// <summary>True when there is a definition and no error.</summary>
    public bool Succeeded => Definition is not null && Diagnostics.All(d => d.Severity != Severity.Error);
}

/// <summary>
/// Turns a YAML or JSON file into a <see cref="Definition"/>. It reports every problem it can find in one pass
/// (unknown keys, wrong shapes, bad pills, duplicate ids) rather than stopping at the first.
/// </summary>
public sealed partial class DefinitionReader(StepTypeCatalog stepTypes)
{
    private static readonly string[] TopLevelKeys = ["$schema", "kind", "id", "name", "description", "version", "inputs", "outputs", "triggers", "connections", "steps"];
    private static readonly string[] StepCommonKeys = ["id", "name", "description", "layout"];
    private static readonly string[] ParameterKeys = ["type", "required", "default", "description", "label", "items", "properties"];
    private static readonly string[] TriggerTypes = ["manual", "schedule", "http"];

    /// <summary>Reads a file from disk.</summary>
    public ReadResult ReadFile(string path, string? displayPath = null)
    {
        var text = File.ReadAllText(path);
        return Read(displayPath ?? path, text);
    }

    /// <summary>Reads definition text; the file name decides YAML or JSON (<c>.json</c>) and appears in diagnostics.</summary>
    public ReadResult Read(string file, string text)
    {
        var diagnostics = new List<Diagnostic>();
        try
        {
            var root = SourceTreeReader.Read(file, text, diagnostics);
            var definition = root is null ? null : new Session(this, file, text, diagnostics).ReadDefinition(root);
            return new ReadResult(definition, diagnostics);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A reader bug must still come out as a diagnostic with the file, never as a crash of the caller.
            diagnostics.Add(new(Codes.Syntax, Severity.Error, file, 1, 1, null, $"could not read the file: {ex.Message}"));
            return new ReadResult(null, diagnostics);
        }
    }

    /// <summary>SHA-256 of the text with line endings normalised, so a checkout on Windows hashes the same.</summary>
    public static string Hash(string text)
    {
        var normalised = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalised)));
    }

    [GeneratedRegex(@"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$")]
    internal static partial Regex DefinitionIdPattern();

    [GeneratedRegex(@"^[a-z_][a-z0-9_]*$")]
    internal static partial Regex NamePattern();

    private sealed class Session(DefinitionReader reader, string file, string text, List<Diagnostic> diagnostics)
    {
        private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
        private string? _currentStep;

        private void Error(string code, SourceSpan span, string message) =>
            diagnostics.Add(new(code, Severity.Error, file, span.Line, span.Column, _currentStep, message));

        private void Error(string code, SourceNode node, string message) => Error(code, node.Span, message);

        public Definition? ReadDefinition(SourceNode root)
        {
            if (root.Kind != NodeKind.Mapping)
            {
                Error(Codes.WrongType, root, $"a definition must be a mapping with kind, id, version and steps, not {root.Describe()}");
                return null;
            }

            CheckKeys(root, TopLevelKeys, "definition");
            var kind = ReadKind(root);
            var id = RequiredText(root, "id", "the dotted id, e.g. 'pagerduty.list_users'");
            if (id is not null && !DefinitionIdPattern().IsMatch(id))
            {
                Error(Codes.InvalidValue, root["id"]!, $"id '{id}' must be dotted lower-case names, e.g. 'demo.active_emails'");
            }

            var version = ReadVersion(root);
            var name = OptionalText(root, "name") ?? id ?? "";
            var description = OptionalText(root, "description");
            var inputs = ReadParameters(root["inputs"], "inputs", isInput: true);
            var outputs = ReadParameters(root["outputs"], "outputs", isInput: false);
            var triggers = ReadTriggers(root["triggers"], kind);
            var connections = ReadConnections(root["connections"]);
            var steps = root["steps"] is { } stepsNode ? ReadSteps(stepsNode) : null;
            if (steps is null && root["steps"] is null)
            {
                Error(Codes.MissingKey, root, "a definition needs 'steps': a list of steps");
            }

            if (kind is null || id is null || version is null || steps is null)
            {
                return null;
            }

            return new Definition
            {
                Kind = kind.Value,
                Id = id,
                Version = version.Value,
                Name = name,
                Description = description,
                Inputs = inputs,
                Outputs = outputs,
                Triggers = triggers,
                Connections = connections,
                Steps = steps,
                SourceFile = file,
                SourceText = text,
                Hash = Hash(text),
                Span = root["id"]!.Span,
                VersionSpan = root["version"]!.Span,
            };
        }

        private void CheckKeys(SourceNode mapping, IReadOnlyCollection<string> allowed, string where)
        {
            foreach (var (key, _) in mapping.Entries)
            {
                var name = key.Text ?? "";
                if (!allowed.Contains(name))
                {
                    Error(Codes.UnknownKey, key, $"unknown key '{name}' in {where}{Suggest.DidYouMean(name, allowed)}; allowed: {string.Join(", ", allowed.Where(a => a != "$schema"))}");
                }
            }
        }

        private DefinitionKind? ReadKind(SourceNode root)
        {
            var text = RequiredText(root, "kind", "flow, subflow or action");
            return text switch
            {
                null => null,
                "flow" => DefinitionKind.Flow,
                "subflow" => DefinitionKind.Subflow,
                "action" => DefinitionKind.Action,
                _ => Invalid(),
            };

            DefinitionKind? Invalid()
            {
                Error(Codes.InvalidValue, root["kind"]!, $"kind '{text}' is not one of flow, subflow, action{Suggest.DidYouMean(text, ["flow", "subflow", "action"])}");
                return null;
            }
        }

        private int? ReadVersion(SourceNode root)
        {
            var node = root["version"];
            if (node is null)
            {
                Error(Codes.MissingKey, root, "a definition needs 'version': a whole number from 1; bump it when you change the file");
                return null;
            }

            if (node.Kind == NodeKind.Scalar && node.ScalarValue() is long v and >= 1 and <= int.MaxValue)
            {
                return (int)v;
            }

            Error(Codes.WrongType, node, $"version must be a whole number from 1, not {node.Describe()}");
            return null;
        }

        private string? RequiredText(SourceNode mapping, string key, string what)
        {
            var node = mapping[key];
            if (node is null)
            {
                Error(Codes.MissingKey, mapping, $"missing '{key}': {what}");
                return null;
            }

            return Text(node, key);
        }

        private string? OptionalText(SourceNode mapping, string key) => mapping[key] is { } node ? Text(node, key) : null;

        private string? Text(SourceNode node, string key)
        {
            if (node.Kind == NodeKind.Scalar && node.ScalarValue() is string s)
            {
                return s;
            }

            if (node.Kind == NodeKind.Scalar && node.ScalarValue() is { } other)
            {
                return Values.ToText(other);
            }

            Error(Codes.WrongType, node, $"'{key}' must be a text, not {node.Describe()}");
            return null;
        }

        private IReadOnlyList<ParameterSpec> ReadParameters(SourceNode? node, string where, bool isInput)
        {
            if (node is null)
            {
                return [];
            }

            if (node.Kind != NodeKind.Mapping)
            {
                if (!(node.Kind == NodeKind.Scalar && node.ScalarValue() is null))
                {
                    Error(Codes.WrongType, node, $"'{where}' must be a mapping of names to types, not {node.Describe()}");
                }

                return [];
            }

            var result = new List<ParameterSpec>();
            foreach (var (key, value) in node.Entries)
            {
                var name = key.Text ?? "";
                if (!NamePattern().IsMatch(name))
                {
                    Error(Codes.InvalidValue, key, $"{where} name '{name}' must be lower-case letters, digits and '_'");
                    continue;
                }

                if (ReadParameter(name, value, where, isInput) is { } parameter)
                {
                    result.Add(parameter with { Span = key.Span });
                }
            }

            return result;
        }

        private ParameterSpec? ReadParameter(string name, SourceNode node, string where, bool isInput)
        {
            // A parameter whose type cannot be read is reported once and kept as 'any', so pills and calls that
            // use it are not also reported as naming an input that does not exist.
            if (node.Kind == NodeKind.Scalar && node.ScalarValue() is string shorthand)
            {
                return new ParameterSpec(name, ReadTypeName(shorthand, node) is { } t ? new TypeSpec(t) : TypeSpec.Any, node.Span) { Required = isInput };
            }

            if (node.Kind != NodeKind.Mapping)
            {
                Error(Codes.WrongType, node, $"{where}.{name} must be a type name or a mapping with 'type', not {node.Describe()}");
                return new ParameterSpec(name, TypeSpec.Any, node.Span) { Required = isInput };
            }

            CheckKeys(node, ParameterKeys, $"{where}.{name}");
            var type = ReadType(node, $"{where}.{name}") ?? TypeSpec.Any;

            var required = isInput;
            if (node["required"] is { } req)
            {
                if (req.ScalarValue() is bool b)
                {
                    required = b;
                }
                else
                {
                    Error(Codes.WrongType, req, $"'required' must be true or false, not {req.Describe()}");
                }
            }

            object? defaultValue = null;
            if (node["default"] is { } def)
            {
                defaultValue = Plain(def);
                required = false;
                if (defaultValue is not null && !type.Accepts(Infer(defaultValue)))
                {
                    Error(Codes.TypeMismatch, def, $"default of {where}.{name} is {Values.TypeName(defaultValue)} but the type is {type}");
                }
            }

            return new ParameterSpec(name, type, node.Span)
            {
                Required = required,
                Default = defaultValue,
                Description = OptionalText(node, "description"),
                Label = OptionalText(node, "label"),
            };
        }

        private static TypeSpec Infer(object value) => new(Values.TypeName(value));

        private TypeSpec? ReadType(SourceNode spec, string where)
        {
            var typeNode = spec["type"];
            if (typeNode is null)
            {
                Error(Codes.MissingKey, spec, $"{where} needs 'type': one of {string.Join(", ", TypeSpec.Names)}");
                return null;
            }

            var name = typeNode.Kind == NodeKind.Scalar ? ReadTypeName(typeNode.Text ?? "", typeNode) : null;
            if (typeNode.Kind != NodeKind.Scalar)
            {
                Error(Codes.WrongType, typeNode, $"{where}.type must be a type name, not {typeNode.Describe()}");
            }

            if (name is null)
            {
                return null;
            }

            TypeSpec? items = null;
            if (spec["items"] is { } itemsNode)
            {
                if (name != "array")
                {
                    Error(Codes.InvalidValue, itemsNode, $"'items' only applies to type array, and {where} is {name}");
                }
                else if (itemsNode.Kind == NodeKind.Mapping)
                {
                    CheckKeys(itemsNode, ParameterKeys, $"{where}.items");
                    items = ReadType(itemsNode, $"{where}.items");
                }
                else if (itemsNode.Kind == NodeKind.Scalar)
                {
                    items = ReadTypeName(itemsNode.Text ?? "", itemsNode) is { } itemType ? new TypeSpec(itemType) : null;
                }
                else
                {
                    Error(Codes.WrongType, itemsNode, $"'items' of {where} must be a type name or a mapping with 'type', e.g. 'items: string', not {itemsNode.Describe()}");
                }
            }

            Dictionary<string, ParameterSpec>? properties = null;
            if (spec["properties"] is { } propsNode)
            {
                if (name != "object")
                {
                    Error(Codes.InvalidValue, propsNode, $"'properties' only applies to type object, and {where} is {name}");
                }
                else
                {
                    properties = ReadParameters(propsNode, $"{where}.properties", isInput: false).ToDictionary(p => p.Name, StringComparer.Ordinal);
                }
            }

            return new TypeSpec(name, items, properties);
        }

        private string? ReadTypeName(string name, SourceNode node)
        {
            if (TypeSpec.Names.Contains(name))
            {
                return name;
            }

            Error(Codes.InvalidValue, node, $"unknown type '{name}'{Suggest.DidYouMean(name, TypeSpec.Names)}; types are {string.Join(", ", TypeSpec.Names)}");
            return null;
        }

        private IReadOnlyList<Trigger> ReadTriggers(SourceNode? node, DefinitionKind? kind)
        {
            if (node is null)
            {
                return [];
            }

            if (kind is not null and not DefinitionKind.Flow)
            {
                Error(Codes.InvalidValue, node, $"only a flow has triggers; a {kind.ToString()!.ToLowerInvariant()} is started by a call. Remove 'triggers' or make it kind: flow");
                return [];
            }

            if (node.Kind != NodeKind.Sequence)
            {
                Error(Codes.WrongType, node, $"'triggers' must be a list, e.g. '- schedule: {{ cron: \"0 0 2 * * ?\" }}', not {node.Describe()}");
                return [];
            }

            var triggers = new List<Trigger>();
            foreach (var item in node.Items)
            {
                if (item.Kind != NodeKind.Mapping || item.Entries.Count != 1)
                {
                    Error(Codes.WrongType, item, $"a trigger is one of {string.Join(", ", TriggerTypes)} with its settings, e.g. '- manual: {{}}'");
                    continue;
                }

                var (key, value) = item.Entries[0];
                var type = key.Text ?? "";
                if (!TriggerTypes.Contains(type))
                {
                    Error(Codes.UnknownKey, key, $"unknown trigger '{type}'{Suggest.DidYouMean(type, TriggerTypes)}; triggers are {string.Join(", ", TriggerTypes)}");
                    continue;
                }

                var settings = Plain(value) as Dictionary<string, object?> ?? new Dictionary<string, object?>();
                if (type == "schedule" && settings.GetValueOrDefault("cron") is not string)
                {
                    Error(Codes.MissingKey, value, "a schedule trigger needs 'cron', e.g. { cron: \"0 0 2 * * ?\" }");
                }

                if (type == "http" && settings.GetValueOrDefault("path") is not string)
                {
                    Error(Codes.MissingKey, value, "an http trigger needs 'path', e.g. { path: refresh, method: POST }");
                }

                triggers.Add(new Trigger(type, settings, key.Span));
            }

            return triggers;
        }

        private IReadOnlyDictionary<string, string> ReadConnections(SourceNode? node)
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            if (node is null)
            {
                return result;
            }

            if (node.Kind != NodeKind.Mapping)
            {
                Error(Codes.WrongType, node, "'connections' maps an alias to the alias to use instead, e.g. { sn_pagerduty_spoke.PagerDuty: sn_pagerduty_spoke.PagerDuty_eu }");
                return result;
            }

            foreach (var (key, value) in node.Entries)
            {
                if (value.Kind == NodeKind.Scalar && value.ScalarValue() is string target && !Template.HasPills(target))
                {
                    result[key.Text ?? ""] = target;
                }
                else
                {
                    Error(Codes.WrongType, value, $"the override for alias '{key.Text}' must be an alias id such as scope.Name, not {value.Describe()}");
                }
            }

            return result;
        }

        private static object? Plain(SourceNode node) => node.Kind switch
        {
            NodeKind.Scalar => node.ScalarValue(),
            NodeKind.Sequence => node.Items.Select(Plain).ToList(),
            _ => node.Entries.Aggregate(new Dictionary<string, object?>(StringComparer.Ordinal), (m, e) => { m[e.Key.Text ?? ""] = Plain(e.Value); return m; }),
        };

        private IReadOnlyList<StepDefinition>? ReadSteps(SourceNode node)
        {
            if (node.Kind != NodeKind.Sequence)
            {
                Error(Codes.WrongType, node, $"steps must be a list (each item starting with '- '), not {node.Describe()}");
                return null;
            }

            var steps = new List<StepDefinition>();
            foreach (var item in node.Items)
            {
                if (ReadStep(item) is { } step)
                {
                    steps.Add(step);
                }
            }

            return steps;
        }

        private StepDefinition? ReadStep(SourceNode node)
        {
            var outer = _currentStep;
            try
            {
                return ReadStepCore(node);
            }
            finally
            {
                _currentStep = outer;
            }
        }

        private StepDefinition? ReadStepCore(SourceNode node)
        {
            if (node.Kind != NodeKind.Mapping)
            {
                Error(Codes.WrongType, node, $"a step must be a mapping such as '- id: x' with a step type key, not {node.Describe()}");
                return null;
            }

            string? id = null;
            if (node["id"] is { } idNode)
            {
                id = Text(idNode, "id");
                if (id is not null && !NamePattern().IsMatch(id))
                {
                    Error(Codes.InvalidValue, idNode, $"step id '{id}' must be lower-case letters, digits and '_', starting with a letter, so pills can name it");
                }
                else if (id is not null && !_ids.Add(id))
                {
                    _currentStep = id;
                    Error(Codes.DuplicateStepId, idNode, $"step id '{id}' is used twice; step ids must be unique in a definition");
                }
            }

            _currentStep = id;
            var keywords = node.Entries.Where(e => reader._stepTypes.Find(e.Key.Text ?? "") is not null).ToList();
            if (keywords.Count == 0)
            {
                var keys = node.Entries.Select(e => e.Key.Text ?? "").Where(k => !StepCommonKeys.Contains(k)).ToList();
                var known = reader._stepTypes.Types.Select(t => t.Keyword).Order(StringComparer.Ordinal).ToList();
                var hint = keys.Select(k => Suggest.Closest(k, known)).FirstOrDefault(s => s is not null);
                var what = keys.Count == 0 ? "no step type" : $"no known step type among {string.Join(", ", keys.Select(k => $"'{k}'"))}";
                var at = node.Entries.FirstOrDefault(e => !StepCommonKeys.Contains(e.Key.Text ?? "")).Key ?? node;
                Error(Codes.UnknownStepType, at, $"{what}{(hint is null ? "" : $"; did you mean '{hint}'?")}; step types are {string.Join(", ", known)}");
                return null;
            }

            if (keywords.Count > 1)
            {
                Error(Codes.InvalidValue, keywords[1].Key, $"a step has one type, but this one has {string.Join(" and ", keywords.Select(k => $"'{k.Key.Text}'"))}; split it into two steps");
                return null;
            }

            var (keywordNode, keywordValue) = keywords[0];
            var type = reader._stepTypes.Find(keywordNode.Text!)!;
            id ??= $"{type.Keyword}_{node.Span.Line}";
            _currentStep = id;

            var raw = new List<KeyValuePair<SourceNode, SourceNode>>();
            if (type.Primary is not null)
            {
                raw.Add(new(keywordNode, keywordValue));
                raw.AddRange(node.Entries.Where(e => e.Key.Text != keywordNode.Text && !StepCommonKeys.Contains(e.Key.Text ?? "")));
            }
            else if (keywordValue.Kind != NodeKind.Mapping)
            {
                Error(Codes.WrongType, keywordValue, $"'{type.Keyword}' takes a mapping of {string.Join(", ", type.Properties.Select(p => p.Name))}, not {keywordValue.Describe()}");
                return null;
            }
            else
            {
                raw.AddRange(keywordValue.Entries);
                foreach (var extra in node.Entries.Where(e => e.Key.Text != keywordNode.Text && !StepCommonKeys.Contains(e.Key.Text ?? "")))
                {
                    Error(Codes.UnknownKey, extra.Key, $"unknown key '{extra.Key.Text}' beside '{type.Keyword}'; put it inside '{type.Keyword}:' if it is one of {string.Join(", ", type.Properties.Select(p => p.Name))}");
                }
            }

            var properties = new Dictionary<string, StepProperty>(StringComparer.Ordinal);
            foreach (var (key, value) in raw)
            {
                var spec = type.Property(key.Text ?? "");
                if (spec is null)
                {
                    var allowed = type.Properties.Select(p => p.Name).Concat(type.Primary is null ? [] : StepCommonKeys).ToList();
                    Error(Codes.UnknownKey, key, $"unknown key '{key.Text}' in a '{type.Keyword}' step{Suggest.DidYouMean(key.Text ?? "", allowed)}; allowed: {string.Join(", ", allowed)}");
                    continue;
                }

                if (ReadProperty(spec, value) is { } property)
                {
                    properties[spec.Name] = property;
                }
            }

            foreach (var missing in type.Properties.Where(p => p.Required && !raw.Any(r => r.Key.Text == p.Name)))
            {
                Error(Codes.MissingKey, keywordNode, $"a '{type.Keyword}' step needs '{missing.Name}': {missing.Description}");
            }

            return new StepDefinition
            {
                Id = id,
                Type = type.Keyword,
                Span = node.Span,
                Name = node["name"] is { } n ? Text(n, "name") : null,
                Description = node["description"] is { } d ? Text(d, "description") : null,
                GeneratedId = node["id"] is null,
                Properties = properties,
                Position = ReadLayout(node["layout"]),
            };
        }

        private (double, double)? ReadLayout(SourceNode? node)
        {
            if (node is null)
            {
                return null;
            }

            if (node.Kind == NodeKind.Mapping && Values.IsNumber(node["x"]?.ScalarValue()) && Values.IsNumber(node["y"]?.ScalarValue()))
            {
                return (Values.ToDouble(node["x"]!.ScalarValue()!), Values.ToDouble(node["y"]!.ScalarValue()!));
            }

            Error(Codes.WrongType, node, "layout must be { x: number, y: number }");
            return null;
        }

        private StepProperty? ReadProperty(StepPropertySpec spec, SourceNode value)
        {
            switch (spec.Kind)
            {
                case PropertyKind.Value:
                    return ReadValue(value) is { } v ? new ValueProperty(v) : null;
                case PropertyKind.Name:
                    if (value.Kind != NodeKind.Scalar || value.ScalarValue() is not string name || Template.HasPills(name))
                    {
                        Error(Codes.WrongType, value, $"'{spec.Name}' must be a plain name without pills, not {value.Describe()}");
                        return null;
                    }

                    if (spec.AllowedNames is { } allowed && !allowed.Contains(name))
                    {
                        Error(Codes.InvalidValue, value, $"'{spec.Name}' must be one of {string.Join(", ", allowed)}{Suggest.DidYouMean(name, allowed)}");
                        return null;
                    }

                    return new NameProperty(name, value.Span);
                case PropertyKind.Steps:
                    return ReadSteps(value) is { } steps ? new StepsProperty(steps, value.Span) : null;
                default:
                    return ReadBranches(spec, value);
            }
        }

        private BranchesProperty? ReadBranches(StepPropertySpec spec, SourceNode value)
        {
            if (value.Kind != NodeKind.Sequence)
            {
                Error(Codes.WrongType, value, $"'{spec.Name}' must be a list of {{ if, then }} branches, not {value.Describe()}");
                return null;
            }

            var branches = new List<Branch>();
            foreach (var item in value.Items)
            {
                if (item.Kind != NodeKind.Mapping)
                {
                    Error(Codes.WrongType, item, $"each '{spec.Name}' branch is a mapping with 'if' and 'then', not {item.Describe()}");
                    continue;
                }

                CheckKeys(item, ["if", "then"], $"an '{spec.Name}' branch");
                var condition = item["if"] is { } c ? ReadValue(c) : null;
                var steps = item["then"] is { } t ? ReadSteps(t) : null;
                if (item["if"] is null || item["then"] is null)
                {
                    Error(Codes.MissingKey, item, $"each '{spec.Name}' branch needs both 'if' (the condition) and 'then' (its steps)");
                }

                if (condition is not null && steps is not null)
                {
                    branches.Add(new Branch(condition, steps, item.Span));
                }
            }

            return new BranchesProperty(branches, value.Span);
        }

        private ValueNode? ReadValue(SourceNode node)
        {
            switch (node.Kind)
            {
                case NodeKind.Mapping:
                    var entries = new List<KeyValuePair<string, ValueNode>>();
                    foreach (var (key, value) in node.Entries)
                    {
                        if (ReadValue(value) is { } v)
                        {
                            entries.Add(new(key.Text ?? "", v));
                        }
                    }

                    return new MapValue(entries, node.Span);
                case NodeKind.Sequence:
                    return new ListValue(node.Items.Select(ReadValue).OfType<ValueNode>().ToList(), node.Span);
            }

            var scalar = node.ScalarValue();
            if (scalar is not string s || !Template.HasPills(s))
            {
                return new ScalarValue(scalar, null, node.Span, !node.IsPlain);
            }

            try
            {
                return new ScalarValue(null, Template.Parse(s), node.Span, !node.IsPlain);
            }
            catch (ExpressionException ex)
            {
                Error(Codes.ExpressionSyntax, node.Span.Shift(ex.Offset, !node.IsPlain), $"in '{s}': {ex.Message}");
                return null;
            }
        }
    }

    private readonly StepTypeCatalog _stepTypes = stepTypes;
}
