using GitOps.Orchestrations.Core.Rollouts;

namespace GitOps.Orchestrations.Kubernetes.Traffic;

/// <summary>Chooses the router a rollout names. An unknown provider is an error, never a silent default.</summary>
public static class TrafficRouterFactory
{
    public static ITrafficRouter Create(string provider, ClusterClient client) => provider switch
    {
        TrafficRouting.Replicas => new ReplicasRouter(client),
        TrafficRouting.GatewayApi => new GatewayApiRouter(client),
        TrafficRouting.Istio => new IstioRouter(client),
        TrafficRouting.Smi => new SmiRouter(client),
        _ => throw new ArgumentException($"unknown traffic provider '{provider}' (known: {string.Join(", ", TrafficRouting.Providers)})"),
    };
}
