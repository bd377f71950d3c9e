using GitOps.Orchestrations.Core.Promotion;
using System.Text;
using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Git;

namespace GitOps.Orchestrations.Charts;

/// <summary>
/// A chart repository kept in Git: <c>index.yaml</c> and the archives in one folder of one branch.
/// Publishing is one commit holding the archive and the index regenerated from the branch head it
/// was made on; a push that loses a race is replayed on the new head (see <see cref="GitWriter"/>),
/// so no entry is lost and no half-written index is ever pushed.
/// </summary>
public sealed class GitChartRepository(GitChartLocation location, GitCheckout checkout) : IChartRepository
{
    public string Location => $"{GitRemote.Redact(location.Repo)}@{location.Branch}:{(location.Path.Length == 0 ? "/" : location.Path)}";

    string IndexPath => Combine("index.yaml");

    string Combine(string file) => location.Path.Length == 0 ? file : $"{location.Path.TrimEnd('/')}/{file}";

    public Task<HelmIndex> ReadIndexAsync(CancellationToken cancellationToken) =>
        GitWork.RunAsync(() => AtHead(read => read(IndexPath) is byte[] index ? Parse(Encoding.UTF8.GetString(index)) : HelmIndex.Empty()), cancellationToken);

    public Task<byte[]> ReadArchiveAsync(ChartVersionEntry entry, CancellationToken cancellationToken) =>
        GitWork.RunAsync(() => AtHead(read => read(Combine(entry.Urls[0])) ?? throw new ChartException($"{Location} lists {entry.Urls[0]} but does not hold it")), cancellationToken);

    public Task PublishAsync(ChartArchive archive, CancellationToken cancellationToken) =>
        GitWriter.WriteAsync(new GitWriteRequest
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
                return [new GitFileChange(IndexPath, current.With(archive.IndexEntry(DateTimeOffset.UtcNow)).Render(DateTimeOffset.UtcNow))];
            },
        }, cancellationToken);

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

    /// <summary>Reads files at the branch head through the shared clone cache: one ls-remote, and a fetch only when the head moved. Runs on a Git thread.</summary>
    T AtHead<T>(Func<Func<string, byte[]?>, T> read)
    {
        var source = new SourceSpec { Repo = location.Repo, Revision = location.Branch, Auth = location.Auth };
        try
        {
            string head = GitCheckout.Resolve(source, checkout.Traffic);
            return read(path => checkout.ReadFile(source, head, path));
        }
        catch (Exception e) when (e is LibGit2Sharp.LibGit2SharpException or GitSourceException or ArgumentException)
        {
            throw new ChartException($"cannot read the chart repository {Location}: {GitRemote.Redact(e.Message)}", e) { Transient = e is not ArgumentException };
        }
    }
}
