using LibGit2Sharp;

namespace GitOps.Orchestrations.Testing;

public static class BareRepositories
{
    /// <summary>Creates (once) a bare repository <paramref name="name"/> under <paramref name="root"/> and pushes <paramref name="source"/>'s current branch to its <c>main</c>.</summary>
    public static string Publish(string root, string name, GitRepository source)
    {
        string bare = Path.Combine(root, name);
        if (!Repository.IsValid(bare))
        {
            Repository.Init(bare, isBare: true);
            using var created = new Repository(bare);
            created.Refs.UpdateTarget("HEAD", "refs/heads/main");
        }

        using var repo = new Repository(source.Path);
        Remote remote = repo.Network.Remotes[name] ?? repo.Network.Remotes.Add(name, bare);
        repo.Network.Push(remote, $"+{repo.Head.CanonicalName}:refs/heads/main");
        return bare;
    }

    /// <summary>A new bare repository <paramref name="name"/> whose <c>main</c> holds one commit of <paramref name="files"/>, as a channel or environment repository starts.</summary>
    public static string Create(string root, string name, params (string Path, string Content)[] files)
    {
        using var seed = new GitRepository();
        seed.Commit("initial", files);
        return Publish(root, name, seed);
    }
}
