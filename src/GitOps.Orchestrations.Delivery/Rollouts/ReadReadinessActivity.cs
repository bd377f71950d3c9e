using GitOps.Orchestrations.Engine.Rollouts;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Kubernetes.Rollouts;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace GitOps.Orchestrations.Delivery.Rollouts;

/// <summary>Whether the named Deployments run every replica of their latest generation; read-only.</summary>
public sealed class ReadReadinessActivity(ILogger<ReadReadinessActivity> logger) : TaskActivity<ReadinessRequest, ReadinessResult>
{
    public override Task<ReadinessResult> RunAsync(TaskActivityContext context, ReadinessRequest input) =>
        DeliveryErrors.RunAsync(logger, "read readiness", async () =>
        {
            using ClusterClient client = RolloutTargets.Connect(input.Target);
            RolloutCluster cluster = RolloutTargets.Cluster(client, input.Target);
            var pending = new List<string>();
            foreach (string name in input.Deployments)
            {
                DeploymentReadiness readiness = await cluster.ReadinessAsync(name, CancellationToken.None);
                if (!readiness.Available)
                {
                    pending.Add(readiness.ToString());
                }
            }

            return new ReadinessResult { Available = pending.Count == 0, Pending = pending };
        });
}
