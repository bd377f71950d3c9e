using GitOps.Orchestrations.Core.Delivery;

namespace GitOps.Orchestrations.Charts;

/// <summary>
/// Where a chart repository is: an <c>http(s)://</c> URL for an HTTP repository, or
/// <c>{git: {repo, branch, path}}</c> for one kept in Git. Exactly one is given.
/// </summary>
public sealed record ChartRepositorySpec
{
    public string? Url { get; init; }

    public GitChartLocation? Git { get; init; }
}

public sealed record GitChartLocation
{
    public required string Repo { get; init; }

    public string Branch { get; init; } = "main";

    /// <summary>The folder holding index.yaml and the archives; the root when empty.</summary>
    public string Path { get; init; } = string.Empty;

    public GitAuthSpec? Auth { get; init; }
}

/// <summary>Chooses the repository kind a spec names; a spec that names none, or both, is an error.</summary>
public static class ChartRepositoryFactory
{
    public static IChartRepository Create(ChartRepositorySpec spec, HttpClient http) => spec switch
    {
        { Url: string url, Git: null } when Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https" => new HttpChartRepository(uri, http),
        { Url: null, Git: GitChartLocation git } => new GitChartRepository(git),
        { Url: string url, Git: null } => throw new ArgumentException($"'{url}' is not an http(s) chart repository URL; a repository in Git is {{git: {{repo, branch, path}}}}"),
        _ => throw new ArgumentException("a chart repository is a url or {git: {repo, branch, path}}, exactly one"),
    };
}
