using GitOps.Orchestrations.Core.Analysis;

namespace GitOps.Orchestrations.Analysis;

/// <summary>The outcome of running a template: every measurement, and each metric's and the whole analysis's phase.</summary>
public sealed record AnalysisOutcome(AnalysisPhase Phase, IReadOnlyDictionary<string, AnalysisPhase> Metrics, IReadOnlyList<Measurement> Measurements);

/// <summary>
/// Runs an AnalysisTemplate in-process, on wall-clock delays, for <c>gitops analyze</c>: each metric
/// waits its initialDelay, then measures every interval until its limits or count end it. With
/// <c>once</c>, one measurement per metric, no waiting, and that measurement decides.
/// </summary>
public sealed class AnalysisRun(IMetricProvider provider, TimeProvider clock)
{
    public async Task<AnalysisOutcome> RunAsync(AnalysisTemplate template, IReadOnlyDictionary<string, string> args, bool once, Action<Measurement> onMeasurement, CancellationToken cancellationToken)
    {
        var measurements = new List<Measurement>();
        var phases = new Dictionary<string, AnalysisPhase>(StringComparer.Ordinal);
        await Task.WhenAll(template.Metrics.Select(async spec =>
        {
            // Once: the single measurement decides, whatever limits the template allows over a whole run.
            MetricSpec metric = once ? spec with { Count = 1, Interval = null, InitialDelay = TimeSpan.Zero, FailureLimit = 0, InconclusiveLimit = 0, ConsecutiveErrorLimit = 0 } : spec;
            var mine = new List<Measurement>();
            await Task.Delay(metric.InitialDelay, clock, cancellationToken);
            AnalysisPhase phase;
            while (true)
            {
                Measurement measurement = await MeasurementTaker.TakeAsync(provider, metric, args, clock, cancellationToken);
                mine.Add(measurement);
                lock (measurements)
                {
                    measurements.Add(measurement);
                    onMeasurement(measurement);
                }

                phase = MetricAssessment.Assess(metric, mine);
                if (phase != AnalysisPhase.Running)
                {
                    break;
                }

                // An error (the only way to stay Running without an interval) is retried after the interval, or after a second.
                await Task.Delay(metric.Interval ?? TimeSpan.FromSeconds(1), clock, cancellationToken);
            }

            lock (phases)
            {
                phases[metric.Name] = phase;
            }
        }));

        return new AnalysisOutcome(MetricAssessment.Combine(phases.Values), phases, measurements);
    }
}
