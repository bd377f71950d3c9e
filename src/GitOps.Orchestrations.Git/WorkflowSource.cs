using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Loading;
using LibGit2Sharp;

namespace GitOps.Orchestrations.Git;

/// <summary>Workflow files read at one revision: the commit SHA, or <c>local</c> for files outside Git.</summary>
public sealed record WorkflowFiles(string Revision, string Source, IReadOnlyList<SourceFile> Files)
{
    public const string LocalRevision = "local";
}

/// <summary>
/// Reads workflow files from Git at a pinned commit. A repository is a local path or a URL (cloned
/// once into a cache, fetched again on later reads); a revision is a branch, tag or SHA. Files are
/// read from the commit's tree, never the working copy, so what runs is exactly what was committed.
/// </summary>
public static class WorkflowSource
{
    public static readonly string DefaultCacheDirectory =
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "gitops-orchestrations", "repos");

    /// <summary>Reads every <c>*.yaml</c>/<c>*.yml</c> under <paramref name="folder"/> of <paramref name="repository"/> at <paramref name="revision"/>.</summary>
    public static WorkflowFiles FromRepository(string repository, string? revision, string folder = "workflows", string? cacheDirectory = null, GitAuthSpec? auth = null, GitTraffic? traffic = null)
    {
        bool isUrl = IsUrl(repository);
        string shown = GitRemote.Redact(repository);
        string path = isUrl ? GitRemote.CloneOrFetch(repository, cacheDirectory ?? DefaultCacheDirectory, auth, traffic, revision) : Path.GetFullPath(repository);
        string gitDir = isUrl ? path : Repository.Discover(path) ?? throw new ArgumentException($"'{shown}' is not a Git repository");
        using var repo = new Repository(gitDir);
        Commit commit = Resolve(repo, revision ?? "HEAD", isUrl);
        string prefix = isUrl ? string.Empty : RelativePrefix(repo, path);
        string root = string.Join('/', new[] { prefix.TrimEnd('/'), folder.Trim('/') }.Where(p => p.Length > 0));
        var files = new List<SourceFile>();
        if ((root.Length == 0 ? commit.Tree : commit[root]?.Target) is not Tree tree)
        {
            throw new ArgumentException($"folder '{folder}' does not exist at {commit.Sha[..12]} of {shown}");
        }

        Collect(tree, root, files);

        // The source is shown to viewers and kept in every run's input: never with credentials.
        return new WorkflowFiles(commit.Sha, $"{shown}@{revision ?? "HEAD"}:{folder}", files);
    }

    /// <summary>
    /// The commit a revision points at now, as cheaply as Git allows: for a URL one ls-remote and no
    /// clone or fetch; for a local repository a reference lookup. Pollers call this before anything else.
    /// </summary>
    public static string HeadOf(string repository, string? revision, GitAuthSpec? auth = null, GitTraffic? traffic = null)
    {
        string wanted = revision ?? "HEAD";
        if (IsUrl(repository))
        {
            return GitRemote.LsRemote(repository, wanted, auth, traffic);
        }

        string gitDir = Repository.Discover(Path.GetFullPath(repository)) ?? throw new ArgumentException($"'{GitRemote.Redact(repository)}' is not a Git repository");
        using var repo = new Repository(gitDir);
        return Resolve(repo, wanted, remote: false).Sha;
    }

    /// <summary>The paths that differ between two commits of a repository (the cached clone for a URL).</summary>
    public static IReadOnlyList<string> ChangedPaths(string repository, string fromSha, string toSha, string? cacheDirectory = null, GitAuthSpec? auth = null, GitTraffic? traffic = null)
    {
        string path = IsUrl(repository) ? GitRemote.CloneOrFetch(repository, cacheDirectory ?? DefaultCacheDirectory, auth, traffic, fromSha, toSha) : Repository.Discover(Path.GetFullPath(repository)) ?? throw new ArgumentException($"'{GitRemote.Redact(repository)}' is not a Git repository");
        using var repo = new Repository(path);
        Commit from = repo.Lookup<Commit>(fromSha) ?? throw new ArgumentException($"commit {fromSha} does not exist");
        Commit to = repo.Lookup<Commit>(toSha) ?? throw new ArgumentException($"commit {toSha} does not exist");
        return repo.Diff.Compare<TreeChanges>(from.Tree, to.Tree)
            .SelectMany(change => new[] { change.Path, change.OldPath })
            .Distinct(StringComparer.Ordinal)
            .ToList();
    }

    static bool IsUrl(string repository) => GitRemote.IsUrl(repository);

    /// <summary>
    /// Reads a workflow file and its sibling workflows. Inside a Git repository whose committed copy
    /// matches the file, they are read at HEAD and pinned to its SHA; otherwise they run as
    /// <c>local</c>, straight from disk.
    /// </summary>
    public static WorkflowFiles FromFile(string file)
    {
        string full = Path.GetFullPath(file);
        string folder = Path.GetDirectoryName(full)!;
        string? gitDir = Repository.Discover(folder);
        if (gitDir is not null)
        {
            using var repo = new Repository(gitDir);
            if (!repo.Info.IsBare && repo.Head.Tip is Commit head)
            {
                string relative = Path.GetRelativePath(repo.Info.WorkingDirectory, full).Replace('\\', '/');
                if (head[relative]?.Target is Blob blob && SameContent(blob, full))
                {
                    string relativeFolder = Path.GetRelativePath(repo.Info.WorkingDirectory, folder).Replace('\\', '/');
                    var files = new List<SourceFile>();
                    Collect(relativeFolder == "." ? head.Tree : (Tree)head[relativeFolder].Target, relativeFolder == "." ? string.Empty : relativeFolder, files);
                    string shown = Path.GetRelativePath(Environment.CurrentDirectory, full);
                    return new WorkflowFiles(head.Sha, shown, files.Select(f => f with { Path = DisplayPath(repo, f.Path) }).ToList());
                }
            }
        }

        return new WorkflowFiles(WorkflowFiles.LocalRevision, file, ReadFolder(folder));
    }

    /// <summary>Reads YAML files from disk (a file, or a folder recursively), as <c>gitops validate</c> does.</summary>
    public static IReadOnlyList<SourceFile> ReadFromDisk(string path)
    {
        if (File.Exists(path))
        {
            return [new SourceFile(path, File.ReadAllBytes(path))];
        }

        if (Directory.Exists(path))
        {
            return ReadFolder(path, recursive: true);
        }

        throw new FileNotFoundException($"no such file or folder: {path}");
    }

    static List<SourceFile> ReadFolder(string folder, bool recursive = false) =>
        Directory.EnumerateFiles(folder, "*.*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(IsYaml)
            .Order(StringComparer.Ordinal)
            .Select(f => new SourceFile(Path.GetRelativePath(Environment.CurrentDirectory, f), File.ReadAllBytes(f)))
            .ToList();

    static void Collect(Tree tree, string prefix, List<SourceFile> files)
    {
        foreach (TreeEntry entry in tree)
        {
            string path = prefix.Length == 0 ? entry.Name : $"{prefix}/{entry.Name}";
            if (entry.Target is Tree child)
            {
                Collect(child, path, files);
            }
            else if (entry.Target is Blob blob && IsYaml(entry.Name))
            {
                using Stream content = blob.GetContentStream();
                using var buffer = new MemoryStream();
                content.CopyTo(buffer);
                files.Add(new SourceFile(path, buffer.ToArray()));
            }
        }
    }

    static Commit Resolve(Repository repo, string revision, bool remote)
    {
        GitObject? found = null;
        foreach (string candidate in remote ? new[] { revision, $"refs/heads/{revision}", $"refs/tags/{revision}" } : new[] { revision, $"origin/{revision}" })
        {
            try
            {
                found = repo.Lookup(candidate);
            }
            catch (LibGit2SharpException)
            {
                found = null;
            }

            if (found is not null)
            {
                break;
            }
        }

        return found?.Peel<Commit>() ?? throw new ArgumentException($"revision '{revision}' does not exist");
    }

    static string RelativePrefix(Repository repo, string path)
    {
        if (repo.Info.IsBare)
        {
            return string.Empty;
        }

        string relative = Path.GetRelativePath(repo.Info.WorkingDirectory, path).Replace('\\', '/');
        return relative == "." ? string.Empty : relative;
    }

    static bool SameContent(Blob blob, string file)
    {
        using Stream content = blob.GetContentStream();
        using var buffer = new MemoryStream();
        content.CopyTo(buffer);
        return buffer.ToArray().AsSpan().SequenceEqual(File.ReadAllBytes(file));
    }

    static string DisplayPath(Repository repo, string treePath) =>
        Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(repo.Info.WorkingDirectory, treePath));

    static bool IsYaml(string name) => name.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);
}
