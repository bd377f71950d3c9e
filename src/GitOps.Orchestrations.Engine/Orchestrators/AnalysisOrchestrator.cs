using GitOps.Orchestrations.Core.Analysis;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.Orchestrators;

/// <summary>What an analysis runs: its templates' metrics and the arguments their queries use.</summary>
public sealed record AnalysisRequest(IReadOnlyList<MetricSpec> Metrics, IReadOnlyDictionary<string, string> Args);

/// <summary>
/// An analysis as a durable sub-orchestration: <see cref="AnalysisLoop"/> with durable timers for
/// <c>initialDelay</c> and <c>interval</c>, and one activity per measurement. When the analysis is
/// decided the remaining timers are cancelled, so none outlives it.
/// </summary>
public sealed class AnalysisOrchestrator : TaskOrchestrator<AnalysisRequest, AnalysisOutcome>
{
    /// <summary>The activity that takes one measurement; it lives with the metric providers, in the Analysis library.</summary>
    public const string MeasureActivity = "MeasureActivity";

    public override Task<AnalysisOutcome> RunAsync(TaskOrchestrationContext context, AnalysisRequest input) =>
        AnalysisLoop.RunAsync(
            input.Metrics,
            metric => context.CallActivityAsync<Measurement>(MeasureActivity, new MeasureRequest(metric, input.Args)),
            (wait, cancellation) => context.CreateTimer(wait, cancellation));
}
