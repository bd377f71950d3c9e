using GitOps.Orchestrations.Core.Rollouts;

namespace GitOps.Orchestrations.Kubernetes.Traffic;

/// <summary>
/// No mesh: the Service selects stable and canary pods alike, so the weight is the canary's share of
/// the pods, as Argo Rollouts does without trafficRouting. The weight read back is computed from the
/// replicas each Deployment holds after scaling, which is only as exact as the pod count allows.
/// </summary>
public sealed class ReplicasRouter(ClusterClient client) : ITrafficRouter
{
    public string Provider => TrafficRouting.Replicas;

    public async Task<int> SetWeightAsync(TrafficSplit split, CancellationToken cancellationToken)
    {
        (int canary, int stable) = CanaryMath.ReplicaSplit(split.TotalReplicas, split.Weight);
        var deployments = new DeploymentScaler(client, split.Namespace);

        // Up before down: the Service never has fewer pods behind it than it needs.
        if (split.Weight > 0)
        {
            await deployments.ScaleAsync(split.CanaryDeployment, canary, cancellationToken);
            await deployments.ScaleAsync(split.StableDeployment, stable, cancellationToken);
        }
        else
        {
            await deployments.ScaleAsync(split.StableDeployment, stable, cancellationToken);
            await deployments.ScaleAsync(split.CanaryDeployment, canary, cancellationToken);
        }

        int canaryHeld = await deployments.ReplicasAsync(split.CanaryDeployment, cancellationToken);
        int stableHeld = await deployments.ReplicasAsync(split.StableDeployment, cancellationToken);
        if (canaryHeld != canary || stableHeld != stable)
        {
            throw new TrafficRoutingException($"asked for {canary} canary and {stable} stable replicas, but the Deployments hold {canaryHeld} and {stableHeld}");
        }

        return CanaryMath.EffectiveWeight(canaryHeld, stableHeld);
    }
}
