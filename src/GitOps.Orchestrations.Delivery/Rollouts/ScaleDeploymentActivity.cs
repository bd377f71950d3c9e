using GitOps.Orchestrations.Engine.Rollouts;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Kubernetes.Traffic;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Rollouts;

/// <summary>Scales a canary or preview Deployment, as after an abort or a blue-green switch.</summary>
public sealed class ScaleDeploymentActivity(ClusterRegistry clusters, ILogger<ScaleDeploymentActivity> logger) : TaskActivity<ScaleRequest, RolloutActionResult>
{
    public override Task<RolloutActionResult> RunAsync(TaskActivityContext context, ScaleRequest input) =>
        DeliveryErrors.RunAsync(logger, "scale", async () =>
        {
            using ClusterClient client = clusters.Connect(input.Target.Cluster);
            await new DeploymentScaler(client, input.Target.Namespace).ScaleAsync(input.Deployment, input.Replicas, CancellationToken.None);
            logger.DeploymentScaled(input.Target.Namespace, input.Deployment, input.Replicas);
            return new RolloutActionResult();
        });
}
