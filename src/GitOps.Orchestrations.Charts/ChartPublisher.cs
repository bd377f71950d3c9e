using GitOps.Orchestrations.Core.Promotion;

namespace GitOps.Orchestrations.Charts;

/// <summary>What a publish did: the chart version, its digest, and whether the target already had it.</summary>
public sealed record ChartPublication(string Chart, string Version, string Digest, bool AlreadyThere, string From, string To);

/// <summary>
/// Moves one chart version from one repository to the next, as the seed's bronze → silver → gold
/// channels do: the same archive, never rebuilt. Every check runs before the target is touched: the
/// version exists, the downloaded bytes match the source index's digest, and the archive's own
/// Chart.yaml names that chart and version. Publishing the same bytes again changes nothing; a
/// different archive under a version the target already has is refused, since versions are
/// immutable. After publishing, the target is read back and its bytes checked again.
/// </summary>
public sealed class ChartPublisher(IChartRepository from, IChartRepository to)
{
    public async Task<ChartPublication> PublishAsync(string chart, string version, CancellationToken cancellationToken = default)
    {
        HelmIndex source = await from.ReadIndexAsync(cancellationToken);
        ChartVersionEntry entry = source.Find(chart, version)
            ?? throw new ChartException($"{chart} {version} is not in {from.Location} (it has: {Describe(source.Versions(chart))})");
        byte[] bytes = await from.ReadArchiveAsync(entry, cancellationToken);
        string digest = ChartArchive.Sha256(bytes);
        if (entry.Digest is null || !string.Equals(entry.Digest, digest, StringComparison.OrdinalIgnoreCase))
        {
            throw new ChartException($"digest mismatch for {chart} {version} from {from.Location}: the index says {entry.Digest ?? "nothing"}, the archive's bytes hash to {digest}; nothing was published");
        }

        ChartArchive archive = ChartArchive.Read(bytes, entry.Urls[0]);
        if (archive.Name != chart || archive.Version != version)
        {
            throw new ChartException($"{entry.Urls[0]} holds {archive.Name} {archive.Version}, not {chart} {version}; nothing was published");
        }

        HelmIndex target = await to.ReadIndexAsync(cancellationToken);
        if (target.Find(chart, version) is ChartVersionEntry existing)
        {
            return string.Equals(existing.Digest, digest, StringComparison.OrdinalIgnoreCase)
                ? new ChartPublication(chart, version, digest, AlreadyThere: true, from.Location, to.Location)
                : throw new ChartException($"{to.Location} already has {chart} {version} with digest {existing.Digest}, not {digest}: a published version is never replaced");
        }

        await to.PublishAsync(archive, cancellationToken);
        ChartVersionEntry published = (await to.ReadIndexAsync(cancellationToken)).Find(chart, version)
            ?? throw new ChartException($"{to.Location} does not list {chart} {version} after publishing it");
        string landed = ChartArchive.Sha256(await to.ReadArchiveAsync(published, cancellationToken));
        return landed == digest && string.Equals(published.Digest, digest, StringComparison.OrdinalIgnoreCase)
            ? new ChartPublication(chart, version, digest, AlreadyThere: false, from.Location, to.Location)
            : throw new ChartException($"{to.Location} holds {chart} {version} with digest {landed}, not the {digest} published");
    }

    static string Describe(IReadOnlyList<ChartVersionEntry> versions) =>
        versions.Count == 0 ? "no versions of it" : string.Join(", ", VersionConstraint.InPrecedenceOrder(versions.Select(v => v.Version)).Reverse().Take(10));
}
