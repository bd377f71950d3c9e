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

/// <summary>What a router needs: where, which resource, which backends, and the weight. Named, not positional: four of them are names of things, and stable and canary must never swap.</summary>
public sealed record TrafficSplit
{
    public required string Namespace { get; init; }

    /// <summary>The HTTPRoute, VirtualService or TrafficSplit; unused by the replicas router.</summary>
    public string? Resource { get; init; }

    public required string StableService { get; init; }

    public required string CanaryService { get; init; }

    public required string StableDeployment { get; init; }

    public required string CanaryDeployment { get; init; }

    public required int Weight { get; init; }

    /// <summary>Replicas router only: the stable Deployment's replicas before the rollout.</summary>
    public int TotalReplicas { get; init; } = 1;

    /// <summary>Istio only: the named HTTP routes to weigh; every route when empty.</summary>
    public IReadOnlyList<string>? Routes { get; init; }
}

/// <summary>The weight read back is not the weight written, or the resource lacks the backends to weigh.</summary>
public sealed class TrafficRoutingException(string message) : Exception(message);
