using System.Security.Cryptography;
using System.Text;
using GitOps.Orchestrations.Core.Delivery;
using LibGit2Sharp;

namespace GitOps.Orchestrations.Git;

/// <summary>
/// Delivery sources: a revision resolved to a SHA, and that SHA's files exported into a folder of
/// their own. Exports are keyed by repository and SHA and never change once written, so two runs at
/// different commits read different folders and a run at the same commit reuses the export.
/// </summary>
public sealed class GitCheckout(string cacheDirectory) : IGitSources
{
    public static readonly string DefaultCacheDirectory =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "gitops-orchestrations", "sources");

    public string CacheDirectory { get; } = cacheDirectory;

    public GitTraffic Traffic { get; } = new();

    public Task<string> ResolveAsync(SourceSpec source, CancellationToken cancellationToken = default) =>
        GitWork.RunAsync(() => Resolve(source, Traffic), cancellationToken);

    public Task<string> ExportAsync(SourceSpec source, string sha, CancellationToken cancellationToken = default) =>
        GitWork.RunAsync(() => Export(source, sha), cancellationToken);

    public Task<IReadOnlyList<(string Relative, string Text)>> ReadTreeAsync(SourceSpec source, string sha, string relativePath, Func<string, bool> wanted, CancellationToken cancellationToken = default) =>
        GitWork.RunAsync(() => ReadTree(source, sha, relativePath, wanted), cancellationToken);

    public Task<byte[]?> ReadFileAsync(SourceSpec source, string sha, string relativePath, CancellationToken cancellationToken = default) =>
        GitWork.RunAsync(() => ReadFile(source, sha, relativePath), cancellationToken);

    public Task<GitWriteResult> WriteAsync(GitWriteRequest request, CancellationToken cancellationToken = default) =>
        GitWriter.WriteAsync(request, cancellationToken);

    /// <summary>The SHA the source's revision names now: no network for a full SHA, one ls-remote for a URL.</summary>
    /// <param name="traffic">Counts the round trip for its owner, when given.</param>
    public static string Resolve(SourceSpec source, GitTraffic? traffic = null)
    {
        if (GitRemote.IsUrl(source.Repo))
        {
            return GitRemote.IsFullSha(source.Revision) ? source.Revision! : GitRemote.LsRemote(source.Repo, source.Revision, source.Auth, traffic);
        }

        using var repo = OpenLocal(source.Repo);
        string wanted = source.Revision ?? "HEAD";
        GitObject? found = repo.Lookup(wanted) ?? repo.Lookup($"refs/heads/{wanted}") ?? repo.Lookup($"refs/tags/{wanted}");
        return found?.Peel<Commit>()?.Sha ?? throw new ArgumentException($"revision '{wanted}' does not exist in {source.Repo}");
    }

    /// <summary>The folder holding <paramref name="sha"/>'s files, exported on first use; fetches only when the cache lacks the commit.</summary>
    public string Export(SourceSpec source, string sha)
    {
        string key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(source.Repo)))[..16];
        string folder = Path.Combine(CacheDirectory, "exports", $"{key}-{sha}");
        if (Directory.Exists(folder))
        {
            return folder;
        }

        using Repository repo = OpenAt(source, sha, out Commit commit);
        string staging = $"{folder}.tmp-{Guid.NewGuid():N}";
        Directory.CreateDirectory(staging);
        Write(commit.Tree, staging);
        try
        {
            Directory.Move(staging, folder);
        }
        catch (IOException) when (Directory.Exists(folder))
        {
            // Another run exported the same commit first; both copies are identical.
            Directory.Delete(staging, recursive: true);
        }

        return folder;
    }

    /// <summary>
    /// The files under <paramref name="relativePath"/> at <paramref name="sha"/> that
    /// <paramref name="wanted"/> accepts, read straight from Git's object store: for renderers that
    /// run no tool there is no need to write the commit to disk first.
    /// </summary>
    public IReadOnlyList<(string Relative, string Text)> ReadTree(SourceSpec source, string sha, string relativePath, Func<string, bool> wanted)
    {
        CheckRelative(relativePath);
        using Repository repo = OpenAt(source, sha, out Commit commit);
        string path = relativePath.Replace('\\', '/').Trim('/');
        var files = new List<(string, string)>();
        switch (path is "" or "." ? commit.Tree : commit[path]?.Target)
        {
            case Tree tree:
                Collect(tree, string.Empty, wanted, files);
                break;
            case Blob blob:
                files.Add((Path.GetFileName(path), blob.GetContentText()));
                break;
            default:
                throw new ArgumentException($"source path '{relativePath}' does not exist at this commit");
        }

        return files;
    }

    /// <summary>One file's bytes at <paramref name="sha"/>, such as a chart archive; null when the commit has no such file.</summary>
    public byte[]? ReadFile(SourceSpec source, string sha, string relativePath)
    {
        CheckRelative(relativePath);
        using Repository repo = OpenAt(source, sha, out Commit commit);
        if (commit[relativePath.Replace('\\', '/').Trim('/')]?.Target is not Blob blob)
        {
            return null;
        }

        using Stream content = blob.GetContentStream();
        using var bytes = new MemoryStream();
        content.CopyTo(bytes);
        return bytes.ToArray();
    }

    /// <summary>The repository holding <paramref name="sha"/>: the cached clone of a URL (fetched only when it lacks the commit), or a local repository.</summary>
    Repository OpenAt(SourceSpec source, string sha, out Commit commit)
    {
        string repoPath = GitRemote.IsUrl(source.Repo)
            ? GitRemote.CloneOrFetch(source.Repo, Path.Combine(CacheDirectory, "repos"), source.Auth, Traffic, sha)
            : Repository.Discover(Path.GetFullPath(source.Repo)) ?? throw new ArgumentException($"'{source.Repo}' is not a Git repository");
        var repo = new Repository(repoPath);
        Commit? found = repo.Lookup<Commit>(sha);
        if (found is null)
        {
            repo.Dispose();
            throw new ArgumentException($"commit {sha} does not exist in {GitRemote.Redact(source.Repo)}");
        }

        commit = found;
        return repo;
    }

    static void Collect(Tree tree, string prefix, Func<string, bool> wanted, List<(string, string)> files)
    {
        foreach (TreeEntry entry in tree)
        {
            string path = prefix.Length == 0 ? entry.Name : $"{prefix}/{entry.Name}";
            if (entry.Target is Tree child)
            {
                Collect(child, path, wanted, files);
            }
            else if (entry.Target is Blob blob && entry.Mode != Mode.SymbolicLink && wanted(path))
            {
                files.Add((path, blob.GetContentText()));
            }
        }
    }

    /// <summary>
    /// A folder inside an export. The path is relative to the repository root and may not leave it:
    /// <c>../</c>, absolute paths and symbolic links out of the tree are refused.
    /// </summary>
    public static string Inside(string root, string relative)
    {
        CheckRelative(relative);
        string full = Path.GetFullPath(Path.Combine(root, relative));
        string rootFull = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (!(full + Path.DirectorySeparatorChar).StartsWith(rootFull, StringComparison.Ordinal))
        {
            throw new ArgumentException($"source path '{relative}' must stay inside the repository");
        }

        return Directory.Exists(full) || File.Exists(full) ? full : throw new ArgumentException($"source path '{relative}' does not exist at this commit");
    }

    /// <summary>Refuses a repository-relative path that is absolute or climbs out with <c>..</c>, before anything is read.</summary>
    public static void CheckRelative(string relative)
    {
        if (Path.IsPathRooted(relative) || relative.Replace('\\', '/').Split('/').Contains(".."))
        {
            throw new ArgumentException($"path '{relative}' must stay inside the repository (no absolute path, no '..')");
        }
    }

    static void Write(Tree tree, string folder)
    {
        foreach (TreeEntry entry in tree)
        {
            string path = Path.Combine(folder, entry.Name);
            switch (entry.TargetType)
            {
                case TreeEntryTargetType.Tree:
                    Directory.CreateDirectory(path);
                    Write((Tree)entry.Target, path);
                    break;
                case TreeEntryTargetType.Blob when entry.Mode != Mode.SymbolicLink:
                    using (Stream content = ((Blob)entry.Target).GetContentStream())
                    using (FileStream file = File.Create(path))
                    {
                        content.CopyTo(file);
                    }

                    break;

                // Symbolic links and submodules are left out: a link could point out of the export,
                // and a submodule is another repository with its own revision.
            }
        }
    }

    static Repository OpenLocal(string path) =>
        new(Repository.Discover(Path.GetFullPath(path)) ?? throw new ArgumentException($"'{path}' is not a Git repository"));
}
