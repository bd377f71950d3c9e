using GitOps.Orchestrations.Core.Promotion;

namespace GitOps.Orchestrations.Charts;

/// <summary>
/// A Helm chart repository a channel reads from or a promotion publishes into. Publishing adds one
/// archive and an index that lists it, and either both land or the repository is left as it was.
/// </summary>
public interface IChartRepository
{
    /// <summary>Where it is, without credentials, for messages.</summary>
    string Location { get; }

    Task<HelmIndex> ReadIndexAsync(CancellationToken cancellationToken);

    Task<byte[]> ReadArchiveAsync(ChartVersionEntry entry, CancellationToken cancellationToken);

    /// <summary>Adds <paramref name="archive"/> and the index entry for it; the index is regenerated from the one the repository holds at that moment.</summary>
    Task PublishAsync(ChartArchive archive, CancellationToken cancellationToken);
}
