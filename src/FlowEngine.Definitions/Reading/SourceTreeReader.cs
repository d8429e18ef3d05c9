using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace FlowEngine.Definitions.Reading;

/// <summary>
/// Reads YAML or JSON text into a <see cref="SourceNode"/> tree without recursion, so size and depth limits are
/// checked before anything can overflow, and every problem becomes a diagnostic with a position.
/// </summary>
public static class SourceTreeReader
{
    /// <summary>Largest flow file accepted.</summary>
    public const int MaxFileBytes = 2 * 1024 * 1024;

    /// <summary>Deepest nesting of mappings and lists accepted.</summary>
    public const int MaxDepth = 100;

    /// <summary>Reads a document. Returns null (with diagnostics) when the text cannot be read.</summary>
    public static SourceNode? Read(string file, string text, List<Diagnostic> diagnostics)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length > MaxFileBytes)
        {
            diagnostics.Add(new(Codes.TooLarge, Severity.Error, file, 1, 1, null,
                $"the file is {text.Length / 1024} KiB; flow files are limited to {MaxFileBytes / 1024 / 1024} MiB. Split it into subflows."));
            return null;
        }

        if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
        {
            if (!CheckJson(file, text, diagnostics))
            {
                return null;
            }

            // JSON is YAML's flow style; tabs are JSON white space but not YAML indentation.
            text = text.Replace('\t', ' ');
        }

        try
        {
            return Build(file, text, diagnostics);
        }
        catch (YamlException ex)
        {
            var message = ex.InnerException?.Message ?? ex.Message;
            var colon = message.IndexOf("): ", StringComparison.Ordinal);
            if (message.StartsWith('(') && colon > 0)
            {
                message = message[(colon + 3)..];
            }

            diagnostics.Add(new(Codes.Syntax, Severity.Error, file, (int)ex.Start.Line, (int)ex.Start.Column, null,
                $"YAML syntax: {message}"));
            return null;
        }
    }

    private static bool CheckJson(string file, string text, List<Diagnostic> diagnostics)
    {
        try
        {
            using var _ = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = MaxDepth });
            return true;
        }
        catch (JsonException ex)
        {
            var message = ex.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }

            // System.Text.Json advises the programmer ("Change the reader options."); the integrator must fix the file.
            message = message.Replace(" Change the reader options.", "", StringComparison.Ordinal).Replace(" in this mode", "", StringComparison.Ordinal);

            diagnostics.Add(new(Codes.Syntax, Severity.Error, file, (int)(ex.LineNumber ?? 0) + 1,
                (int)(ex.BytePositionInLine ?? 0) + 1, null, $"JSON syntax: {message}"));
            return false;
        }
    }

    private static SourceSpan Span(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

    private static SourceNode? Build(string file, string text, List<Diagnostic> diagnostics)
    {
        var parser = new Parser(new StringReader(text));
        var stack = new Stack<SourceNode>();
        var pendingKeys = new Stack<SourceNode?>();
        SourceNode? root = null;
        var documents = 0;

        while (parser.MoveNext())
        {
            var current = parser.Current!;
            switch (current)
            {
                case DocumentStart { IsImplicit: var _ }:
                    if (++documents > 1)
                    {
                        diagnostics.Add(new(Codes.Syntax, Severity.Error, file, (int)current.Start.Line, (int)current.Start.Column, null,
                            "a flow file holds one document; remove the second '---' or move it to its own file"));
                        return null;
                    }

                    break;
                case AnchorAlias alias:
                    diagnostics.Add(new(Codes.AliasNotSupported, Severity.Error, file, (int)alias.Start.Line, (int)alias.Start.Column, null,
                        $"YAML aliases (*{alias.Value}) are not supported in flow files; write the value out or use a subflow"));
                    return null;
                case NodeEvent { Anchor.IsEmpty: false } anchored:
                    diagnostics.Add(new(Codes.AliasNotSupported, Severity.Error, file, (int)anchored.Start.Line, (int)anchored.Start.Column, null,
                        $"YAML anchors (&{anchored.Anchor.Value}) are not supported in flow files; write the value out or use a subflow"));
                    return null;
                case Scalar scalar:
                    var node = new SourceNode(NodeKind.Scalar, Span(file, scalar.Start))
                    {
                        Text = scalar.Value,
                        IsPlain = scalar.Style == ScalarStyle.Plain,
                    };
                    if (!Attach(node, stack, pendingKeys, ref root, diagnostics))
                    {
                        return null;
                    }

                    break;
                case MappingStart or SequenceStart:
                    if (stack.Count >= MaxDepth)
                    {
                        diagnostics.Add(new(Codes.TooLarge, Severity.Error, file, (int)current.Start.Line, (int)current.Start.Column, null,
                            $"nesting is deeper than {MaxDepth} levels; move the inner steps into a subflow"));
                        return null;
                    }

                    var container = new SourceNode(current is MappingStart ? NodeKind.Mapping : NodeKind.Sequence, Span(file, current.Start));
                    if (!Attach(container, stack, pendingKeys, ref root, diagnostics))
                    {
                        return null;
                    }

                    stack.Push(container);
                    pendingKeys.Push(null);
                    break;
                case MappingEnd or SequenceEnd:
                    stack.Pop();
                    pendingKeys.Pop();
                    break;
            }
        }

        if (root is null)
        {
            diagnostics.Add(new(Codes.Syntax, Severity.Error, file, 1, 1, null, "the file is empty; a definition needs at least kind, id, version and steps"));
        }

        return root;
    }

    private static bool Attach(SourceNode node, Stack<SourceNode> stack, Stack<SourceNode?> pendingKeys, ref SourceNode? root, List<Diagnostic> diagnostics)
    {
        if (stack.Count == 0)
        {
            root = node;
            return true;
        }

        var parent = stack.Peek();
        if (parent.Kind == NodeKind.Sequence)
        {
            parent.Items.Add(node);
            return true;
        }

        var key = pendingKeys.Pop();
        if (key is null)
        {
            if (node.Kind != NodeKind.Scalar)
            {
                diagnostics.Add(new(Codes.Syntax, Severity.Error, node.Span.File, node.Span.Line, node.Span.Column, null,
                    "a mapping key must be a plain name, not a list or mapping"));
                return false;
            }

            if (parent.Entries.Any(e => e.Key.Text == node.Text))
            {
                var first = parent.Entries.First(e => e.Key.Text == node.Text).Key.Span;
                diagnostics.Add(new(Codes.DuplicateKey, Severity.Error, node.Span.File, node.Span.Line, node.Span.Column, null,
                    $"key '{node.Text}' appears twice in the same mapping (first at line {first.Line}); keep one"));
            }

            pendingKeys.Push(node);
            return true;
        }

        parent.Entries.Add(new(key, node));
        pendingKeys.Push(null);
        return true;
    }
}
