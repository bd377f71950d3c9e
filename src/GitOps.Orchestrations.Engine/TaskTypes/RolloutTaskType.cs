using System.Text.Json;
using GitOps.Orchestrations.Core.Analysis;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Notifications;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.Orchestrators;
using GitOps.Orchestrations.Engine.Rollouts;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes;

/// <summary>
/// <c>uses: rollout</c>: runs a Rollout of the workflow's folder, pinned with the run, as a
/// <see cref="RolloutOrchestrator"/> sub-orchestration. The step is the rollout's front door: people
/// reach the run, so the step passes their commands and approval decisions on to the rollout, and
/// shows the rollout's progress and gate in the run's status. Healthy succeeds; Degraded fails.
/// </summary>
public sealed class RolloutTaskType : ITaskType
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public TaskTypeSchema Schema { get; } = new("rollout", new Dictionary<string, FieldSpec>
    {
        ["rollout"] = new(FieldKind.String, Required: true),
        ["params"] = new(FieldKind.StringMap),
    }, Result: "phase");

    public static string ChildInstance(string runId, string path, int attempt) => $"{runId}.{path}.rollout-{attempt}";

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        string name = step.GetString("rollout")!;
        if (!step.Snapshot.Rollouts.TryGetValue(name, out RolloutDefinition? definition))
        {
            return StepResult.Failed($"Rollout '{name}' is not in this run's snapshot") with { Retryable = false };
        }

        IReadOnlyDictionary<string, string> parameters = step.GetStringMap("params") ?? step.Run.Params;
        RolloutDefinition rollout = RolloutTemplating.Fill(definition, parameters);
        var request = new RolloutRequest
        {
            Rollout = rollout,
            Templates = rollout.Analyses.SelectMany(a => a.Templates).Distinct(StringComparer.Ordinal)
                .Where(step.Snapshot.AnalysisTemplates.ContainsKey)
                .ToDictionary(t => t, t => step.Snapshot.AnalysisTemplates[t], StringComparer.Ordinal),
            ParentInstance = context.InstanceId,
            StepPath = step.Path,
            StartedBy = step.StartedBy,
            Starters = step.Starters,
        };

        string child = ChildInstance(step.RunId, step.Path, step.Attempt);
        step.Report(new StepProgress($"rolling out {rollout.Image} ({child})"));
        Task<RolloutOutcome> running = context.CallSubOrchestratorAsync<RolloutOutcome>(nameof(RolloutOrchestrator), request, context.Child(child));
        await RelayAsync(context, step, child, running);
        if (!running.IsCompleted && step.Cancellation.IsCancellationRequested)
        {
            // The run stopped, or this step timed out: the rollout aborts (traffic back to stable,
            // read back) rather than go on shifting traffic alone; the run waits for that, bounded.
            step.Report(new StepProgress($"aborting rollout {rollout.Name}: the run stopped waiting for it"));
            context.SendEvent(child, RolloutCommand.Event, step.Approvals.Sign(step.RunId, step.Path, new RolloutCommand(RolloutAction.Abort, "engine", "the run stopped waiting for this rollout")));
        }

        RolloutOutcome outcome = await running;
        step.Report(new StepProgress($"rollout {rollout.Name} {outcome.Phase}: {outcome.Message}")
        {
            Notice = outcome.Phase == RolloutPhase.Healthy
                ? new StepNotice(NotificationTriggers.RolloutPromoted, child, $"{rollout.Name}: {rollout.Image} is stable", outcome.Phase.ToString())
                : new StepNotice(NotificationTriggers.RolloutAborted, child, $"{rollout.Name} {outcome.Phase}: {outcome.Message}", outcome.Phase.ToString()),
        });

        var outputs = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["phase"] = JsonSerializer.SerializeToElement(outcome.Phase.ToString()),
            ["weight"] = JsonSerializer.SerializeToElement(outcome.Status.Weight),
            ["image"] = JsonSerializer.SerializeToElement(rollout.Image),
            ["stableImage"] = JsonSerializer.SerializeToElement(outcome.Status.StableImage),
            ["instance"] = JsonSerializer.SerializeToElement(child),
            ["analyses"] = JsonSerializer.SerializeToElement(outcome.Status.Analyses.Select(a => new
            {
                name = a.Name,
                phase = a.Phase.ToString(),
                measurements = AnalysisTaskType.Measurements(a.Measurements),
            }), Json),
        };
        return outcome.Phase == RolloutPhase.Healthy
            ? StepResult.Succeeded(outputs) with { Message = outcome.Message }
            : new StepResult(NodePhase.Failed, $"rollout {rollout.Name} {outcome.Phase}: {outcome.Message}") { Outputs = outputs, Retryable = false };
    }

    /// <summary>
    /// Until the rollout ends: commands and approval decisions raised on the run go on to the
    /// rollout, and the rollout's progress comes back as this step's progress. One wait of each kind
    /// is pending at a time and re-armed when taken, so no event is consumed twice or lost.
    /// </summary>
    static async Task RelayAsync(TaskOrchestrationContext context, StepInvocation step, string child, Task<RolloutOutcome> running)
    {
        string approvalEvent = ApprovalTaskType.EventName(step.Path);
        bool progressApart = !context.StartedBefore(OrchestrationVersions.RolloutProgressEvent);
        Task<RolloutSignal>? signal = null;
        Task<RolloutProgress>? progress = null;
        Task<ApprovalDecision>? decision = null;
        Task cancelled = step.Cancellation.WhenCancelled();
        var notices = new RolloutNotices();
        while (!running.IsCompleted && !step.Cancellation.IsCancellationRequested)
        {
            // Never cancelled through the SDK (see OrchestrationWaits): the step's cancellation is raced instead.
            signal ??= context.WaitForExternalEvent<RolloutSignal>(RolloutRequest.SignalEvent(step.Path), CancellationToken.None);
            decision ??= context.WaitForExternalEvent<ApprovalDecision>(approvalEvent, CancellationToken.None);
            if (progressApart)
            {
                progress ??= context.WaitForExternalEvent<RolloutProgress>(RolloutRequest.ProgressEvent(step.Path), CancellationToken.None);
            }

            Task first = progress is null
                ? await Task.WhenAny(running, signal, decision, cancelled)
                : await Task.WhenAny(running, signal, decision, progress, cancelled);
            if (first == progress)
            {
                RolloutProgress received = await progress!;
                progress = null;
                step.Report(new StepProgress(received.Summary, received.Gate) { Notice = notices.Next(child, received) });
            }
            else if (first == signal)
            {
                RolloutSignal received = await signal;
                signal = null;
                if (received.Command is { } command)
                {
                    context.SendEvent(child, RolloutCommand.Event, command);
                }
                else if (received.Progress is string summary)
                {
                    step.Report(new StepProgress(summary, received.Gate));
                }
            }
            else if (first == decision)
            {
                context.SendEvent(child, approvalEvent, await decision);
                decision = null;
            }
        }
    }

    /// <summary>
    /// Turns the rollout's progress into the run's notices: a step reached, a pause begun (and an
    /// analysis that could not decide). Each is told once: keys carry the step and the pause's
    /// number, counted from the progress the step received, which every replay receives alike.
    /// </summary>
    sealed class RolloutNotices
    {
        int? lastStep;
        bool paused;
        int pauses;

        public StepNotice? Next(string child, RolloutProgress progress)
        {
            if (progress.Phase is not RolloutPhase phase)
            {
                return null;
            }

            if (phase == RolloutPhase.Paused && !paused)
            {
                paused = true;
                pauses++;
                return progress.Inconclusive
                    ? new StepNotice(NotificationTriggers.AnalysisInconclusive, $"{child}/pause-{pauses}", progress.PauseReason ?? "an analysis could not decide", phase.ToString())
                    : new StepNotice(NotificationTriggers.RolloutPaused, $"{child}/pause-{pauses}", progress.PauseReason ?? "paused", phase.ToString());
            }

            paused = phase == RolloutPhase.Paused;
            if (progress.Step is int stepNow && stepNow != lastStep && phase == RolloutPhase.Progressing && progress.StepDescription is not null)
            {
                lastStep = stepNow;
                return new StepNotice(NotificationTriggers.RolloutStep, $"{child}/step-{stepNow}", $"step {stepNow}: {progress.StepDescription}", phase.ToString());
            }

            return null;
        }
    }
}
