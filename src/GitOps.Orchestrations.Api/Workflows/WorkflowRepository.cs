using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Git;

namespace GitOps.Orchestrations.Api.Workflows;

/// <summary>Where a host reads its workflows: one repository, one branch, one folder.</summary>
public sealed record WorkflowRepositoryOptions
{
    /// <summary>A local path or a URL.</summary>
    public string Repository { get; init; } = ".";

    /// <summary>The branch (or any revision) runs start from when a request names none; null is HEAD.</summary>
    public string? Branch { get; init; }

    public string Folder { get; init; } = "workflows";

    /// <summary>
    /// Credentials for a private repository, named rather than written: the environment variable
    /// holding a token (preferred over a token inside the URL, which is never shown either way).
    /// </summary>
    public GitAuthSpec? Auth { get; init; }

    /// <summary>Where a URL repository is cloned; the user's cache folder when absent.</summary>
    public string? CacheDirectory { get; init; }

    /// <summary>How long a looked-up head stays fresh; each look-up of a URL is an ls-remote.</summary>
    public TimeSpan HeadCacheDuration { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>The workflows at one commit of the configured branch, loaded and validated together.</summary>
public sealed record CatalogAtRevision(WorkflowFiles Files, string Source, WorkflowCatalog Catalog)
{
    public string Revision => Files.Revision;
}

/// <summary>
/// The configured branch as the API and the triggers see it. The catalog is loaded once per commit:
/// each call finds the branch's head (cheaply) and reloads only when it moved.
/// </summary>
public sealed class WorkflowRepository(WorkflowRepositoryOptions options, ITaskTypeCatalog taskTypes, TimeProvider? clock = null)
{
    readonly TimeProvider time = clock ?? TimeProvider.System;
    readonly Lock gate = new();
    CatalogAtRevision? cached;
    (string Sha, DateTimeOffset At)? head;

    public WorkflowRepositoryOptions Options => options;

    /// <summary>The head commit of the configured branch now.</summary>
    public string Head()
    {
        lock (gate)
        {
            DateTimeOffset now = time.GetUtcNow();
            if (head is { } known && now - known.At < options.HeadCacheDuration)
            {
                return known.Sha;
            }

            string sha = WorkflowSource.HeadOf(options.Repository, options.Branch, options.Auth);
            head = (sha, now);
            return sha;
        }
    }

    public CatalogAtRevision Current()
    {
        string sha = Head();
        lock (gate)
        {
            if (cached?.Revision == sha)
            {
                return cached;
            }
        }

        WorkflowFiles files = WorkflowSource.FromRepository(options.Repository, sha, options.Folder, options.CacheDirectory, options.Auth);
        var loaded = new CatalogAtRevision(files, $"{GitRemote.Redact(options.Repository)}@{options.Branch ?? "HEAD"}:{options.Folder}", WorkflowCatalog.Load(files.Files, taskTypes));
        lock (gate)
        {
            cached = loaded;
        }

        return loaded;
    }

    /// <summary>
    /// Pins a workflow for a run: at <paramref name="revision"/>, or at the branch head. The head,
    /// and a SHA equal to it (what the triggers pass), come from the loaded catalog; any other
    /// revision is read from Git.
    /// </summary>
    public ResolvedWorkflow Resolve(string name, string? revision)
    {
        CatalogAtRevision? loaded = revision is null ? Current() : Loaded(revision);
        return loaded is null
            ? WorkflowResolver.Resolve(name, options.Repository, revision, options.Folder, taskTypes, options.Auth)
            : WorkflowResolver.Find(name, loaded.Files, loaded.Catalog);
    }

    CatalogAtRevision? Loaded(string revision)
    {
        lock (gate)
        {
            return cached?.Revision == revision ? cached : null;
        }
    }
}
