using GitOps.Orchestrations.Engine.Rollouts;
using GitOps.Orchestrations.Kubernetes;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Rollouts;

/// <summary>Blue-green: points a Service at the stable or the preview pods, verified by reading the selector back.</summary>
public sealed class SwitchServiceActivity(ClusterRegistry clusters, ILogger<SwitchServiceActivity> logger) : TaskActivity<SwitchServiceRequest, RolloutActionResult>
{
    public override Task<RolloutActionResult> RunAsync(TaskActivityContext context, SwitchServiceRequest input) =>
        DeliveryErrors.RunAsync(logger, "switch service", async () =>
        {
            using ClusterClient client = clusters.Connect(input.Target.Cluster);
            await RolloutTargets.Cluster(client, input.Target).SwitchServiceAsync(input.Service, input.Role, CancellationToken.None);
            logger.ServiceSwitched(input.Target.Namespace, input.Service, input.Role);
            return new RolloutActionResult();
        });
}
