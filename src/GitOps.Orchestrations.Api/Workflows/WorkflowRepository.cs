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
/// each call finds the branch's head (cheaply) and reloads only when it moved. Git runs on its own
/// threads (<see cref="GitWork"/>), never under a lock and never on the request's thread, and each
/// refresh is single-flight: while one head look-up or one catalog load is in progress, every other
/// caller awaits that one instead of starting its own.
/// </summary>
public sealed class WorkflowRepository(WorkflowRepositoryOptions options, ITaskTypeCatalog taskTypes, TimeProvider? clock = null)
{
    readonly TimeProvider time = clock ?? TimeProvider.System;
    readonly Lock gate = new();
    CatalogAtRevision? cached;
    (string Sha, DateTimeOffset At)? head;
    Task<string>? lookingUp;
    (string Sha, Task<CatalogAtRevision> Load)? loading;

    public WorkflowRepositoryOptions Options => options;

    /// <summary>The round trips this repository made (head look-ups and fetches of a URL).</summary>
    public GitTraffic Traffic { get; } = new();

    /// <summary>Templates of other repositories that this repository's workflows call, read into the same cache.</summary>
    GitRemoteTemplates RemoteTemplates => remoteTemplates ??= new GitRemoteTemplates(options.CacheDirectory, Traffic);

    GitRemoteTemplates? remoteTemplates;

    /// <summary>The head commit of the configured branch now.</summary>
    public Task<string> HeadAsync(CancellationToken cancellationToken = default)
    {
        Task<string> lookup;
        lock (gate)
        {
            if (head is { } known && time.GetUtcNow() - known.At < options.HeadCacheDuration)
            {
                return Task.FromResult(known.Sha);
            }

            lookup = lookingUp ??= LookUpHeadAsync();
        }

        return lookup.WaitAsync(cancellationToken);
    }

    async Task<string> LookUpHeadAsync()
    {
        // Return to the caller first, so it has published this look-up as the one in progress before
        // the finally below can clear it: a look-up that finished before its caller's assignment was
        // left behind as "in progress", and every later call answered with its old head.
        await Task.Yield();
        try
        {
            string sha = await GitWork.RunAsync(() => WorkflowSource.HeadOf(options.Repository, options.Branch, options.Auth, Traffic));
            lock (gate)
            {
                head = (sha, time.GetUtcNow());
            }

            return sha;
        }
        finally
        {
            lock (gate)
            {
                lookingUp = null;
            }
        }
    }

    public async Task<CatalogAtRevision> CurrentAsync(CancellationToken cancellationToken = default)
    {
        string sha = await HeadAsync(cancellationToken);
        Task<CatalogAtRevision> load;
        lock (gate)
        {
            if (cached?.Revision == sha)
            {
                return cached;
            }

            if (loading is not { } inProgress || inProgress.Sha != sha)
            {
                loading = (sha, LoadAsync(sha));
            }

            load = loading.Value.Load;
        }

        return await load.WaitAsync(cancellationToken);
    }

    async Task<CatalogAtRevision> LoadAsync(string sha)
    {
        await Task.Yield();   // as in LookUpHeadAsync: published as in progress before it can finish
        try
        {
            WorkflowFiles files = await GitWork.RunAsync(() => WorkflowSource.FromRepository(options.Repository, sha, options.Folder, options.CacheDirectory, options.Auth, Traffic));
            var loaded = new CatalogAtRevision(files, $"{GitRemote.Redact(options.Repository)}@{options.Branch ?? "HEAD"}:{options.Folder}", WorkflowCatalog.Load(files.Files, taskTypes, remote: RemoteTemplates));
            lock (gate)
            {
                cached = loaded;
            }

            return loaded;
        }
        finally
        {
            lock (gate)
            {
                if (loading?.Sha == sha)
                {
                    loading = null;
                }
            }
        }
    }

    /// <summary>
    /// Pins a workflow for a run: at <paramref name="revision"/>, or at the branch head. The head,
    /// and a SHA equal to it (what the triggers pass), come from the loaded catalog; any other
    /// revision is read from Git.
    /// </summary>
    public async Task<ResolvedWorkflow> ResolveAsync(string name, string? revision, CancellationToken cancellationToken = default)
    {
        CatalogAtRevision? loaded = revision is null ? await CurrentAsync(cancellationToken) : Loaded(revision);
        return loaded is null
            ? await GitWork.RunAsync(() => WorkflowResolver.Resolve(name, options.Repository, revision, options.Folder, taskTypes, options.Auth), cancellationToken)
            : WorkflowResolver.Find(name, loaded.Files, loaded.Catalog);
    }

    /// <summary>The files that changed between two commits of the repository (for Git triggers).</summary>
    public Task<IReadOnlyList<string>> ChangedPathsAsync(string fromSha, string toSha, CancellationToken cancellationToken = default) =>
        GitWork.RunAsync(() => WorkflowSource.ChangedPaths(options.Repository, fromSha, toSha, options.CacheDirectory, options.Auth, Traffic), cancellationToken);

    CatalogAtRevision? Loaded(string revision)
    {
        lock (gate)
        {
            return cached?.Revision == revision ? cached : null;
        }
    }
}
