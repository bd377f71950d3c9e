using GitOps.Orchestrations.Engine.Rollouts;
using GitOps.Orchestrations.Kubernetes;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Rollouts;

/// <summary>The stable Deployment takes the new image at its full size; writing the same image again changes nothing.</summary>
public sealed class PromoteStableActivity(ClusterRegistry clusters, ILogger<PromoteStableActivity> logger) : TaskActivity<PromoteStableRequest, RolloutActionResult>
{
    public override Task<RolloutActionResult> RunAsync(TaskActivityContext context, PromoteStableRequest input) =>
        DeliveryErrors.RunAsync(logger, "promote stable", async () =>
        {
            using ClusterClient client = clusters.Connect(input.Target.Cluster);
            await RolloutTargets.Cluster(client, input.Target).PromoteStableAsync(input.Target.Name, input.Container, input.Image, input.Replicas, CancellationToken.None);
            logger.StablePromoted(input.Target.Namespace, input.Target.Name, input.Image);
            return new RolloutActionResult();
        });
}
