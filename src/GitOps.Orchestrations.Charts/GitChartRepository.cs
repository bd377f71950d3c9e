using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Git;

namespace GitOps.Orchestrations.Charts;

/// <summary>
/// A chart repository kept in Git: <c>index.yaml</c> and the archives in one folder of one branch.
/// Publishing is one commit holding the archive and the index regenerated from the branch head it
/// was made on; a push that loses a race is replayed on the new head (see <see cref="GitWriter"/>),
/// so no entry is lost and no half-written index is ever pushed.
/// </summary>
public sealed class GitChartRepository(GitChartLocation location) : IChartRepository
{
    public string Location => $"{GitRemote.Redact(location.Repo)}@{location.Branch}:{(location.Path.Length == 0 ? "/" : location.Path)}";

    string IndexPath => Combine("index.yaml");

    string Combine(string file) => location.Path.Length == 0 ? file : $"{location.Path.TrimEnd('/')}/{file}";

    public Task<HelmIndex> ReadIndexAsync(CancellationToken cancellationToken) =>
        Task.FromResult(ReadTree(tree => File.Exists(Path.Combine(tree, IndexPath)) ? Parse(File.ReadAllText(Path.Combine(tree, IndexPath))) : HelmIndex.Empty()));

    public Task<byte[]> ReadArchiveAsync(ChartVersionEntry entry, CancellationToken cancellationToken) =>
        Task.FromResult(ReadTree(tree =>
        {
            string path = Path.GetFullPath(Path.Combine(tree, Combine(entry.Urls[0])));
            return path.StartsWith(Path.GetFullPath(tree), StringComparison.Ordinal) && File.Exists(path)
                ? File.ReadAllBytes(path)
                : throw new ChartException($"{Location} lists {entry.Urls[0]} but does not hold it");
        }));

    public Task PublishAsync(ChartArchive archive, CancellationToken cancellationToken)
    {
        GitWriter.Write(new GitWriteRequest
        {
            Repo = location.Repo,
            Branch = location.Branch,
            Auth = location.Auth,
            Message = $"Publish {archive.Name} {archive.Version}\n\nDigest: sha256:{archive.Digest}",
            Changes = [new GitFileChange(Combine(archive.FileName)) { Bytes = archive.Bytes }],
            ChangesFromTree = tree =>
            {
                string index = Path.Combine(tree, IndexPath);
                HelmIndex current = File.Exists(index) ? Parse(File.ReadAllText(index)) : HelmIndex.Empty();
                return [new GitFileChange(IndexPath, current.With(HttpChartRepository.Entry(archive, archive.FileName)).Render(DateTimeOffset.UtcNow))];
            },
        });
        return Task.CompletedTask;
    }

    HelmIndex Parse(string text)
    {
        try
        {
            return HelmIndex.Parse($"{Location}/index.yaml", text);
        }
        catch (FormatException e)
        {
            throw new ChartException(e.Message, e);
        }
    }

    T ReadTree<T>(Func<string, T> read)
    {
        string work = Path.Combine(Path.GetTempPath(), "gitops-charts-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            string url = GitRemote.IsUrl(location.Repo) ? location.Repo : Path.GetFullPath(location.Repo);
            LibGit2Sharp.Repository.Clone(url, work, new LibGit2Sharp.CloneOptions { BranchName = location.Branch });
            return read(work);
        }
        catch (LibGit2Sharp.LibGit2SharpException e)
        {
            throw new ChartException($"cannot read the chart repository {Location}: {GitRemote.Redact(e.Message)}", e);
        }
        finally
        {
            GitWriter.TryDeleteFolder(work);
        }
    }
}
