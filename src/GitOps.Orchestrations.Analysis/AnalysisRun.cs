using GitOps.Orchestrations.Core.Analysis;

namespace GitOps.Orchestrations.Analysis;

/// <summary>
/// Runs an AnalysisTemplate in-process, on wall-clock delays, for <c>gitops analyze</c>: the shared
/// <see cref="AnalysisLoop"/> with the provider called directly. With <c>once</c>, one measurement
/// per metric, no waiting, and that measurement decides.
/// </summary>
public sealed class AnalysisRun(IMetricProvider provider, TimeProvider clock)
{
    public Task<AnalysisOutcome> RunAsync(AnalysisTemplate template, IReadOnlyDictionary<string, string> args, bool once, Action<Measurement> onMeasurement, CancellationToken cancellationToken)
    {
        // Once: the single measurement decides, whatever limits the template allows over a whole run.
        IReadOnlyList<MetricSpec> metrics = once
            ? template.Metrics.Select(m => m with { Count = 1, Interval = null, InitialDelay = TimeSpan.Zero, FailureLimit = 0, InconclusiveLimit = 0, ConsecutiveErrorLimit = 0 }).ToList()
            : template.Metrics;
        return AnalysisLoop.RunAsync(
            metrics,
            metric => MeasurementTaker.TakeAsync(provider, metric, args, clock, cancellationToken),
            async (wait, decided) =>
            {
                using var either = CancellationTokenSource.CreateLinkedTokenSource(decided, cancellationToken);
                await Task.Delay(wait, clock, either.Token);
            },
            onMeasurement,
            // Not the caller's token: stopping counts running metrics as passed, and Ctrl-C is no pass.
            stop: CancellationToken.None);
    }
}
