using GitOps.Orchestrations.Core.Delivery;

namespace GitOps.Orchestrations.Git;

/// <summary>
/// Git as delivery reads and writes it, asynchronously: every call runs on <see cref="GitWork"/>'s
/// threads, never blocking the caller's. Activities and renderers take this from DI.
/// </summary>
public interface IGitSources
{
    /// <summary>The clone cache, exports and renders live under this folder.</summary>
    string CacheDirectory { get; }

    /// <summary>The round trips these sources made.</summary>
    GitTraffic Traffic { get; }

    /// <summary>The SHA the source's revision names now: no network for a full SHA, one ls-remote for a URL.</summary>
    Task<string> ResolveAsync(SourceSpec source, CancellationToken cancellationToken = default);

    /// <summary>The folder holding the commit's files, exported on first use.</summary>
    Task<string> ExportAsync(SourceSpec source, string sha, CancellationToken cancellationToken = default);

    /// <summary>The files under a path at a commit that <paramref name="wanted"/> accepts, read from the object store.</summary>
    Task<IReadOnlyList<(string Relative, string Text)>> ReadTreeAsync(SourceSpec source, string sha, string relativePath, Func<string, bool> wanted, CancellationToken cancellationToken = default);

    /// <summary>One file's bytes at a commit; null when there is no such file.</summary>
    Task<byte[]?> ReadFileAsync(SourceSpec source, string sha, string relativePath, CancellationToken cancellationToken = default);

    /// <summary>Commits and pushes changes, retrying a rejected push on a fresh copy of the branch.</summary>
    Task<GitWriteResult> WriteAsync(GitWriteRequest request, CancellationToken cancellationToken = default);
}
