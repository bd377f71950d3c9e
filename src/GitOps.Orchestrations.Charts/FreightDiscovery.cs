using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Git;

namespace GitOps.Orchestrations.Charts;

/// <summary>
/// Looks at every source of a pipeline and assembles the freight they offer now: for a Helm
/// channel the newest chart version its constraint accepts (pinned by its digest), for Git tags the
/// newest matching tag (pinned by its commit). A source with nothing matching means no freight yet.
/// </summary>
public sealed class FreightDiscovery(HttpClient http)
{
    public async Task<(Freight? Freight, string? Missing)> DiscoverAsync(IReadOnlyList<FreightSource> sources, CancellationToken cancellationToken = default)
    {
        var artifacts = new List<FreightArtifact>();
        foreach (FreightSource source in sources)
        {
            FreightArtifact? found = source switch
            {
                { HelmRepository: HelmRepositorySource helm } => await FromHelmAsync(source.Name, helm, cancellationToken),
                { GitTags: GitTagsSource tags } => await GitWork.RunAsync(() => FromTags(source.Name, tags), cancellationToken),
                _ => throw new ArgumentException($"source '{source.Name}' names no kind"),
            };
            if (found is null)
            {
                return (null, source.Name);
            }

            artifacts.Add(found);
        }

        return (Freight.Of(artifacts), null);
    }

    async Task<FreightArtifact?> FromHelmAsync(string name, HelmRepositorySource helm, CancellationToken cancellationToken)
    {
        IChartRepository repository = ChartRepositoryFactory.Create(new ChartRepositorySpec { Url = helm.Url }, http);
        HelmIndex index = await repository.ReadIndexAsync(cancellationToken);
        ChartVersionEntry? newest = index.Newest(helm.Chart, VersionConstraint.Parse(helm.Version));
        return newest is null ? null : new FreightArtifact(name, newest.Version, newest.Digest ?? string.Empty);
    }

    static FreightArtifact? FromTags(string name, GitTagsSource source)
    {
        string url = GitRemote.IsUrl(source.Repo) ? source.Repo : Path.GetFullPath(source.Repo);
        // An annotated tag is listed twice: the tag object, and peeled (NAME^{}) to its commit, which is what pins it.
        var commits = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (LibGit2Sharp.Reference reference in GitRemote.ListReferences(url, null).Where(r => r.CanonicalName.StartsWith("refs/tags/", StringComparison.Ordinal)))
        {
            string listed = reference.CanonicalName["refs/tags/".Length..];
            if (listed.EndsWith("^{}", StringComparison.Ordinal))
            {
                commits[listed[..^3]] = reference.TargetIdentifier;
            }
            else
            {
                commits.TryAdd(listed, reference.TargetIdentifier);
            }
        }

        IEnumerable<(string Tag, string Sha)> tags = commits.Select(c => (c.Key, c.Value));
        return TagSelection.Newest(tags, source) is (string tag, string sha) ? new FreightArtifact(name, tag, sha) : null;
    }
}
