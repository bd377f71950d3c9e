using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using GitOps.Orchestrations.Core.Loading;

namespace GitOps.Orchestrations.Core.Import;

/// <summary>One Argo document being imported: its file, its tree, and the report it adds to.</summary>
public sealed class ArgoDocument(string file, YMapping root, string kind, ArgoIndex index, List<ImportNote> notes)
{
    public string File { get; } = file;

    public YMapping Root { get; } = root;

    public string Kind { get; } = kind;

    public ArgoIndex Index { get; } = index;

    /// <summary>The documents this one becomes, each with the comment written above it.</summary>
    public List<(YamlMap Document, string Comment)> Output { get; } = [];

    int copied;
    bool overBudget;

    public string From(YNode node) => $"from {File}:{node.Position.Line}:{node.Position.Column}";

    public void Drop(YNode at, string construct, string why) => notes.Add(new(File, at.Position, ImportFate.Dropped, construct, why));

    public void Change(YNode at, string construct, string what) => notes.Add(new(File, at.Position, ImportFate.Changed, construct, what));

    public void Error(YNode at, string construct, string why) => notes.Add(new(File, at.Position, ImportFate.Error, construct, why));

    /// <summary>Reports what a rewrite could not carry, at the field it was written in.</summary>
    public void Report(YNode at, string construct, ArgoReferences references)
    {
        foreach (string problem in references.Problems.Distinct())
        {
            Drop(at, construct, problem);
        }

        foreach (string change in references.Changes.Distinct())
        {
            Change(at, construct, change);
        }

        references.Problems.Clear();
        references.Changes.Clear();
    }

    /// <summary>Every key of <paramref name="map"/> not in <paramref name="handled"/> is reported: dropped, with why when we know.</summary>
    public void Rest(YMapping map, string where, IReadOnlyCollection<string> handled, IReadOnlyDictionary<string, string>? why = null)
    {
        foreach (var (key, _) in map.Entries.Where(e => !handled.Contains(e.Key.Value)))
        {
            string reason = why?.GetValueOrDefault(key.Value) ?? ArgoDefaults.WhyDropped.GetValueOrDefault(key.Value) ?? "has no counterpart here";
            Drop(key, $"{where}.{key.Value}", reason);
        }
    }

    /// <summary>A scalar's text, or null when the node is absent or not a scalar.</summary>
    public static string? Text(YNode? node) => node is YScalar { IsNull: false } scalar ? scalar.Value : null;

    public static YMapping? Map(YNode? node) => node as YMapping;

    public static IReadOnlyList<YNode> List(YNode? node) => node is YSequence sequence ? sequence.Items : [];

    /// <summary>A copy of a YAML value, strings rewritten by <paramref name="rewrite"/>; numbers and booleans written as they were.</summary>
    public YamlOut Copy(YNode node, Func<string, string>? rewrite = null, int depth = 0)
    {
        // Aliases share nodes, so a small file can stand for a huge tree: copying is budgeted.
        if (depth > LoadLimits.Default.MaxDepth || ++copied > LoadLimits.Default.MaxExpandedNodes)
        {
            if (!overBudget)
            {
                overBudget = true;
                Error(node, "document", $"nested deeper than {LoadLimits.Default.MaxDepth} levels or larger than {LoadLimits.Default.MaxExpandedNodes} nodes once aliases are expanded");
            }

            return YamlOut.Text("");
        }

        switch (node)
        {
            case YMapping mapping:
                var map = new YamlMap();
                foreach (var (key, value) in mapping.Entries)
                {
                    map.Add(key.Value, Copy(value, rewrite, depth + 1));
                }

                return map;
            case YSequence sequence:
                var list = new YamlList();
                foreach (YNode item in sequence.Items)
                {
                    list.Add(Copy(item, rewrite, depth + 1));
                }

                return list;
            case YScalar { IsNull: true }:
                return YamlOut.Raw("null");
            case YScalar scalar when scalar.IsPlain && IsNumberOrBoolean(scalar.Value):
                return YamlOut.Raw(scalar.Value);
            case YScalar scalar:
                return YamlOut.Text(rewrite is null ? scalar.Value : rewrite(scalar.Value));
            default:
                return YamlOut.Text("");
        }
    }

    static bool IsNumberOrBoolean(string value) =>
        value is "true" or "false" || long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)
        || double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    /// <summary>
    /// A name this engine accepts as a DNS label: lower-case, '-' for anything else, and a short
    /// hash when it has to be cut, so two long names never become one.
    /// </summary>
    public static string DnsLabel(string name)
    {
        var text = new StringBuilder();
        foreach (char c in name.ToLowerInvariant())
        {
            text.Append(c is >= 'a' and <= 'z' or >= '0' and <= '9' ? c : '-');
        }

        string label = text.ToString().Trim('-');
        while (label.Contains("--", StringComparison.Ordinal))
        {
            label = label.Replace("--", "-", StringComparison.Ordinal);
        }

        if (label.Length == 0)
        {
            label = "imported";
        }

        if (label.Length > 63)
        {
            string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
            label = label[..54].TrimEnd('-') + "-" + hash;
        }

        return label;
    }

    /// <summary>A duration as this engine writes them: Argo's bare seconds (<c>"30"</c>, <c>30</c>) become <c>30s</c>.</summary>
    public static string Duration(string value) =>
        long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long seconds) ? $"{seconds}s" : value;
}
