using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Git;

namespace GitOps.Orchestrations.Charts;

/// <summary>Chooses the repository kind a spec names; a spec that names none, or both, is an error.</summary>
public static class ChartRepositoryFactory
{
    /// <param name="checkout">The clone cache Git-hosted repositories are read through; a private one under the default cache folder when not given.</param>
    public static IChartRepository Create(ChartRepositorySpec spec, HttpClient http, GitCheckout? checkout = null) => spec switch
    {
        { Url: string url, Git: null } when Uri.TryCreate(url, UriKind.Absolute, out Uri? uri) && uri.Scheme is "http" or "https" => new HttpChartRepository(uri, http),
        { Url: null, Git: GitChartLocation git } => new GitChartRepository(git, checkout ?? new GitCheckout(GitCheckout.DefaultCacheDirectory)),
        { Url: string url, Git: null } => throw new ArgumentException($"'{url}' is not an http(s) chart repository URL; a repository in Git is {{git: {{repo, branch, path}}}}"),
        _ => throw new ArgumentException("a chart repository is a url or {git: {repo, branch, path}}, exactly one"),
    };
}
