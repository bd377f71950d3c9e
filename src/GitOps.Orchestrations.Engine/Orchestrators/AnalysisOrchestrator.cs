using GitOps.Orchestrations.Core.Analysis;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.Orchestrators;

/// <summary>What an analysis runs: its templates' metrics and the arguments their queries use.</summary>
public sealed record AnalysisRequest(IReadOnlyList<MetricSpec> Metrics, IReadOnlyDictionary<string, string> Args);

public sealed record AnalysisResult(AnalysisPhase Phase, IReadOnlyDictionary<string, AnalysisPhase> Metrics, IReadOnlyList<Measurement> Measurements);

/// <summary>
/// An analysis as a durable sub-orchestration: each metric waits its <c>initialDelay</c> and its
/// <c>interval</c> on durable timers, and each measurement is an activity that asks the provider.
/// When any metric ends Failed or Inconclusive, the analysis ends at once and the other metrics'
/// timers are cancelled, so no timer outlives the analysis. Judging and limits are the pure rules
/// <c>gitops analyze</c> uses too.
/// </summary>
public sealed class AnalysisOrchestrator : TaskOrchestrator<AnalysisRequest, AnalysisResult>
{
    /// <summary>The activity that takes one measurement; it lives with the metric providers, in the Analysis library.</summary>
    public const string MeasureActivity = "MeasureActivity";

    public override async Task<AnalysisResult> RunAsync(TaskOrchestrationContext context, AnalysisRequest input)
    {
        var measurements = new List<Measurement>();
        var phases = new Dictionary<string, AnalysisPhase>(StringComparer.Ordinal);
        using var decided = new CancellationTokenSource();
        await Task.WhenAll(input.Metrics.Select(metric => RunMetricAsync(context, metric, input.Args, measurements, phases, decided)));
        foreach (MetricSpec metric in input.Metrics)
        {
            phases.TryAdd(metric.Name, AnalysisPhase.Running);
        }

        AnalysisPhase phase = MetricAssessment.Combine(phases.Values);

        // A metric stopped early because another decided the analysis is reported as what it was then.
        return new AnalysisResult(phase == AnalysisPhase.Running ? AnalysisPhase.Inconclusive : phase, phases, measurements);
    }

    static async Task RunMetricAsync(TaskOrchestrationContext context, MetricSpec metric, IReadOnlyDictionary<string, string> args, List<Measurement> all, Dictionary<string, AnalysisPhase> phases, CancellationTokenSource decided)
    {
        var mine = new List<Measurement>();
        try
        {
            if (metric.InitialDelay > TimeSpan.Zero)
            {
                await context.CreateTimer(metric.InitialDelay, decided.Token);
            }

            while (!decided.IsCancellationRequested)
            {
                Measurement measurement = await context.CallActivityAsync<Measurement>(MeasureActivity, new MeasureRequest(metric, args));
                mine.Add(measurement);
                all.Add(measurement);
                AnalysisPhase phase = MetricAssessment.Assess(metric, mine);
                phases[metric.Name] = phase;
                if (phase is AnalysisPhase.Failed or AnalysisPhase.Inconclusive)
                {
                    decided.Cancel();
                    return;
                }

                if (phase == AnalysisPhase.Successful)
                {
                    return;
                }

                await context.CreateTimer(metric.Interval ?? TimeSpan.FromSeconds(1), decided.Token);
            }
        }
        catch (TaskCanceledException)
        {
            // Another metric decided the analysis.
        }
    }
}
