using GitOps.Orchestrations.Engine.Rollouts;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Kubernetes.Rollouts;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Rollouts;

/// <summary>Reads the stable Deployment and applies the canary or preview copy with the new image. Applying twice changes nothing.</summary>
public sealed class PrepareRolloutActivity(ClusterRegistry clusters, ILogger<PrepareRolloutActivity> logger) : TaskActivity<PrepareRolloutRequest, PrepareRolloutResult>
{
    public override Task<PrepareRolloutResult> RunAsync(TaskActivityContext context, PrepareRolloutRequest input) =>
        DeliveryErrors.RunAsync(logger, "prepare rollout", async () =>
        {
            using ClusterClient client = clusters.Connect(input.Target.Cluster);
            RolloutCluster cluster = RolloutTargets.Cluster(client, input.Target);
            if (input.MarkStablePods && await cluster.MarkStablePodsAsync(input.Target.Name, CancellationToken.None))
            {
                logger.StablePodsLabelled(input.Target.Namespace, input.Target.Name);
            }

            RolloutBaseline baseline = await cluster.PrepareCopyAsync(input.Target.Name, input.CopyName, input.Role, input.Image, input.Container, input.Replicas, CancellationToken.None);
            logger.RolloutCopyPrepared(input.Target.Namespace, input.CopyName, input.Role, input.Image);
            return new PrepareRolloutResult { StableImage = baseline.StableImage, Replicas = baseline.Replicas, Container = baseline.Container };
        });
}
