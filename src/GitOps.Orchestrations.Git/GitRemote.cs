using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using GitOps.Orchestrations.Core.Delivery;
using LibGit2Sharp;
using LibGit2Sharp.Handlers;

namespace GitOps.Orchestrations.Git;

/// <summary>
/// The network side of Git, shared by workflow sources, delivery sources and write-back: resolving a
/// revision with one ls-remote, a bare clone cache per repository that is fetched only when it lacks
/// the commit asked for, credentials, and error messages with every secret taken out.
/// </summary>
public static partial class GitRemote
{
    static long lsRemotes;
    static long fetches;

    /// <summary>ls-remote calls made by this process; benchmarks and tests read it to prove a re-sync made no fetch.</summary>
    public static long LsRemoteCount => Interlocked.Read(ref lsRemotes);

    public static long FetchCount => Interlocked.Read(ref fetches);

    public static bool IsUrl(string repository) =>
        repository.Contains("://", StringComparison.Ordinal) || repository.StartsWith("git@", StringComparison.Ordinal);

    public static bool IsFullSha(string? revision) => revision is { Length: 40 } && revision.All(Uri.IsHexDigit);

    /// <summary>The commit a branch, tag or SHA names on a remote, with a single ls-remote.</summary>
    public static string LsRemote(string url, string? revision, GitAuthSpec? auth)
    {
        string wanted = revision ?? "HEAD";
        Interlocked.Increment(ref lsRemotes);
        List<Reference> references = Guard(url, () => Repository.ListRemoteReferences(url, Credentials(auth)).ToList());
        Reference? found = references.FirstOrDefault(r => r.CanonicalName == wanted)
            ?? references.FirstOrDefault(r => r.CanonicalName == $"refs/heads/{wanted}")
            ?? references.FirstOrDefault(r => r.CanonicalName == $"refs/tags/{wanted}");
        if (found is null)
        {
            return IsFullSha(wanted) ? wanted : throw new ArgumentException($"revision '{wanted}' does not exist on {Redact(url)}");
        }

        // An annotated tag points at a tag object; the peeled entry names the commit.
        return references.FirstOrDefault(r => r.CanonicalName == found.CanonicalName + "^{}")?.TargetIdentifier
            ?? found.ResolveToDirectReference()?.TargetIdentifier
            ?? found.TargetIdentifier;
    }

    /// <summary>
    /// The cached bare clone of <paramref name="url"/>. It is fetched only when one of
    /// <paramref name="commits"/> is missing or is not a full SHA: a commit never changes, so a pinned
    /// read costs no network round trip.
    /// </summary>
    public static string CloneOrFetch(string url, string cacheDirectory, GitAuthSpec? auth, params string?[] commits)
    {
        string path = Path.Combine(cacheDirectory, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(url)))[..16]);
        using var gate = CacheLock.Acquire(path);
        if (!Repository.IsValid(path))
        {
            Directory.CreateDirectory(cacheDirectory);
            string staging = path + ".clone-" + Guid.NewGuid().ToString("N")[..8];
            Interlocked.Increment(ref fetches);
            Guard(url, () => Repository.Clone(url, staging, new CloneOptions(new FetchOptions { CredentialsProvider = Credentials(auth) }) { IsBare = true }));
            Directory.Move(staging, path);
            return path;
        }

        using var repo = new Repository(path);
        if (commits.Length > 0 && commits.All(sha => IsFullSha(sha) && repo.Lookup<Commit>(sha) is not null))
        {
            return path;
        }

        Interlocked.Increment(ref fetches);
        Guard(url, () => Commands.Fetch(repo, "origin", ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"], new FetchOptions { Prune = true, CredentialsProvider = Credentials(auth) }, null));
        return path;
    }

    public static CredentialsHandler? Credentials(GitAuthSpec? auth)
    {
        if (auth?.TokenEnv is not string variable)
        {
            return null;
        }

        string token = Environment.GetEnvironmentVariable(variable)
            ?? throw new GitSourceException($"the token variable {variable} is not set");
        return (_, _, _) => new UsernamePasswordCredentials { Username = auth.Username ?? "git", Password = token };
    }

    /// <summary>Runs a Git call and turns its failure into a message that names the repository without its credentials.</summary>
    public static T Guard<T>(string url, Func<T> call)
    {
        try
        {
            return call();
        }
        catch (LibGit2SharpException e)
        {
            throw new GitSourceException($"{Redact(url)}: {Redact(e.Message)}", e);
        }
    }

    public static void Guard(string url, Action call) => Guard(url, () => { call(); return 0; });

    /// <summary>Removes user:password@ from any URL in the text.</summary>
    public static string Redact(string text) => UserInfo().Replace(text, "$1***@");

    [GeneratedRegex(@"([a-z][a-z0-9+.-]*://)[^/@\s]+@", RegexOptions.IgnoreCase)]
    private static partial Regex UserInfo();

    /// <summary>Serializes work on one cache folder within this process; separate folders proceed in parallel.</summary>
    sealed class CacheLock : IDisposable
    {
        static readonly Dictionary<string, SemaphoreSlim> Locks = new(StringComparer.Ordinal);
        readonly SemaphoreSlim semaphore;

        CacheLock(SemaphoreSlim semaphore) => this.semaphore = semaphore;

        public static CacheLock Acquire(string path)
        {
            SemaphoreSlim semaphore;
            lock (Locks)
            {
                if (!Locks.TryGetValue(path, out semaphore!))
                {
                    Locks[path] = semaphore = new SemaphoreSlim(1, 1);
                }
            }

            semaphore.Wait();
            return new CacheLock(semaphore);
        }

        public void Dispose() => semaphore.Release();
    }
}

/// <summary>A repository that cannot be read or written: unreachable, refused credentials, a missing revision.</summary>
public sealed class GitSourceException(string message, Exception? inner = null) : IOException(message, inner);
