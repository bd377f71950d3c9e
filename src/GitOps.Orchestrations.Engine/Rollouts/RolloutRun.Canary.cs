using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Engine.Orchestrators;
using GitOps.Orchestrations.Engine.TaskTypes;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.Rollouts;

internal sealed partial class RolloutRun
{
    CanaryStrategy canary = null!;
    CanaryScale? canaryScale;

    string CanaryDeployment => $"{Target.Name}-canary";

    bool Mesh => canary.TrafficRouting.Provider != TrafficRouting.Replicas;

    async Task<RolloutOutcome> RunCanaryAsync(CanaryStrategy strategy)
    {
        canary = strategy;
        string? failure = await ActivityAsync<PrepareRolloutResult>(
            RolloutActivities.Prepare,
            new PrepareRolloutRequest(Target, CanaryDeployment, "canary", rollout.Image, rollout.Container, Replicas: 0, MarkStablePods: false),
            result => baseline = result);
        if (failure is not null)
        {
            return Finish(RolloutPhase.Degraded, $"cannot start: {failure}");
        }

        Update(s => s with { StableImage = baseline.StableImage }, $"stable runs {baseline.StableImage} on {baseline.Replicas} replicas; canary Deployment {CanaryDeployment} prepared");
        if (baseline.StableImage == rollout.Image)
        {
            return Finish(RolloutPhase.Healthy, $"nothing to roll out: {Target.Name} already runs {rollout.Image}");
        }

        Interruption? stop = null;
        for (int index = 0; index < canary.Steps.Count && stop is null; index++)
        {
            if (canary.Analysis is { } analysis && index == analysis.StartingStep && background is null)
            {
                StartBackground(analysis);
            }

            RolloutStep step = canary.Steps[index];
            int current = index;
            Update(s => s with { CurrentStep = current, StepDescription = step.Describe(), Phase = RolloutPhase.Progressing, PauseReason = null, Gate = null }, $"step {index}: {step.Describe()}");
            stop = await RunStepAsync(index, step);
            if (stop is { Kind: Stop.Promote })
            {
                stop = null;
            }
        }

        Update(s => s with { CurrentStep = canary.Steps.Count, StepDescription = null });
        return stop is { Kind: Stop.Abort } abort ? await AbortCanaryAsync(abort) : await PromoteCanaryAsync();
    }

    Task<Interruption?> RunStepAsync(int index, RolloutStep step) => step switch
    {
        SetWeightStep s => SetWeightAsync(s.Weight),
        PauseStep s => PauseAsync(s.Duration),
        AnalysisStep s => AnalyseAsync($"step-{index}", s.Analysis),
        ApprovalStep s => ApproveAsync(s.Approval),
        CanaryScaleStep s => ScaleCanaryAsync(s.Scale),
        _ => throw new InvalidOperationException($"no runner for rollout step {step.Kind}"),
    };

    async Task<Interruption?> SetWeightAsync(int weight)
    {
        int canaryReplicas = Mesh ? CanaryMath.MeshCanaryReplicas(baseline.Replicas, weight, canaryScale) : CanaryMath.ReplicaSplit(baseline.Replicas, weight).Canary;
        Interruption? stopped = await WithinDeadlineAsync($"setting weight {weight}", _ => ActivityAsync<SetTrafficResult>(
            RolloutActivities.SetTraffic, Traffic(weight, canaryReplicas), result => Update(s => s with { Weight = result.Weight }, $"weight {weight}: the cluster holds {result.Weight}")));
        if (stopped is not null || canaryReplicas == 0)
        {
            return stopped;
        }

        return await WithinDeadlineAsync($"waiting for {CanaryDeployment} to be ready", cancellation => UntilAvailableAsync([CanaryDeployment], cancellation));
    }

    async Task<Interruption?> ScaleCanaryAsync(CanaryScale scale)
    {
        canaryScale = scale.MatchTrafficWeight ? null : scale;
        return await SetWeightAsync(status.Weight);
    }

    /// <summary>A pause step, or any other wait a promote may cut short; <paramref name="reason"/> is what the status shows.</summary>
    async Task<Interruption?> PauseAsync(TimeSpan? duration, string? reason = null)
    {
        Update(s => s with { Phase = RolloutPhase.Paused, PauseReason = reason ?? (duration is TimeSpan d ? $"pause {Durations.Format(d)}" : "paused until promoted") });
        using TimerScope? timer = duration is TimeSpan length ? context.StartTimer(length, endOfRun.Token) : null;
        Interruption? interrupted = await WaitAsync(timer?.Fired ?? new TaskCompletionSource().Task, promotable: true);
        timer?.Dispose();
        Update(s => s with { Phase = RolloutPhase.Progressing, PauseReason = null });
        return interrupted;
    }

    async Task<Interruption?> ApproveAsync(RolloutApproval approval)
    {
        var gate = new PendingGate
        {
            Node = request.StepPath,
            Policy = new ApprovalPolicy(approval.Approvers, approval.Quorum, approval.AllowSelfApproval),
            Message = approval.Message ?? $"approve rollout {rollout.Name} at weight {status.Weight}",
            WaitingSince = context.CurrentUtcDateTime,
            Deadline = context.CurrentUtcDateTime + approval.Timeout,
            OnTimeout = approval.OnTimeout,
        };
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(endOfRun.Token);
        Task<ApprovalResult> decided = ApprovalTaskType.WaitAsync(
            context, gate, new GateAuthority(approvals, request.ParentInstance, request.Starters.Count > 0 ? request.Starters : [request.StartedBy]), progress => Update(s => s with { Phase = RolloutPhase.Paused, PauseReason = "approval", Gate = progress.Gate }), cancel.Token);
        Interruption? interrupted = await WaitAsync(decided, promotable: false);
        cancel.Cancel();
        Update(s => s with { Phase = RolloutPhase.Progressing, PauseReason = null, Gate = null });
        if (interrupted is not null)
        {
            return interrupted;
        }

        ApprovalResult result = await decided;
        Update(s => s, result.Approved ? $"approved by {result.By}" : $"not approved: {result.Comment ?? "rejected"}", result.By);
        return result.Approved ? null : new Interruption(Stop.Abort, result.By == "timeout" ? $"approval {result.Comment}" : $"rejected by {result.By}" + (result.Comment is null ? string.Empty : $": {result.Comment}"), result.By);
    }

    SetTrafficRequest Traffic(int weight, int canaryReplicas) => new()
    {
        Target = Target,
        Routing = canary.TrafficRouting,
        StableService = canary.StableService ?? Target.Name,
        CanaryService = canary.CanaryService ?? CanaryDeployment,
        StableDeployment = Target.Name,
        CanaryDeployment = CanaryDeployment,
        Weight = weight,
        TotalReplicas = baseline.Replicas,
        CanaryReplicas = canaryReplicas,
    };

    /// <summary>The stable Deployment takes the new image; once it is ready, traffic returns to it and the canary scales to zero.</summary>
    async Task<RolloutOutcome> PromoteCanaryAsync()
    {
        StopBackground();
        Update(s => s, $"promoting: {Target.Name} takes {rollout.Image}");
        Interruption? failed = await WithinDeadlineAsync("promoting the stable Deployment", async cancellation =>
            await ActivityAsync<RolloutActionResult>(RolloutActivities.PromoteStable, new PromoteStableRequest(Target, baseline.Container, rollout.Image, baseline.Replicas))
            ?? await UntilAvailableAsync([Target.Name], cancellation)
            ?? await ActivityAsync<SetTrafficResult>(RolloutActivities.SetTraffic, Traffic(0, 0)));
        if (failed is { Kind: Stop.Abort })
        {
            return await AbortCanaryAsync(failed);
        }

        Update(s => s with { Weight = 100, StableImage = rollout.Image }, $"weight 100: {Target.Name} runs {rollout.Image}; canary scaled to 0");
        return Finish(RolloutPhase.Healthy, $"promoted: {Target.Name} runs {rollout.Image}");
    }

    /// <summary>Traffic back to stable at once; the canary's pods go after abortScaleDownDelay, so a retry or a look at logs can still find them.</summary>
    async Task<RolloutOutcome> AbortCanaryAsync(Interruption abort)
    {
        StopBackground();
        Update(s => s with { Phase = RolloutPhase.Degraded }, $"aborting: {abort.Reason}", abort.By);
        int keep = Mesh ? CanaryMath.MeshCanaryReplicas(baseline.Replicas, status.Weight, canaryScale) : 0;
        string? failure = await ActivityAsync<SetTrafficResult>(RolloutActivities.SetTraffic, Traffic(0, keep), result => Update(s => s with { Weight = result.Weight }, $"weight 0: traffic back to stable (the cluster holds {result.Weight})"));
        if (failure is not null)
        {
            return Finish(RolloutPhase.Degraded, $"aborted ({abort.Reason}), but traffic could not be returned to stable: {failure}");
        }

        if (keep > 0)
        {
            await context.CreateTimer(canary.AbortScaleDownDelay, endOfRun.Token);
            failure = await ActivityAsync<RolloutActionResult>(RolloutActivities.Scale, new ScaleRequest(Target, CanaryDeployment, 0));
            Update(s => s, failure is null ? $"canary scaled to 0 after {Durations.Format(canary.AbortScaleDownDelay)}" : $"canary could not be scaled down: {failure}");
        }

        return Finish(RolloutPhase.Degraded, $"aborted: {abort.Reason}");
    }
}
