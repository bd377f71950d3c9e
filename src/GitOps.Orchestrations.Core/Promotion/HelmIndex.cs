using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Promotion;

/// <summary>One chart version a Helm repository offers: where its archive is, and the SHA-256 of its bytes.</summary>
public sealed record ChartVersionEntry(string Name, string Version, string? Digest, IReadOnlyList<string> Urls);

/// <summary>
/// A Helm repository's <c>index.yaml</c>, as a channel watches it. Reading is strict where a
/// promotion depends on it (every entry has a name, a version and at least one URL) and tolerant of
/// fields it does not use; a malformed index is a <see cref="FormatException"/> naming line and column.
/// </summary>
public sealed class HelmIndex
{
    readonly Dictionary<string, List<ChartVersionEntry>> entries;

    HelmIndex(Dictionary<string, List<ChartVersionEntry>> entries) => this.entries = entries;

    public IReadOnlyCollection<string> Charts => entries.Keys;

    public IReadOnlyList<ChartVersionEntry> Versions(string chart) => entries.TryGetValue(chart, out List<ChartVersionEntry>? found) ? found : [];

    public ChartVersionEntry? Find(string chart, string version) => Versions(chart).FirstOrDefault(e => e.Version == version);

    /// <summary>The newest version of <paramref name="chart"/> that <paramref name="constraint"/> accepts.</summary>
    public ChartVersionEntry? Newest(string chart, VersionConstraint constraint) =>
        constraint.Newest(Versions(chart).Select(e => e.Version)) is string version ? Find(chart, version) : null;

    public static HelmIndex Parse(string source, string text)
    {
        var diagnostics = new List<Diagnostic>();
        IReadOnlyList<YNode> documents = YamlTreeReader.Read(source, text, LoadLimits.Default, diagnostics);
        var entries = new Dictionary<string, List<ChartVersionEntry>>(StringComparer.Ordinal);
        if (diagnostics.Count == 0 && documents.Count != 1)
        {
            diagnostics.Add(new(source, SourcePosition.Start, "an index.yaml holds exactly one YAML document"));
        }

        if (diagnostics.Count == 0 && documents[0] is not YMapping)
        {
            diagnostics.Add(new(source, documents[0].Position, "an index.yaml is a mapping with apiVersion and entries"));
        }

        if (diagnostics.Count == 0 && documents[0] is YMapping root)
        {
            switch (root["entries"])
            {
                case YMapping charts:
                    foreach (var (chart, list) in charts.Entries)
                    {
                        entries[chart.Value] = ReadVersions(source, chart.Value, list, diagnostics);
                    }

                    break;
                case null or YScalar { IsNull: true }:
                    break;
                case YNode other:
                    diagnostics.Add(new(source, other.Position, "'entries' must map chart names to lists of versions"));
                    break;
            }
        }

        return diagnostics.Count == 0 ? new HelmIndex(entries) : throw new FormatException($"malformed index.yaml: {string.Join("; ", diagnostics)}");
    }

    static List<ChartVersionEntry> ReadVersions(string source, string chart, YNode list, List<Diagnostic> diagnostics)
    {
        var versions = new List<ChartVersionEntry>();
        if (list is not YSequence sequence)
        {
            diagnostics.Add(new(source, list.Position, $"entries.{chart} must be a list of chart versions"));
            return versions;
        }

        foreach (YNode item in sequence.Items)
        {
            if (item is not YMapping entry)
            {
                diagnostics.Add(new(source, item.Position, $"a version of {chart} must be a mapping"));
                continue;
            }

            string? version = (entry["version"] as YScalar)?.Value;
            List<string> urls = entry["urls"] is YSequence u ? u.Items.OfType<YScalar>().Select(s => s.Value).ToList() : [];
            if (string.IsNullOrEmpty(version) || urls.Count == 0)
            {
                diagnostics.Add(new(source, entry.Position, $"a version of {chart} needs a version and at least one url"));
                continue;
            }

            versions.Add(new ChartVersionEntry((entry["name"] as YScalar)?.Value ?? chart, version, (entry["digest"] as YScalar)?.Value, urls));
        }

        return versions;
    }
}
