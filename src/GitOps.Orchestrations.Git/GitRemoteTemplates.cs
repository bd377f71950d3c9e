using GitOps.Orchestrations.Core.Caching;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Git;

/// <summary>
/// Templates of other repositories, read at a pinned commit into the host's Git cache. A commit
/// never changes, so a folder read once is kept (a bounded number of them) and a cached commit
/// costs no network. No credentials are sent: the host's own are for its own repository, and a
/// workflow must not be able to carry them elsewhere.
/// </summary>
public sealed class GitRemoteTemplates(string? cacheDirectory = null, GitTraffic? traffic = null) : IRemoteTemplates
{
    const int FoldersKept = 64;

    /// <summary>For commands that resolve one workflow and end, reading into the default Git cache.</summary>
    public static GitRemoteTemplates Shared { get; } = new();

    readonly BoundedCache<(string, string, string), Lazy<IReadOnlyList<SourceFile>>> folders = new(FoldersKept);

    public IReadOnlyList<SourceFile> Read(string repository, string revision, string folder)
    {
        Lazy<IReadOnlyList<SourceFile>> read = folders.GetOrAdd((repository, revision, folder),
            key => new Lazy<IReadOnlyList<SourceFile>>(() => Fetch(key.Item1, key.Item2, key.Item3)));
        try
        {
            return read.Value;
        }
        catch (RemoteTemplatesException)
        {
            // A failure is not kept: the repository may be reachable on the next load.
            folders.Remove((repository, revision, folder));
            throw;
        }
    }

    IReadOnlyList<SourceFile> Fetch(string repository, string revision, string folder)
    {
        try
        {
            WorkflowFiles files = WorkflowSource.FromRepository(repository, revision, folder, cacheDirectory, auth: null, traffic);
            return files.Revision == revision
                ? files.Files
                : throw new RemoteTemplatesException($"{revision[..12]} resolved to another commit ({files.Revision[..12]})");
        }
        catch (Exception e) when (e is ArgumentException or FileNotFoundException or LibGit2Sharp.LibGit2SharpException or IOException)
        {
            throw new RemoteTemplatesException(GitRemote.Redact(e.Message));
        }
    }
}
