using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Kubernetes.Rollouts;

namespace GitOps.Orchestrations.Delivery.Rollouts;

/// <summary>The rollout view of a target's cluster.</summary>
internal static class RolloutTargets
{
    public static RolloutCluster Cluster(ClusterClient client, RolloutTarget target) => new(client, target.Namespace);
}
