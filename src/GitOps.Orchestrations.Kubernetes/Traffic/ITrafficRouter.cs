namespace GitOps.Orchestrations.Kubernetes.Traffic;

/// <summary>
/// Splits traffic between stable and canary for one provider. After writing, it reads the weight
/// back from the API and reports what the cluster holds, so a weight that did not take (an
/// admission webhook, another controller) is caught instead of assumed.
/// </summary>
public interface ITrafficRouter
{
    string Provider { get; }

    /// <summary>Sets the canary's share of traffic; returns the weight read back.</summary>
    Task<int> SetWeightAsync(TrafficSplit split, CancellationToken cancellationToken);
}

/// <summary>What a router needs: where, which resource, which backends, and the weight.</summary>
/// <param name="Resource">The HTTPRoute, VirtualService or TrafficSplit; unused by the replicas router.</param>
/// <param name="Routes">Istio only: the named HTTP routes to weigh; every route when empty.</param>
/// <param name="TotalReplicas">Replicas router only: the stable Deployment's replicas before the rollout.</param>
public sealed record TrafficSplit(
    string Namespace,
    string? Resource,
    string StableService,
    string CanaryService,
    string StableDeployment,
    string CanaryDeployment,
    int Weight,
    int TotalReplicas = 1,
    IReadOnlyList<string>? Routes = null);

/// <summary>The weight read back is not the weight written, or the resource lacks the backends to weigh.</summary>
public sealed class TrafficRoutingException(string message) : Exception(message);
