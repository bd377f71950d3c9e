namespace GitOps.Orchestrations.Testing;

/// <summary>The checkout the tests run from, found by walking up to the solution file.</summary>
public static class RepositoryRoot
{
    public static readonly string Path = Find();

    static string Find()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (!File.Exists(System.IO.Path.Combine(dir!.FullName, "GitOps.Orchestrations.sln")))
        {
            dir = dir.Parent;
        }

        return dir.FullName;
    }
}
