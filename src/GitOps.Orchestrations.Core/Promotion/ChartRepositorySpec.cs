using GitOps.Orchestrations.Core.Delivery;

namespace GitOps.Orchestrations.Core.Promotion;

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
