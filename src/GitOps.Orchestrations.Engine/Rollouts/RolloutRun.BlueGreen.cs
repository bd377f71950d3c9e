using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Rollouts;

namespace GitOps.Orchestrations.Engine.Rollouts;

internal sealed partial class RolloutRun
{
    string PreviewDeployment => $"{Target.Name}-preview";

    /// <summary>
    /// Blue-green: the preview Deployment runs the new image at full size behind the preview Service
    /// while pre-promotion analysis runs; promotion switches the active Service to it. The stable
    /// Deployment then takes the new image, the active Service goes back to it, and the preview is
    /// scaled down after scaleDownDelay, so the Deployment Git names is the one left running.
    /// </summary>
    async Task<RolloutOutcome> RunBlueGreenAsync(BlueGreenStrategy blueGreen)
    {
        string? failure = await ActivityAsync<PrepareRolloutResult>(
            RolloutActivities.Prepare,
            new PrepareRolloutRequest(Target, PreviewDeployment, "preview", rollout.Image, rollout.Container, Replicas: 0, MarkStablePods: true),
            result => baseline = result);
        if (failure is not null)
        {
            return Finish(RolloutPhase.Degraded, $"cannot start: {failure}");
        }

        Update(s => s with { StableImage = baseline.StableImage }, $"stable runs {baseline.StableImage} on {baseline.Replicas} replicas; preview Deployment {PreviewDeployment} prepared");
        if (baseline.StableImage == rollout.Image)
        {
            return Finish(RolloutPhase.Healthy, $"nothing to roll out: {Target.Name} already runs {rollout.Image}");
        }

        Interruption? stop = await WithinDeadlineAsync("bringing up the preview", async cancellation =>
            await UntilAvailableAsync([Target.Name], cancellation)
            ?? await Switch(blueGreen.ActiveService, "stable")
            ?? await ActivityAsync<RolloutActionResult>(RolloutActivities.Scale, new ScaleRequest(Target, PreviewDeployment, baseline.Replicas))
            ?? (blueGreen.PreviewService is string preview ? await Switch(preview, "preview") : null)
            ?? await UntilAvailableAsync([PreviewDeployment], cancellation));
        if (stop is null && blueGreen.PrePromotionAnalysis is { } pre)
        {
            stop = await AnalyseAsync("prePromotion", pre);
        }

        stop = stop is { Kind: Stop.Promote or Stop.PromoteFull } ? null : stop;
        if (stop is null)
        {
            stop = await AwaitPromotionAsync(blueGreen);
        }

        if (stop is null)
        {
            stop = await WithinDeadlineAsync("switching the active Service", _ => Switch(blueGreen.ActiveService, "preview"));
        }

        if (stop is null)
        {
            Update(s => s with { Weight = 100 }, $"active Service {blueGreen.ActiveService} now selects the preview pods ({rollout.Image})");
            if (blueGreen.PostPromotionAnalysis is { } post)
            {
                stop = await AnalyseAsync("postPromotion", post);
                stop = stop is { Kind: Stop.Promote or Stop.PromoteFull } ? null : stop;
            }
        }

        return stop is not null ? await AbortBlueGreenAsync(blueGreen, stop) : await SettleBlueGreenAsync(blueGreen);
    }

    async Task<Interruption?> AwaitPromotionAsync(BlueGreenStrategy blueGreen)
    {
        if (!blueGreen.AutoPromotionEnabled)
        {
            return await HoldAsync("autoPromotionEnabled is false: waiting to be promoted");
        }

        if (blueGreen.AutoPromotionSeconds is not TimeSpan delay || delay <= TimeSpan.Zero)
        {
            return null;
        }

        Interruption? interrupted = await PauseAsync(delay, $"promoting automatically in {Durations.Format(delay)}");
        return interrupted is { Kind: Stop.Promote or Stop.PromoteFull } ? null : interrupted;
    }

    /// <summary>After the switch: the stable Deployment takes the new image, the active Service returns to it, and the preview goes after scaleDownDelay.</summary>
    async Task<RolloutOutcome> SettleBlueGreenAsync(BlueGreenStrategy blueGreen)
    {
        Interruption? failed = await WithinDeadlineAsync("moving the new version to the stable Deployment", async cancellation =>
            await ActivityAsync<RolloutActionResult>(RolloutActivities.PromoteStable, new PromoteStableRequest(Target, baseline.Container, rollout.Image, baseline.Replicas))
            ?? await UntilAvailableAsync([Target.Name], cancellation)
            ?? await Switch(blueGreen.ActiveService, "stable"));
        if (failed is not null)
        {
            return Finish(RolloutPhase.Degraded, $"promoted, but {failed.Reason}; the active Service may still select the preview pods");
        }

        Update(s => s with { StableImage = rollout.Image }, $"{Target.Name} runs {rollout.Image}; the preview scales down in {Durations.Format(blueGreen.ScaleDownDelay)}");
        await context.CreateTimer(blueGreen.ScaleDownDelay, endOfRun.Token);
        string? failure = await ActivityAsync<RolloutActionResult>(RolloutActivities.Scale, new ScaleRequest(Target, PreviewDeployment, 0));
        return Finish(RolloutPhase.Healthy, failure is null ? $"promoted: {Target.Name} runs {rollout.Image}" : $"promoted, but the preview could not be scaled down: {failure}");
    }

    async Task<RolloutOutcome> AbortBlueGreenAsync(BlueGreenStrategy blueGreen, Interruption abort)
    {
        StopBackground();
        Update(s => s with { Phase = RolloutPhase.Degraded }, $"aborting: {abort.Reason}", abort.By);
        string? failure = await Switch(blueGreen.ActiveService, "stable")
            ?? await ActivityAsync<RolloutActionResult>(RolloutActivities.Scale, new ScaleRequest(Target, PreviewDeployment, 0));
        Update(s => s with { Weight = 0 }, failure is null ? "active Service back on the stable pods; preview scaled to 0" : $"could not restore the stable pods: {failure}");
        return Finish(RolloutPhase.Degraded, $"aborted: {abort.Reason}");
    }

    Task<string?> Switch(string service, string role) =>
        ActivityAsync<RolloutActionResult>(RolloutActivities.SwitchService, new SwitchServiceRequest(Target, service, role), _ => Update(s => s, $"Service {service} selects the {role} pods"));
}
