using System.Text;
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

        // The limit is in bytes as stored (UTF-8); a character takes one to four of them.
        if (text.Length > MaxFileBytes || Encoding.UTF8.GetByteCount(text) > MaxFileBytes)
        {
            var size = text.Length > MaxFileBytes ? text.Length : Encoding.UTF8.GetByteCount(text);
            diagnostics.Add(new(Codes.TooLarge, Severity.Error, file, 1, 1, null,
                $"the file is {size / 1024} KiB; flow files are limited to {MaxFileBytes / 1024 / 1024} MiB. Split it into subflows."));
            return null;
        }

        // An empty JSON file gets the same "the file is empty" as an empty YAML file, not the JSON parser's wording.
        if (file.EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(text))
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

            // A tab in indentation is reported from the start of the value before it; point at the tab itself.
            var at = ex.End.Index >= 0 && ex.End.Index < text.Length && text[(int)ex.End.Index] == '\t' ? ex.End : ex.Start;
            diagnostics.Add(new(Codes.Syntax, Severity.Error, file, (int)at.Line, (int)at.Column, null,
                $"YAML syntax: {message}"));
            return null;
        }
    }

    private static bool CheckJson(string file, string text, List<Diagnostic> diagnostics)
    {
        try
        {
            // No depth limit here: the tree builder reports deep nesting as too large (FE0002), as for YAML. The
            // parser keeps its own stack, so any depth a file within the size limit can hold is safe.
            using var _ = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = MaxFileBytes });
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

            var (line, column) = JsonPosition(text, (int)(ex.LineNumber ?? 0), (int)(ex.BytePositionInLine ?? 0));
            diagnostics.Add(new(Codes.Syntax, Severity.Error, file, line, column, null, $"JSON syntax: {message}"));
            return false;
        }
    }

    /// <summary>Turns System.Text.Json's 0-based line and UTF-8 byte offset into a 1-based line and character column.</summary>
    private static (int Line, int Column) JsonPosition(string text, int line, int bytePosition)
    {
        var index = 0;
        for (var l = 0; l < line && index < text.Length; l++)
        {
            var next = text.IndexOf('\n', index);
            index = next < 0 ? text.Length : next + 1;
        }

        var column = 1;
        for (var bytes = 0; index < text.Length && text[index] != '\n' && bytes < bytePosition; index++, column++)
        {
            bytes += char.IsSurrogate(text[index]) ? 2 : Encoding.UTF8.GetByteCount(text.AsSpan(index, 1));
        }

        return (line + 1, column);
    }

    private static SourceSpan Span(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

    /// <summary>An open mapping or list while the tree is built.</summary>
    private sealed class Frame(SourceNode node, char? opener)
    {
        public SourceNode Node { get; } = node;

        /// <summary>'{' or '[' for flow style, so an unclosed one can be named.</summary>
        public char? Opener { get; } = opener;

        /// <summary>The key read in a mapping, waiting for its value; null when a key comes next.</summary>
        public SourceNode? PendingKey { get; set; }

        /// <summary>A mapping's keys so far, for duplicate checks without scanning every entry.</summary>
        public Dictionary<string, SourceNode> Keys { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>Stands for a duplicate key: its value is read but not kept, so the first value wins everywhere.</summary>
    private static readonly SourceNode DuplicateKey = new(NodeKind.Scalar, default);

    private static SourceNode? Build(string file, string text, List<Diagnostic> diagnostics)
    {
        var parser = new Parser(new StringReader(text));
        var stack = new Stack<Frame>();
        SourceNode? root = null;
        var documents = 0;

        while (true)
        {
            try
            {
                if (!parser.MoveNext())
                {
                    break;
                }
            }
            catch (InvalidOperationException)
            {
                // YamlDotNet throws this (not a YamlException) when a plain value inside { } or [ ] runs onto a line
                // indented no further than its key, which is how an unclosed bracket usually shows.
                var open = stack.FirstOrDefault(f => f.Opener is not null);
                var at = open?.Node.Span ?? (parser.Current is { } last ? Span(file, last.End) : new SourceSpan(file, 1, 1));
                var message = open is null
                    ? "YAML syntax: the text after this point cannot be read; check quotes, brackets and indentation"
                    : $"YAML syntax: the '{open.Opener}' here is not closed before a line indented no further than its key; add the '{(open.Opener == '{' ? '}' : ']')}' or indent the lines inside it more";
                diagnostics.Add(new(Codes.Syntax, Severity.Error, file, Math.Max(at.Line, 1), Math.Max(at.Column, 1), null, message));
                return null;
            }

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
                    if (!Attach(node, stack, ref root, diagnostics))
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
                    if (!Attach(container, stack, ref root, diagnostics))
                    {
                        return null;
                    }

                    var opener = current switch
                    {
                        MappingStart { Style: MappingStyle.Flow } => '{',
                        SequenceStart { Style: SequenceStyle.Flow } => '[',
                        _ => (char?)null,
                    };
                    stack.Push(new Frame(container, opener));
                    break;
                case MappingEnd or SequenceEnd:
                    stack.Pop();
                    break;
            }
        }

        if (root is null)
        {
            diagnostics.Add(new(Codes.Syntax, Severity.Error, file, 1, 1, null, "the file is empty; a definition needs at least kind, id, version and steps"));
        }

        return root;
    }

    private static bool Attach(SourceNode node, Stack<Frame> stack, ref SourceNode? root, List<Diagnostic> diagnostics)
    {
        if (stack.Count == 0)
        {
            root = node;
            return true;
        }

        var frame = stack.Peek();
        var parent = frame.Node;
        if (parent.Kind == NodeKind.Sequence)
        {
            parent.Items.Add(node);
            return true;
        }

        var key = frame.PendingKey;
        if (key is null)
        {
            if (node.Kind != NodeKind.Scalar)
            {
                diagnostics.Add(new(Codes.Syntax, Severity.Error, node.Span.File, node.Span.Line, node.Span.Column, null,
                    "a mapping key must be a plain name, not a list or mapping"));
                return false;
            }

            if (frame.Keys.TryGetValue(node.Text ?? "", out var first))
            {
                diagnostics.Add(new(Codes.DuplicateKey, Severity.Error, node.Span.File, node.Span.Line, node.Span.Column, null,
                    $"key '{node.Text}' appears twice in the same mapping (first at line {first.Span.Line}); keep one"));
                frame.PendingKey = DuplicateKey;
                return true;
            }

            frame.Keys.Add(node.Text ?? "", node);
            frame.PendingKey = node;
            return true;
        }

        // The value of a duplicate key is dropped: readers see each key once, with its first value.
        if (!ReferenceEquals(key, DuplicateKey))
        {
            parent.Entries.Add(new(key, node));
        }

        frame.PendingKey = null;
        return true;
    }
}
