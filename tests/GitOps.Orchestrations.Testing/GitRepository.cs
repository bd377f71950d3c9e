using LibGit2Sharp;

namespace GitOps.Orchestrations.Testing;

/// <summary>A real Git repository in a temp folder, with commits made through libgit2.</summary>
public sealed class GitRepository : IDisposable
{
    static readonly Signature Author = new("test", "test@example.com", DateTimeOffset.UnixEpoch);

    public GitRepository()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"gitops-repo-{Guid.NewGuid():N}");
        Repository.Init(Path);
    }

    public string Path { get; }

    public string Commit(string message, params (string Path, string Content)[] files)
    {
        using var repo = new Repository(Path);
        foreach (var (file, content) in files)
        {
            string full = System.IO.Path.Combine(Path, file);
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
            File.WriteAllText(full, content);
            Commands.Stage(repo, file);
        }

        return repo.Commit(message, Author, Author).Sha;
    }

    /// <summary>The SHA of HEAD.</summary>
    public string Head
    {
        get
        {
            using var repo = new Repository(Path);
            return repo.Head.Tip.Sha;
        }
    }

    public string Delete(string file)
    {
        using var repo = new Repository(Path);
        File.Delete(System.IO.Path.Combine(Path, file));
        Commands.Stage(repo, file);
        return repo.Commit($"delete {file}", Author, Author).Sha;
    }

    public void Tag(string name)
    {
        using var repo = new Repository(Path);
        repo.ApplyTag(name);
    }

    public void Dispose()
    {
        try
        {
            foreach (string file in Directory.EnumerateFiles(Path, "*", SearchOption.AllDirectories))
            {
                File.SetAttributes(file, FileAttributes.Normal);
            }

            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
