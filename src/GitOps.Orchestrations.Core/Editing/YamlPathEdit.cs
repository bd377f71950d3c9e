using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace GitOps.Orchestrations.Core.Editing;

/// <summary>
/// Sets one scalar at a path such as <c>spec.template.spec.containers[0].image</c> or
/// <c>images[name=api].tag</c> by splicing the file's text, so comments, ordering, quoting and
/// indentation survive: a YAML object round trip would lose all of them.
/// </summary>
public static partial class YamlPathEdit
{
    public static string Set(string yaml, string path, string value)
    {
        List<Segment> segments = ParsePath(path);
        (int start, int end, ScalarStyle style, string old) = Locate(yaml, segments, path);
        return string.Concat(yaml.AsSpan(0, start), Format(value, style, old), yaml.AsSpan(end));
    }

    /// <summary>The scalar at the path, or null when the path does not lead to one.</summary>
    public static string? Get(string yaml, string path)
    {
        try
        {
            return Locate(yaml, ParsePath(path), path).Value;
        }
        catch (YamlPathException)
        {
        }

        return null;
    }

    static (int Start, int End, ScalarStyle Style, string Value) Locate(string yaml, List<Segment> segments, string path)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        if (stream.Documents.Count == 0)
        {
            throw new YamlPathException($"'{path}': the file is empty");
        }

        YamlNode node = stream.Documents[0].RootNode;
        int depth = 0;
        foreach (Segment segment in segments)
        {
            depth++;
            if (segment.Key is string key)
            {
                node = node is YamlMappingNode mapping
                    ? mapping.Children.FirstOrDefault(c => c.Key is YamlScalarNode k && k.Value == key).Value
                        ?? throw new YamlPathException($"'{path}': key '{key}' does not exist")
                    : throw new YamlPathException($"'{path}': segment {depth} ('{key}') needs a mapping");
                continue;
            }

            if (node is not YamlSequenceNode sequence)
            {
                throw new YamlPathException($"'{path}': segment {depth} needs a list");
            }

            node = (segment.Index is int index
                    ? sequence.Children.ElementAtOrDefault(index)
                    : sequence.Children.FirstOrDefault(item => item is YamlMappingNode m
                        && m.Children.Any(c => c.Key is YamlScalarNode k && k.Value == segment.SelectorKey && c.Value is YamlScalarNode v && v.Value == segment.SelectorValue)))
                ?? throw new YamlPathException($"'{path}': no list item matches segment {depth}");
        }

        return node is YamlScalarNode scalar
            ? ((int)scalar.Start.Index, (int)scalar.End.Index, scalar.Style, scalar.Value ?? string.Empty)
            : throw new YamlPathException($"'{path}' leads to a mapping or list, not a value");
    }

    static string Format(string value, ScalarStyle style, string old) => style switch
    {
        ScalarStyle.SingleQuoted => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'",
        ScalarStyle.DoubleQuoted => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
        // A plain number stays a plain number (replicas: 3 → 4); a string that would read as one is quoted.
        _ when PlainSafe().IsMatch(value) && (!LooksTyped().IsMatch(value) || LooksTyped().IsMatch(old)) => value,
        _ => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
    };

    static List<Segment> ParsePath(string path)
    {
        var segments = new List<Segment>();
        foreach (Match match in PathSegment().Matches(path))
        {
            if (match.Groups["key"].Success)
            {
                segments.Add(new Segment(match.Groups["key"].Value, null, null, null));
            }
            else if (match.Groups["index"].Success)
            {
                segments.Add(new Segment(null, int.Parse(match.Groups["index"].Value, System.Globalization.CultureInfo.InvariantCulture), null, null));
            }
            else
            {
                segments.Add(new Segment(null, null, match.Groups["sk"].Value, match.Groups["sv"].Value));
            }
        }

        if (segments.Count == 0 || string.Concat(PathSegment().Matches(path).Select(m => m.Value)).Replace(".", string.Empty, StringComparison.Ordinal) != path.Replace(".", string.Empty, StringComparison.Ordinal))
        {
            throw new YamlPathException($"'{path}' is not a path such as spec.containers[0].image or images[name=api].tag");
        }

        return segments;
    }

    sealed record Segment(string? Key, int? Index, string? SelectorKey, string? SelectorValue);

    [GeneratedRegex(@"(?<key>[^.\[\]]+)|\[(?<index>[0-9]+)\]|\[(?<sk>[^=\]]+)=(?<sv>[^\]]*)\]")]
    private static partial Regex PathSegment();

    [GeneratedRegex(@"^[A-Za-z0-9_./@:+-][A-Za-z0-9_./@:+ -]*\z")]
    private static partial Regex PlainSafe();

    /// <summary>Values a plain scalar would turn into a number, boolean or null, which a string must not.</summary>
    [GeneratedRegex(@"^([-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan|true|false|yes|no|on|off|null|~|True|False|TRUE|FALSE|Null|NULL)\z")]
    private static partial Regex LooksTyped();
}

public sealed class YamlPathException(string message) : Exception(message);
