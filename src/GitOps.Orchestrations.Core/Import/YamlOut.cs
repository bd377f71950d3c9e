using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace GitOps.Orchestrations.Core.Import;

/// <summary>
/// The YAML an import writes: ordered mappings and sequences of scalars, each entry with an
/// optional comment line above it (where it came from). Written by hand rather than serialized,
/// because the comments are the point: they keep the source's positions beside what became of them.
/// </summary>
public abstract record YamlOut
{
    public static YamlText Text(string value) => new(value, Quoted: true);

    /// <summary>A number, boolean or null, written as it reads.</summary>
    public static YamlText Raw(string value) => new(value, Quoted: false);
}

public sealed record YamlText(string Value, bool Quoted) : YamlOut;

public sealed record YamlEntry(string Key, YamlOut Value, string? Comment = null);

public sealed record YamlItem(YamlOut Value, string? Comment = null);

public sealed record YamlMap : YamlOut
{
    public List<YamlEntry> Entries { get; } = [];

    public YamlMap Add(string key, YamlOut? value, string? comment = null)
    {
        if (value is not null)
        {
            Entries.RemoveAll(e => e.Key == key);
            Entries.Add(new(key, value, comment));
        }

        return this;
    }

    public YamlMap Add(string key, string? text, string? comment = null) => text is null ? this : Add(key, Text(text), comment);

    public YamlOut? this[string key] => Entries.FirstOrDefault(e => e.Key == key)?.Value;

    public bool Has(string key) => Entries.Any(e => e.Key == key);
}

public sealed record YamlList : YamlOut
{
    public List<YamlItem> Items { get; } = [];

    public YamlList Add(YamlOut value, string? comment = null)
    {
        Items.Add(new(value, comment));
        return this;
    }
}

/// <summary>Block-style YAML, two spaces per level; strings are plain only where no YAML reader could take them for anything else.</summary>
public static partial class YamlWriter
{
    static readonly JsonSerializerOptions Json = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Document(YamlMap document, string? comment = null)
    {
        var text = new StringBuilder();
        Comment(text, comment, 0);
        WriteMap(text, document, 0);
        return text.ToString();
    }

    static void Comment(StringBuilder text, string? comment, int indent)
    {
        if (comment is null)
        {
            return;
        }

        foreach (string line in comment.Split('\n'))
        {
            text.Append(' ', indent).Append("# ").Append(line.Replace("\r", "", StringComparison.Ordinal)).Append('\n');
        }
    }

    static void WriteMap(StringBuilder text, YamlMap map, int indent)
    {
        foreach (YamlEntry entry in map.Entries)
        {
            Comment(text, entry.Comment, indent);
            text.Append(' ', indent).Append(Key(entry.Key)).Append(':');
            WriteValue(text, entry.Value, indent);
        }
    }

    static void WriteList(StringBuilder text, YamlList list, int indent)
    {
        foreach (YamlItem item in list.Items)
        {
            Comment(text, item.Comment, indent);
            text.Append(' ', indent).Append('-');
            if (item.Value is YamlMap { Entries.Count: > 0 } map)
            {
                // The first entry shares the dash's line; the rest line up under it.
                var inner = new StringBuilder();
                WriteMap(inner, map, indent + 2);
                text.Append(' ').Append(inner.ToString(indent + 2, inner.Length - indent - 2));
            }
            else
            {
                WriteValue(text, item.Value, indent);
            }
        }
    }

    static void WriteValue(StringBuilder text, YamlOut value, int indent)
    {
        switch (value)
        {
            case YamlMap { Entries.Count: 0 }:
                text.Append(" {}\n");
                break;
            case YamlList { Items.Count: 0 }:
                text.Append(" []\n");
                break;
            case YamlMap map:
                text.Append('\n');
                WriteMap(text, map, indent + 2);
                break;
            case YamlList list:
                text.Append('\n');
                WriteList(text, list, indent + 2);
                break;
            case YamlText { Quoted: false } raw:
                text.Append(' ').Append(raw.Value).Append('\n');
                break;
            case YamlText scalar when IsBlock(scalar.Value):
                text.Append(scalar.Value.EndsWith('\n') ? " |\n" : " |-\n");
                foreach (string line in scalar.Value.TrimEnd('\n').Split('\n'))
                {
                    text.Append(line.Length == 0 ? "" : new string(' ', indent + 2) + line).Append('\n');
                }

                break;
            case YamlText scalar:
                text.Append(' ').Append(Scalar(scalar.Value)).Append('\n');
                break;
        }
    }

    /// <summary>A literal block keeps a script readable; anything a block cannot hold exactly is quoted instead.</summary>
    static bool IsBlock(string value) =>
        value.Contains('\n', StringComparison.Ordinal) && !value.Any(c => c != '\n' && c != '\t' && Invisible(c))
        && !value.StartsWith(' ') && !value.StartsWith('\n') && !value.EndsWith("\n\n", StringComparison.Ordinal)
        && value.Split('\n').All(line => !line.EndsWith(' '));

    static string Key(string key) => PlainKey().IsMatch(key) ? key : Quote(key);

    public static string Scalar(string value) => IsPlain(value) ? value : Quote(value);

    static bool IsPlain(string value) =>
        PlainText().IsMatch(value) && !Reserved().IsMatch(value)
        && !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
        && !value.Contains(": ", StringComparison.Ordinal) && !value.Contains(" #", StringComparison.Ordinal) && !value.EndsWith(':');

    /// <summary>
    /// A JSON string is a YAML double-quoted scalar. Characters a YAML reader treats as breaks or
    /// marks (NEL, the line and paragraph separators, the byte-order mark) and other invisible ones
    /// are escaped too, so none of them can fold or trim what is around it.
    /// </summary>
    static string Quote(string value)
    {
        string json = JsonSerializer.Serialize(value, Json);
        if (!json.Any(Invisible))
        {
            return json;
        }

        var text = new StringBuilder(json.Length + 16);
        foreach (char c in json)
        {
            text.Append(Invisible(c) ? $"\\u{(int)c:X4}" : c.ToString());
        }

        return text.ToString();
    }

    static bool Invisible(char c) =>
        c is '\u0085' or '\u2028' or '\u2029' or '\ufeff' || char.IsControl(c)
        || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format or System.Globalization.UnicodeCategory.LineSeparator or System.Globalization.UnicodeCategory.ParagraphSeparator;

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.-]*\\z")]
    private static partial Regex PlainKey();

    [GeneratedRegex("^[A-Za-z0-9_/.][A-Za-z0-9_ ./:@=+,()-]*(?<! )\\z")]
    private static partial Regex PlainText();

    [GeneratedRegex("^(?i:true|false|yes|no|on|off|y|n|null|~|\\.inf|\\.nan)\\z")]
    private static partial Regex Reserved();
}
