using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Validation;

namespace GitOps.Orchestrations.Core.Promotion;

/// <summary>One chart version a Helm repository offers: where its archive is, and the SHA-256 of its bytes.</summary>
public sealed record ChartVersionEntry(string Name, string Version, string? Digest, IReadOnlyList<string> Urls)
{
    public string ApiVersion { get; init; } = "v2";

    public string? AppVersion { get; init; }

    public string? Description { get; init; }

    public DateTimeOffset? Created { get; init; }
}

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

    public static HelmIndex Empty() => new(new Dictionary<string, List<ChartVersionEntry>>(StringComparer.Ordinal));

    /// <summary>A copy with <paramref name="entry"/> added, or replacing the same chart version.</summary>
    public HelmIndex With(ChartVersionEntry entry)
    {
        var copy = entries.ToDictionary(e => e.Key, e => e.Value.ToList(), StringComparer.Ordinal);
        List<ChartVersionEntry> versions = copy.TryGetValue(entry.Name, out List<ChartVersionEntry>? found) ? found : copy[entry.Name] = [];
        versions.RemoveAll(v => v.Version == entry.Version);
        versions.Add(entry);
        return new HelmIndex(copy);
    }

    /// <summary>
    /// The index as <c>helm repo index</c> lays it out: charts by name, each chart's versions newest
    /// first. Fields this reader does not model (maintainers, keywords, …) are not carried over.
    /// </summary>
    public string Render(DateTimeOffset generated)
    {
        var text = new System.Text.StringBuilder("apiVersion: v1\nentries:\n");
        foreach (string chart in entries.Keys.Order(StringComparer.Ordinal))
        {
            text.Append("  ").Append(Quote(chart)).Append(":\n");
            foreach (string version in VersionConstraint.InPrecedenceOrder(entries[chart].Select(v => v.Version)).Reverse())
            {
                ChartVersionEntry entry = entries[chart].First(v => v.Version == version);
                text.Append("  - apiVersion: ").Append(Quote(entry.ApiVersion)).Append('\n');
                if (entry.AppVersion is not null)
                {
                    text.Append("    appVersion: ").Append(Quote(entry.AppVersion)).Append('\n');
                }

                if (entry.Created is DateTimeOffset created)
                {
                    text.Append("    created: ").Append(Quote(created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture))).Append('\n');
                }

                if (entry.Description is not null)
                {
                    text.Append("    description: ").Append(Quote(entry.Description)).Append('\n');
                }

                if (entry.Digest is not null)
                {
                    text.Append("    digest: ").Append(Quote(entry.Digest)).Append('\n');
                }

                text.Append("    name: ").Append(Quote(entry.Name)).Append('\n');
                text.Append("    urls:\n");
                foreach (string url in entry.Urls)
                {
                    text.Append("    - ").Append(Quote(url)).Append('\n');
                }

                text.Append("    version: ").Append(Quote(entry.Version)).Append('\n');
            }
        }

        text.Append("generated: ").Append(Quote(generated.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture))).Append('\n');
        return text.ToString();
    }

    // Double-quoted YAML scalars: a version such as 1.10 must not be read back as a number.
    static string Quote(string value) => System.Text.Json.JsonSerializer.Serialize(value);

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

            versions.Add(new ChartVersionEntry((entry["name"] as YScalar)?.Value ?? chart, version, (entry["digest"] as YScalar)?.Value, urls)
            {
                ApiVersion = (entry["apiVersion"] as YScalar)?.Value ?? "v2",
                AppVersion = (entry["appVersion"] as YScalar)?.Value,
                Description = (entry["description"] as YScalar)?.Value,
                Created = DateTimeOffset.TryParse((entry["created"] as YScalar)?.Value, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset created) ? created : null,
            });
        }

        return versions;
    }
}
