namespace GitOps.Orchestrations.Core.Analysis;

/// <summary>What an AnalysisTemplate's metric means when it does not say, in one place (Argo Rollouts' values).</summary>
public static class AnalysisDefaults
{
    public static readonly TimeSpan InitialDelay = TimeSpan.Zero;

    /// <summary>Failed measurements tolerated before the analysis fails: none.</summary>
    public const int FailureLimit = 0;

    /// <summary>Inconclusive measurements (no data) tolerated before the analysis is inconclusive: none.</summary>
    public const int InconclusiveLimit = 0;

    /// <summary>Measurements in a row that could not be taken before the analysis errors.</summary>
    public const int ConsecutiveErrorLimit = 4;

    /// <summary>How long one Prometheus query may take.</summary>
    public static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(30);

    /// <summary>A range query's window and resolution, when it gives none.</summary>
    public static readonly TimeSpan RangeStart = TimeSpan.FromMinutes(5);

    public static readonly TimeSpan RangeStep = TimeSpan.FromMinutes(1);
}
