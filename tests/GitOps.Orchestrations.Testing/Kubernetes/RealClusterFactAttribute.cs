using Xunit;

namespace GitOps.Orchestrations.Testing.Kubernetes;

/// <summary>Runs only with a real cluster (<see cref="RealCluster"/>); otherwise xunit reports it skipped, with the reason.</summary>
public sealed class RealClusterFactAttribute : FactAttribute
{
    public RealClusterFactAttribute()
    {
        Skip = RealCluster.SkipReason;
    }
}

/// <summary>A theory that runs only with a real cluster, as <see cref="RealClusterFactAttribute"/>.</summary>
public sealed class RealClusterTheoryAttribute : TheoryAttribute
{
    public RealClusterTheoryAttribute()
    {
        Skip = RealCluster.SkipReason;
    }
}
