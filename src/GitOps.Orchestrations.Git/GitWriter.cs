using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Editing;
using LibGit2Sharp;

namespace GitOps.Orchestrations.Git;

/// <summary>One file to write: its whole content, or an edit of one value at a YAML path.</summary>
public sealed record GitFileChange(string Path, string? Content = null, string? YamlPath = null, string? Value = null, bool Delete = false)
{
    /// <summary>Binary content, such as a chart archive, written byte for byte.</summary>
    public byte[]? Bytes { get; init; }
}

public sealed record GitWriteRequest
{
    public required string Repo { get; init; }

    public string Branch { get; init; } = "main";

    /// <summary>The branch to start from when <see cref="Branch"/> does not exist yet, for a change meant to become a pull request.</summary>
    public string? BaseBranch { get; init; }

    public GitAuthSpec? Auth { get; init; }

    public required string Message { get; init; }

    public IReadOnlyList<GitFileChange> Changes { get; init; } = [];

    /// <summary>
    /// Changes that depend on what the branch holds, such as an index regenerated from the one
    /// there: called with the checked-out folder on every attempt, so a lost push race is replayed
    /// against the new head rather than overwriting it. Called before anything is written.
    /// </summary>
    public Func<string, IReadOnlyList<GitFileChange>>? ChangesFromTree { get; init; }

    /// <summary>When set, files under this folder that <see cref="Changes"/> does not write are deleted: the folder becomes exactly the change set.</summary>
    public string? ReplaceFolder { get; init; }

    /// <summary>The source commit this write derives from, recorded as a <c>Source-Commit:</c> trailer.</summary>
    public string? SourceCommit { get; init; }

    public int MaxAttempts { get; init; } = 5;
}

/// <param name="Commit">The commit now at the branch head: the new one, or the existing head when nothing changed.</param>
public sealed record GitWriteResult(string Commit, bool Changed, int Attempts);

/// <summary>
/// Commits and pushes generated changes. Each attempt clones the branch afresh and applies the
/// changes to it, so a push that loses a race is replayed on the new head, which is a rebase of one
/// commit. Nothing is committed when the content is already there, so a redelivered activity or a
/// re-run writes nothing.
/// </summary>
public static class GitWriter
{
    static readonly Signature Bot = new("gitops-orchestrations", "gitops@orchestrations.local", DateTimeOffset.UnixEpoch);

    /// <summary>
    /// Commits the changes on a fresh copy of the branch and pushes; a rejected push (someone else
    /// moved the branch) is tried again on a fresh copy after a growing pause, up to
    /// <see cref="GitWriteRequest.MaxAttempts"/>. Each attempt runs on <see cref="GitWork"/>; the
    /// pauses hold no thread.
    /// </summary>
    public static async Task<GitWriteResult> WriteAsync(GitWriteRequest request, CancellationToken cancellationToken = default)
    {
        string url = GitRemote.IsUrl(request.Repo) ? request.Repo : Path.GetFullPath(request.Repo);
        for (int attempt = 1; ; attempt++)
        {
            int tried = attempt;
            (GitWriteResult? written, string? rejection) = await GitWork.RunAsync(() => TryWrite(url, request, tried), cancellationToken);
            if (written is not null)
            {
                return written;
            }

            if (attempt >= request.MaxAttempts)
            {
                throw new GitSourceException($"push to {GitRemote.Redact(url)} branch {request.Branch} was rejected {attempt} times, last: {rejection}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt * attempt), cancellationToken);
        }
    }

    /// <summary>One attempt: the result, or why the push was rejected.</summary>
    static (GitWriteResult? Written, string? Rejection) TryWrite(string url, GitWriteRequest request, int attempt)
    {
        string work = Path.Combine(Path.GetTempPath(), "gitops-write-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            using Repository repo = CloneBranch(url, work, request);
            Apply(repo, request);
            Commands.Stage(repo, "*");
            if (!repo.RetrieveStatus(new StatusOptions()).IsDirty)
            {
                return (new GitWriteResult(repo.Head.Tip.Sha, false, attempt), null);
            }

            var now = new Signature(Bot.Name, Bot.Email, DateTimeOffset.UtcNow);
            string message = request.SourceCommit is string source ? $"{request.Message.TrimEnd()}\n\nSource-Commit: {source}\n" : request.Message;
            Commit commit = repo.Commit(message, now, now);
            string? rejection = null;
            return TryPush(repo, url, request, ref rejection) ? (new GitWriteResult(commit.Sha, true, attempt), null) : (null, rejection);
        }
        finally
        {
            TryDeleteFolder(work);
        }
    }

    /// <summary>
    /// A working copy of <see cref="GitWriteRequest.Branch"/>, or of the base branch when it does not
    /// exist yet (the remote's default branch without one). Built by init and fetch, so the remote's
    /// SSH settings are in place before the first network call.
    /// </summary>
    static Repository CloneBranch(string url, string work, GitWriteRequest request)
    {
        List<Reference> references = GitRemote.ListReferences(url, request.Auth);
        bool exists = references.Any(r => r.CanonicalName == $"refs/heads/{request.Branch}");
        string from = exists ? request.Branch
            : request.BaseBranch
                ?? (references.FirstOrDefault(r => r.CanonicalName == "HEAD") is SymbolicReference head ? head.TargetIdentifier.Replace("refs/heads/", string.Empty, StringComparison.Ordinal) : "main");
        Repository.Init(work);
        var repo = new Repository(work);
        GitRemote.Origin(repo, url, request.Auth);
        GitRemote.Guard(url, () => Commands.Fetch(repo, "origin", [$"+refs/heads/{from}:refs/remotes/origin/{from}"], new FetchOptions { CredentialsProvider = GitRemote.Credentials(request.Auth, url) }, null));
        Branch tracking = repo.Branches[$"origin/{from}"] ?? throw new ArgumentException($"branch '{from}' does not exist on {GitRemote.Redact(url)}");
        Branch branch = repo.CreateBranch(request.Branch, tracking.Tip);
        Commands.Checkout(repo, branch, new CheckoutOptions { CheckoutModifiers = CheckoutModifiers.Force });
        return repo;
    }

    static void Apply(Repository repo, GitWriteRequest request)
    {
        string root = repo.Info.WorkingDirectory;
        var written = new HashSet<string>(StringComparer.Ordinal);
        foreach (GitFileChange change in request.Changes.Concat(request.ChangesFromTree?.Invoke(root) ?? []))
        {
            string path = SafePath(root, change.Path);
            written.Add(Path.GetFullPath(path));
            if (change.Delete)
            {
                File.Delete(path);
            }
            else if (change.YamlPath is string yamlPath)
            {
                string text = File.Exists(path) ? File.ReadAllText(path) : throw new ArgumentException($"{change.Path} does not exist on branch {request.Branch}");
                File.WriteAllText(path, YamlPathEdit.Set(text, yamlPath, change.Value ?? string.Empty));
            }
            else
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                if (change.Bytes is byte[] bytes)
                {
                    File.WriteAllBytes(path, bytes);
                }
                else
                {
                    File.WriteAllText(path, change.Content ?? string.Empty);
                }
            }
        }

        if (request.ReplaceFolder is string folder && Directory.Exists(SafePath(root, folder)))
        {
            foreach (string file in Directory.EnumerateFiles(SafePath(root, folder), "*", SearchOption.AllDirectories))
            {
                if (!written.Contains(Path.GetFullPath(file)) && !file.Contains($"{Path.DirectorySeparatorChar}.git{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
                {
                    File.Delete(file);
                }
            }
        }
    }

    /// <summary>
    /// Pushes the branch; false when the remote turned it down, which on a shared branch is nearly
    /// always a race (not a fast-forward, a ref lock held by another push). The caller replays the
    /// change on the new head, and after its last attempt reports the remote's own words.
    /// </summary>
    static bool TryPush(Repository repo, string url, GitWriteRequest request, ref string? rejection)
    {
        string? rejected = null;
        var options = new PushOptions
        {
            CredentialsProvider = GitRemote.Credentials(request.Auth, url),
            OnPushStatusError = error => rejected = error.Message,
        };
        try
        {
            repo.Network.Push(repo.Network.Remotes["origin"], $"refs/heads/{request.Branch}:refs/heads/{request.Branch}", options);
        }
        catch (NonFastForwardException e)
        {
            rejected = e.Message;
        }
        catch (LibGit2SharpException e) when (e.Message.Contains("fast-forward", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("fetch first", StringComparison.OrdinalIgnoreCase))
        {
            rejected = e.Message;
        }
        catch (LibGit2SharpException e)
        {
            throw new GitSourceException($"push to {GitRemote.Redact(url)}: {GitRemote.Redact(e.Message)}", e);
        }

        rejection = rejected ?? rejection;
        return rejected is null;
    }

    static string SafePath(string root, string relative)
    {
        GitCheckout.CheckRelative(relative);
        return Path.Combine(root, relative);
    }

    /// <summary>Removes a scratch clone, read-only pack files included; one left behind is harmless.</summary>
    public static void TryDeleteFolder(string folder)
    {
        try
        {
            if (Directory.Exists(folder))
            {
                foreach (string file in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
                {
                    File.SetAttributes(file, FileAttributes.Normal);
                }

                Directory.Delete(folder, recursive: true);
            }
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless; the next write uses a new one.
        }
    }
}
