using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Kubernetes.Rollouts;

namespace GitOps.Orchestrations.Delivery.Rollouts;

/// <summary>A rollout target's cluster connection, as the sync step's Kubernetes target spells it.</summary>
internal static class RolloutTargets
{
    public static ClusterClient Connect(RolloutTarget target) => ClusterClient.Connect(new KubernetesTargetSpec
    {
        Kubeconfig = target.Kubeconfig,
        Context = target.Context,
        InCluster = target.InCluster,
        Namespace = target.Namespace,
    });

    public static RolloutCluster Cluster(ClusterClient client, RolloutTarget target) => new(client, target.Namespace);
}
