using System.Buffers;
using System.Text.Unicode;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Validation;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace GitOps.Orchestrations.Core.Loading;

/// <summary>
/// Turns bytes into YAML documents, refusing what is not text, too big or too deep before any
/// of it is interpreted. It reads parser events with an explicit stack, so nesting depth cannot
/// overflow the process stack, and it reports duplicate keys with their position.
/// </summary>
public static class YamlTreeReader
{
    public static IReadOnlyList<YNode> Read(string file, ReadOnlySpan<byte> bytes, LoadLimits limits, List<Diagnostic> diagnostics)
    {
        if (bytes.Length > limits.MaxFileBytes)
        {
            diagnostics.Add(new(file, SourcePosition.Start, $"file is {bytes.Length} bytes; the limit is {limits.MaxFileBytes} bytes"));
            return [];
        }

        if (!TryDecode(file, bytes, diagnostics, out string text))
        {
            return [];
        }

        return Read(file, text, limits, diagnostics);
    }

    public static IReadOnlyList<YNode> Read(string file, string text, LoadLimits limits, List<Diagnostic> diagnostics)
    {
        var documents = new List<YNode>();
        var anchors = new Dictionary<string, YNode>(StringComparer.Ordinal);
        var stack = new Stack<Builder>();
        YNode? root = null;
        var parser = new Parser(new StringReader(text));
        try
        {
            while (parser.MoveNext())
            {
                ParsingEvent current = parser.Current!;
                SourcePosition at = new((int)current.Start.Line, (int)current.Start.Column);
                switch (current)
                {
                    case DocumentStart:
                        anchors.Clear();
                        root = null;
                        break;
                    case DocumentEnd:
                        if (root is not null)
                        {
                            documents.Add(root);
                        }

                        break;
                    case Scalar scalar:
                        Add(new YScalar(at, scalar.Value, scalar.Style == ScalarStyle.Plain), scalar.Anchor);
                        break;
                    case AnchorAlias alias:
                        if (!anchors.TryGetValue(alias.Value.Value, out YNode? target))
                        {
                            diagnostics.Add(new(file, at, $"unknown alias '*{alias.Value.Value}'"));
                            return [];
                        }

                        Add(target, AnchorName.Empty);
                        break;
                    case SequenceStart start:
                        if (stack.Count >= limits.MaxDepth)
                        {
                            diagnostics.Add(new(file, at, $"nesting is deeper than {limits.MaxDepth} levels"));
                            return [];
                        }

                        stack.Push(new Builder(at, isMapping: false, start.Anchor));
                        break;
                    case MappingStart start:
                        if (stack.Count >= limits.MaxDepth)
                        {
                            diagnostics.Add(new(file, at, $"nesting is deeper than {limits.MaxDepth} levels"));
                            return [];
                        }

                        stack.Push(new Builder(at, isMapping: true, start.Anchor));
                        break;
                    case SequenceEnd or MappingEnd:
                        Builder done = stack.Pop();
                        YNode node = done.Build(file, diagnostics);
                        Add(node, done.Anchor);
                        break;
                }
            }
        }
        catch (YamlException e)
        {
            diagnostics.Add(new(file, Within(text, (int)e.Start.Line, (int)e.Start.Column), Clean(e.Message)));
            return [];
        }
        catch (Exception e) when (e is not (OutOfMemoryException or StackOverflowException))
        {
            // YamlDotNet throws more than YamlException on some malformed input (an anchor or tag it
            // cannot take, an index past the end); the place the parser reached is the best position.
            ParsingEvent? at = parser.Current;
            diagnostics.Add(new(file, at is null ? SourcePosition.Start : Within(text, (int)at.Start.Line, (int)at.Start.Column), $"not readable as YAML: {Clean(e.Message)}"));
            return [];
        }

        return documents;

        void Add(YNode node, AnchorName anchor)
        {
            if (!anchor.IsEmpty)
            {
                anchors[anchor.Value] = node;
            }

            if (stack.Count == 0)
            {
                root = node;
            }
            else
            {
                stack.Peek().Items.Add(node);
            }
        }
    }

    static bool TryDecode(string file, ReadOnlySpan<byte> bytes, List<Diagnostic> diagnostics, out string text)
    {
        text = string.Empty;
        int nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
        {
            diagnostics.Add(new(file, PositionOf(bytes, nul), "file is binary (it contains a NUL byte), not YAML text"));
            return false;
        }

        // One pass that also says where the first invalid sequence starts, so the error can point at it.
        char[] buffer = new char[bytes.Length];
        OperationStatus status = Utf8.ToUtf16(bytes, buffer, out int bytesRead, out int charsWritten, replaceInvalidSequences: false);
        if (status != OperationStatus.Done)
        {
            diagnostics.Add(new(file, PositionOf(bytes, bytesRead), "file is not valid UTF-8 text"));
            return false;
        }

        int start = charsWritten > 0 && buffer[0] == '\uFEFF' ? 1 : 0;
        text = new string(buffer, start, charsWritten - start);
        return true;
    }

    // The parser reports an error at the end of input one line past a last line that has no line
    // break; an editor cannot go there, so the end of the last line is where the problem is shown.
    static SourcePosition Within(string text, int line, int column)
    {
        int lines = 1;
        int lastLineStart = 0;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                lines++;
                lastLineStart = i + 1;
            }
        }

        return line <= lines
            ? new(Math.Max(1, line), Math.Max(1, column))
            : new(lines, text.Length - lastLineStart + 1);
    }

    static SourcePosition PositionOf(ReadOnlySpan<byte> bytes, int offset)
    {
        int line = 1, column = 1;
        for (int i = 0; i < offset && i < bytes.Length; i++)
        {
            if (bytes[i] == (byte)'\n')
            {
                line++;
                column = 1;
            }
            else if ((bytes[i] & 0xC0) != 0x80)
            {
                column++;
            }
        }

        return new(line, column);
    }

    static string Clean(string message)
    {
        // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (Line: ...): "; we print the position ourselves.
        int cut = message.IndexOf("): ", StringComparison.Ordinal);
        string text = cut >= 0 && message.StartsWith("(Line", StringComparison.Ordinal) ? message[(cut + 3)..] : message;
        return text.TrimEnd('.').Trim();
    }

    sealed class Builder(SourcePosition position, bool isMapping, AnchorName anchor)
    {
        public AnchorName Anchor { get; } = anchor;

        public List<YNode> Items { get; } = [];

        public YNode Build(string file, List<Diagnostic> diagnostics)
        {
            if (!isMapping)
            {
                return new YSequence(position, Items);
            }

            var entries = new List<KeyValuePair<YScalar, YNode>>(Items.Count / 2);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (int i = 0; i + 1 < Items.Count; i += 2)
            {
                if (Items[i] is not YScalar key)
                {
                    diagnostics.Add(new(file, Items[i].Position, "mapping keys must be plain strings"));
                    continue;
                }

                if (!seen.Add(key.Value))
                {
                    diagnostics.Add(new(file, key.Position, $"duplicate key '{key.Value}'"));
                    continue;
                }

                entries.Add(new(key, Items[i + 1]));
            }

            return new YMapping(position, entries);
        }
    }
}
