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
    public static bool IsUrl(string repository) =>
        repository.Contains("://", StringComparison.Ordinal) || repository.StartsWith("git@", StringComparison.Ordinal);

    public static bool IsFullSha(string? revision) => revision is { Length: 40 } && revision.All(Uri.IsHexDigit);

    /// <summary>
    /// A URL with no user information: what goes into a clone's config, logs and messages. Any
    /// <c>user:token@</c> in a URL is used for authentication from memory only (<see cref="Credentials"/>).
    /// </summary>
    public static string WithoutUserInfo(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out Uri? parsed) && parsed.UserInfo.Length > 0 && parsed.Scheme.StartsWith("http", StringComparison.OrdinalIgnoreCase)
            ? new UriBuilder(parsed) { UserName = string.Empty, Password = string.Empty }.Uri.AbsoluteUri
            : url;

    /// <summary>The commit a branch, tag or SHA names on a remote, with a single ls-remote.</summary>
    /// <param name="traffic">Counts the round trip for its owner, when given.</param>
    public static string LsRemote(string url, string? revision, GitAuthSpec? auth, GitTraffic? traffic = null)
    {
        string wanted = revision ?? "HEAD";
        List<Reference> references = ListReferences(url, auth, traffic);
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
    public static string CloneOrFetch(string url, string cacheDirectory, GitAuthSpec? auth, GitTraffic? traffic, params string?[] commits)
    {
        string path = Path.Combine(cacheDirectory, Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(url)))[..16]);
        using var gate = CacheLock.Acquire(path);
        if (!Repository.IsValid(path))
        {
            CreatePrivateDirectory(cacheDirectory);
            // A bare init and a fetch, rather than a clone, so the SSH settings are in the config first.
            string staging = path + ".clone-" + Guid.NewGuid().ToString("N")[..8];
            Repository.Init(staging, isBare: true);
            using (var fresh = new Repository(staging))
            {
                Fetch(fresh, url, auth, traffic);
            }

            Directory.Move(staging, path);
            return path;
        }

        using var repo = new Repository(path);
        if (commits.Length > 0 && commits.All(sha => IsFullSha(sha) && repo.Lookup<Commit>(sha) is not null))
        {
            return path;
        }

        Fetch(repo, url, auth, traffic);
        return path;
    }

    static void Fetch(Repository repo, string url, GitAuthSpec? auth, GitTraffic? traffic)
    {
        traffic?.Fetch();
        Origin(repo, url, auth);
        Guard(url, () => Commands.Fetch(repo, "origin", ["+refs/heads/*:refs/heads/*", "+refs/tags/*:refs/tags/*"], new FetchOptions { Prune = true, CredentialsProvider = Credentials(auth, url) }, null));
    }

    /// <summary>
    /// Credentials for a remote, from memory only: a token from the environment variable
    /// <paramref name="auth"/> names (preferred), or the user information of <paramref name="url"/>.
    /// Neither is ever written into a repository's config or a message.
    /// </summary>
    public static CredentialsHandler? Credentials(GitAuthSpec? auth, string? url = null)
    {
        if (auth?.TokenEnv is string variable)
        {
            string token = Environment.GetEnvironmentVariable(variable)
                ?? throw new GitSourceException($"the token variable {variable} is not set");
            return (_, _, _) => new UsernamePasswordCredentials { Username = auth.Username ?? "git", Password = token };
        }

        if (url is not null && Uri.TryCreate(url, UriKind.Absolute, out Uri? parsed) && parsed.UserInfo.Length > 0 && parsed.Scheme.StartsWith("http", StringComparison.OrdinalIgnoreCase))
        {
            string[] parts = parsed.UserInfo.Split(':', 2);
            string user = Uri.UnescapeDataString(parts[0]);
            string password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty;

            // https://TOKEN@host: the token is the user name, as GitHub and others accept it.
            return (_, _, _) => new UsernamePasswordCredentials { Username = password.Length > 0 ? user : "git", Password = password.Length > 0 ? password : user };
        }

        return null;
    }

    /// <summary>A folder only this process's user can enter: clone caches hold what private repositories hold.</summary>
    public static void CreatePrivateDirectory(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
        }
        else
        {
            Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
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

    /// <summary>
    /// The references a remote advertises, with one ls-remote. With an SSH key or known_hosts file
    /// the call goes through a small bare repository whose <c>core.sshCommand</c> carries them,
    /// because libgit2 reads the command from repository config (the process environment as .NET
    /// sets it is not the one libgit2 sees).
    /// </summary>
    public static List<Reference> ListReferences(string url, GitAuthSpec? auth, GitTraffic? traffic = null)
    {
        traffic?.LsRemote();
        if (!HasSshSettings(auth))
        {
            return Guard(url, () => Repository.ListRemoteReferences(WithoutUserInfo(url), Credentials(auth, url)).ToList());
        }

        string probe = Path.Combine(Path.GetTempPath(), "gitops-ls-remote", Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(url)))[..16]);
        using var gate = CacheLock.Acquire(probe);
        if (!Repository.IsValid(probe))
        {
            Repository.Init(probe, isBare: true);
        }

        using var repo = new Repository(probe);
        Remote remote = Origin(repo, url, auth);
        CredentialsHandler? credentials = Credentials(auth, url);
        return Guard(url, () => (credentials is null ? repo.Network.ListReferences(remote) : repo.Network.ListReferences(remote, credentials)).ToList());
    }

    /// <summary>
    /// A repository's <c>origin</c>, pointing at <paramref name="url"/>, with the SSH settings of
    /// <paramref name="auth"/> in the repository's own config: clones, fetches and pushes then use them.
    /// </summary>
    public static Remote Origin(Repository repo, string url, GitAuthSpec? auth)
    {
        // The config file holds the URL without its user information: a token never lands on disk.
        string stored = WithoutUserInfo(url);
        if (repo.Network.Remotes["origin"] is Remote existing && existing.Url != stored)
        {
            repo.Network.Remotes.Remove("origin");
        }

        Remote remote = repo.Network.Remotes["origin"] ?? repo.Network.Remotes.Add("origin", stored);
        if (HasSshSettings(auth))
        {
            repo.Config.Set("core.sshCommand", SshCommand(auth!), ConfigurationLevel.Local);
        }

        return remote;
    }

    static bool HasSshSettings(GitAuthSpec? auth) => auth?.SshKeyFile is not null || auth?.KnownHostsFile is not null;

    /// <summary>
    /// libgit2 runs <c>core.sshCommand</c> as a program, without a shell to split its arguments, so
    /// the options go into a two-line script of our own: BatchMode (fail, never prompt), the key, and
    /// strict checking against the given known_hosts.
    /// </summary>
    static string SshCommand(GitAuthSpec auth)
    {
        var command = new StringBuilder("exec ssh -o BatchMode=yes");
        if (auth.SshKeyFile is string key)
        {
            command.Append(" -o IdentitiesOnly=yes -i ").Append(Quote(Path.GetFullPath(key)));
        }

        if (auth.KnownHostsFile is string knownHosts)
        {
            command.Append(" -o StrictHostKeyChecking=yes -o UserKnownHostsFile=").Append(Quote(Path.GetFullPath(knownHosts)));
        }

        command.Append(" \"$@\"\n");
        string folder = Path.Combine(Path.GetTempPath(), "gitops-ssh");
        Directory.CreateDirectory(folder);
        string script = Path.Combine(folder, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(command.ToString())))[..16] + ".sh");
        if (!File.Exists(script))
        {
            string staging = $"{script}.{Guid.NewGuid():N}";
            File.WriteAllText(staging, "#!/bin/sh\n" + command);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(staging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            File.Move(staging, script, overwrite: true);
        }

        return script;
    }

    static string Quote(string path) =>
        path.Contains('\'', StringComparison.Ordinal) ? throw new ArgumentException($"an SSH file path may not contain a quote: {path}") : $"'{path}'";

    /// <summary>
    /// Removes credentials from any URL in the text: the whole user part of an HTTP(S) URL (a token
    /// can be the user name), and the password of any other. An SSH user name stays: it is not a secret.
    /// </summary>
    public static string Redact(string text) => UserInfo().Replace(text, m =>
    {
        bool http = m.Groups["scheme"].Value.StartsWith("http", StringComparison.OrdinalIgnoreCase);
        return http ? $"{m.Groups["scheme"].Value}***@"
            : m.Groups["password"].Success ? $"{m.Groups["scheme"].Value}{m.Groups["user"].Value}:***@"
            : m.Value;
    });

    [GeneratedRegex(@"(?<scheme>[a-z][a-z0-9+.-]*://)(?<user>[^/@\s:]+)(:(?<password>[^/@\s]+))?@", RegexOptions.IgnoreCase)]
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
