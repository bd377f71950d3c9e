using System.Security.Cryptography;
using System.Text;

namespace GitOps.Orchestrations.Core.Promotion;

/// <summary>One artifact of a freight: which source found it, the version, and what pins it (a chart digest, a commit SHA).</summary>
public sealed record FreightArtifact(string Source, string Version, string Pin);

/// <summary>
/// An immutable, named bundle of artifact versions that moves through a pipeline's stages as one
/// unit. Its id is derived from its artifacts, so the same versions found twice are the same
/// freight, and any change to one artifact (even a re-pushed tag) is a different freight.
/// </summary>
public sealed record Freight(string Id, IReadOnlyList<FreightArtifact> Artifacts)
{
    public static Freight Of(IEnumerable<FreightArtifact> artifacts)
    {
        List<FreightArtifact> sorted = artifacts.OrderBy(a => a.Source, StringComparer.Ordinal).ToList();
        string canonical = string.Join("\n", sorted.Select(a => $"{a.Source}\t{a.Version}\t{a.Pin}"));
        return new Freight(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)))[..16], sorted);
    }

    public FreightArtifact? Artifact(string source) => Artifacts.FirstOrDefault(a => a.Source == source);

    public override string ToString() => $"{Id} ({string.Join(", ", Artifacts.Select(a => $"{a.Source} {a.Version}"))})";
}

/// <summary>Picks the newest tag that matches a source's glob and, when given, its semver constraint.</summary>
public static class TagSelection
{
    public static (string Tag, string Sha)? Newest(IEnumerable<(string Tag, string Sha)> tags, GitTagsSource source)
    {
        List<(string Tag, string Sha)> matching = tags.Where(t => Triggers.PathGlob.Matches(source.Pattern, t.Tag)).ToList();
        if (source.Semver is string semver)
        {
            string? newest = VersionConstraint.Parse(semver).Newest(matching.Select(t => t.Tag));
            return newest is null ? null : matching.First(t => t.Tag == newest);
        }

        // Without a constraint, semver order still beats the text order for tags like v1.10 and v1.9.
        string? last = VersionConstraint.InPrecedenceOrder(matching.Select(t => t.Tag)).LastOrDefault();
        return last is null ? null : matching.First(t => t.Tag == last);
    }
}
