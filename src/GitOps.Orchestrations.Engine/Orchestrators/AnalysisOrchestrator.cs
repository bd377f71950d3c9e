using GitOps.Orchestrations.Core.Analysis;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.Orchestrators;

/// <summary>What an analysis runs: its templates' metrics and the arguments their queries use.</summary>
public sealed record AnalysisRequest(IReadOnlyList<MetricSpec> Metrics, IReadOnlyDictionary<string, string> Args);

/// <summary>
/// An analysis as a durable sub-orchestration: <see cref="AnalysisLoop"/> with durable timers for
/// <c>initialDelay</c> and <c>interval</c>, and one activity per measurement. When the analysis is
/// decided the remaining timers are cancelled, so none outlives it. A <see cref="StopEvent"/> ends it
/// early, as when a rollout finishes while its background analysis is still measuring.
/// </summary>
public sealed class AnalysisOrchestrator : TaskOrchestrator<AnalysisRequest, AnalysisOutcome>
{
    /// <summary>The activity that takes one measurement; it lives with the metric providers, in the Analysis library.</summary>
    public const string MeasureActivity = "MeasureActivity";

    public const string StopEvent = "stop";

    public override async Task<AnalysisOutcome> RunAsync(TaskOrchestrationContext context, AnalysisRequest input)
    {
        using var stop = new CancellationTokenSource();

        // Never cancelled through the SDK (see OrchestrationWaits); left waiting when the loop ends first.
        Task<string> stopped = context.WaitForExternalEvent<string>(StopEvent);
        Task<AnalysisOutcome> loop = AnalysisLoop.RunAsync(
            input.Metrics,
            metric => context.CallActivityAsync<Measurement>(MeasureActivity, new MeasureRequest(metric, input.Args)),
            (wait, cancellation) => context.CreateTimer(wait, cancellation),
            stop: stop.Token);
        if (await Task.WhenAny(loop, stopped) == stopped)
        {
            // Cancel, not CancelAsync: the timers' callbacks must run on the orchestrator's thread.
            stop.Cancel();
        }

        return await loop;
    }
}
