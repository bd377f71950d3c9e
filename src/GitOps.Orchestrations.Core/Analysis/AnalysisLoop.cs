namespace GitOps.Orchestrations.Core.Analysis;

/// <summary>What an analysis came to: its phase, each metric's phase, and every measurement in the order taken.</summary>
public sealed record AnalysisOutcome(AnalysisPhase Phase, IReadOnlyDictionary<string, AnalysisPhase> Metrics, IReadOnlyList<Measurement> Measurements);

/// <summary>
/// The measuring loop, written once for both ways an analysis runs: in-process for
/// <c>gitops analyze</c> and as a durable sub-orchestration for workflows. Each metric waits its
/// initialDelay, then measures every interval until its limits or count decide it; when one metric
/// ends Failed or Inconclusive the others stop, since the analysis is decided. It only awaits the
/// delegates it is given, so an orchestrator can pass durable timers and activity calls.
/// </summary>
public static class AnalysisLoop
{
    public static async Task<AnalysisOutcome> RunAsync(
        IReadOnlyList<MetricSpec> metrics,
        Func<MetricSpec, Task<Measurement>> measure,
        Func<TimeSpan, CancellationToken, Task> delay,
        Action<Measurement>? onMeasurement = null,
        CancellationToken stop = default)
    {
        var measurements = new List<Measurement>();
        var phases = new Dictionary<string, AnalysisPhase>(StringComparer.Ordinal);
        using var decided = CancellationTokenSource.CreateLinkedTokenSource(stop);
        await Task.WhenAll(metrics.Select(metric => RunMetricAsync(metric, measure, delay, onMeasurement, measurements, phases, decided)));
        foreach (MetricSpec metric in metrics)
        {
            phases.TryAdd(metric.Name, AnalysisPhase.Running);
        }

        // Stopped from outside (a rollout finished or moved on): what was still running saw no failure, as Argo counts a terminated run.
        if (stop.IsCancellationRequested && !phases.Values.Any(p => p is AnalysisPhase.Failed or AnalysisPhase.Inconclusive))
        {
            foreach (string name in phases.Where(p => p.Value == AnalysisPhase.Running).Select(p => p.Key).ToList())
            {
                phases[name] = AnalysisPhase.Successful;
            }
        }

        // A metric stopped before it measured, because another decided the analysis, stays Running; the analysis does not.
        AnalysisPhase phase = MetricAssessment.Combine(phases.Values);
        return new AnalysisOutcome(phase == AnalysisPhase.Running ? AnalysisPhase.Inconclusive : phase, phases, measurements);
    }

    static async Task RunMetricAsync(
        MetricSpec metric,
        Func<MetricSpec, Task<Measurement>> measure,
        Func<TimeSpan, CancellationToken, Task> delay,
        Action<Measurement>? onMeasurement,
        List<Measurement> all,
        Dictionary<string, AnalysisPhase> phases,
        CancellationTokenSource decided)
    {
        var mine = new List<Measurement>();
        try
        {
            if (metric.InitialDelay > TimeSpan.Zero)
            {
                await delay(metric.InitialDelay, decided.Token);
            }

            while (!decided.IsCancellationRequested)
            {
                Measurement measurement = await measure(metric);
                mine.Add(measurement);
                AnalysisPhase phase = MetricAssessment.Assess(metric, mine);
                lock (all)
                {
                    all.Add(measurement);
                    phases[metric.Name] = phase;
                    onMeasurement?.Invoke(measurement);
                }

                if (phase is AnalysisPhase.Failed or AnalysisPhase.Inconclusive)
                {
                    // Cancel, not CancelAsync: in an orchestrator the timers' callbacks must run on its own thread.
                    decided.Cancel();
                    return;
                }

                if (phase == AnalysisPhase.Successful)
                {
                    return;
                }

                // An Error is the only way to stay Running without an interval: try again after a second.
                await delay(metric.Interval ?? TimeSpan.FromSeconds(1), decided.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Another metric decided the analysis.
        }
    }
}
