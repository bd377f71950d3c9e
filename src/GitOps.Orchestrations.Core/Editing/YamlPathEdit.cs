using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

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
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        parser.Consume<DocumentStart>();
        int depth = 0;
        foreach (Segment segment in segments)
        {
            depth++;
            if (segment.Key is string key)
            {
                if (!parser.TryConsume<MappingStart>(out _))
                {
                    throw new YamlPathException($"'{path}': segment {depth} ('{key}') needs a mapping");
                }

                if (!SeekKey(parser, key))
                {
                    throw new YamlPathException($"'{path}': key '{key}' does not exist");
                }
            }
            else
            {
                if (!parser.TryConsume<SequenceStart>(out _))
                {
                    throw new YamlPathException($"'{path}': segment {depth} needs a list");
                }

                int index = 0;
                while (!parser.Accept<SequenceEnd>(out _))
                {
                    if (segment.Index is int wanted ? index == wanted : MatchesSelector(yaml, parser, segment.SelectorKey!, segment.SelectorValue!))
                    {
                        goto found;
                    }

                    parser.SkipThisAndNestedEvents();
                    index++;
                }

                throw new YamlPathException($"'{path}': no list item matches segment {depth}");
            found:;
            }
        }

        if (parser.Current is not Scalar scalar)
        {
            throw new YamlPathException($"'{path}' leads to a mapping or list, not a value");
        }

        return ((int)scalar.Start.Index, (int)scalar.End.Index, scalar.Style, scalar.Value);
    }

    static bool SeekKey(IParser parser, string key)
    {
        while (!parser.Accept<MappingEnd>(out _))
        {
            Scalar name = parser.Consume<Scalar>();
            if (name.Value == key)
            {
                return true;
            }

            parser.SkipThisAndNestedEvents();
        }

        return false;
    }

    /// <summary>Looks ahead at one list item (a mapping) for <c>key: value</c> without consuming it.</summary>
    static bool MatchesSelector(string yaml, IParser parser, string key, string value)
    {
        if (parser.Current is not MappingStart start)
        {
            return false;
        }

        // Parse the item on its own from its start; the main parser stays where it is.
        var probe = new Parser(new StringReader(yaml[(int)start.Start.Index..]));
        probe.Consume<StreamStart>();
        probe.Consume<DocumentStart>();
        probe.Consume<MappingStart>();
        return SeekKey(probe, key) && probe.Current is Scalar found && found.Value == value;
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

    [GeneratedRegex(@"^[A-Za-z0-9_./@:+-][A-Za-z0-9_./@:+ -]*$")]
    private static partial Regex PlainSafe();

    /// <summary>Values a plain scalar would turn into a number, boolean or null, which a string must not.</summary>
    [GeneratedRegex(@"^([-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?|0x[0-9a-fA-F]+|0o[0-7]+|\.inf|\.nan|true|false|yes|no|on|off|null|~|True|False|TRUE|FALSE|Null|NULL)$")]
    private static partial Regex LooksTyped();
}

public sealed class YamlPathException(string message) : Exception(message);
