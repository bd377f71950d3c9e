namespace GitOps.Orchestrations.Core.Analysis;

/// <summary>
/// A metric's phase from its measurements, by Argo Rollouts' limits: more Failed than
/// <c>failureLimit</c> fails it, more Inconclusive than <c>inconclusiveLimit</c> makes it
/// Inconclusive, more consecutive Errors than <c>consecutiveErrorLimit</c> fails it, and once
/// <c>count</c> measurements are in without any of those, it is Successful.
/// </summary>
public static class MetricAssessment
{
    public static AnalysisPhase Assess(MetricSpec metric, IReadOnlyList<Measurement> measurements)
    {
        int failed = measurements.Count(m => m.Phase == MeasurementPhase.Failed);
        int inconclusive = measurements.Count(m => m.Phase == MeasurementPhase.Inconclusive);
        int consecutiveErrors = measurements.Reverse().TakeWhile(m => m.Phase == MeasurementPhase.Error).Count();
        if (failed > metric.FailureLimit || consecutiveErrors > metric.ConsecutiveErrorLimit)
        {
            return AnalysisPhase.Failed;
        }

        if (inconclusive > metric.InconclusiveLimit)
        {
            return AnalysisPhase.Inconclusive;
        }

        return metric.EffectiveCount is int count && measurements.Count(m => m.Phase != MeasurementPhase.Error) >= count
            ? AnalysisPhase.Successful
            : AnalysisPhase.Running;
    }

    /// <summary>The analysis as a whole: Failed over Inconclusive over Running over Successful.</summary>
    public static AnalysisPhase Combine(IEnumerable<AnalysisPhase> metrics)
    {
        var phases = metrics.ToList();
        return phases.Contains(AnalysisPhase.Failed) ? AnalysisPhase.Failed
            : phases.Contains(AnalysisPhase.Inconclusive) ? AnalysisPhase.Inconclusive
            : phases.Contains(AnalysisPhase.Running) ? AnalysisPhase.Running
            : AnalysisPhase.Successful;
    }
}
