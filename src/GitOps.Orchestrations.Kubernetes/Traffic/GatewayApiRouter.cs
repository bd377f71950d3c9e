using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Rollouts;

namespace GitOps.Orchestrations.Kubernetes.Traffic;

/// <summary>Gateway API: the weights of an HTTPRoute's <c>backendRefs</c>, in every rule that names both Services.</summary>
public sealed class GatewayApiRouter(ClusterClient client) : ITrafficRouter
{
    public string Provider => TrafficRouting.GatewayApi;

    public async Task<int> SetWeightAsync(TrafficSplit split, CancellationToken cancellationToken)
    {
        var route = new RouteResource(client, "gateway.networking.k8s.io", "httproutes", "HTTPRoute");
        JsonObject held = await route.UpdateAsync(split.Namespace, split.Resource!, split.Weight, current =>
        {
            foreach (JsonArray refs in Rules(current, split))
            {
                foreach (JsonObject backend in refs.OfType<JsonObject>())
                {
                    string? name = (string?)backend["name"];
                    backend["weight"] = name == split.CanaryService ? split.Weight : name == split.StableService ? 100 - split.Weight : backend["weight"]?.DeepClone();
                }
            }
        }, route => Weights(route, split), cancellationToken);
        return RouteResource.Verify($"HTTPRoute {split.Namespace}/{split.Resource}", Weights(held, split), split.Weight);
    }

    static List<(int, int)> Weights(JsonObject route, TrafficSplit split) =>
        Rules(route, split).Select(refs => (Weight(refs, split.StableService), Weight(refs, split.CanaryService))).ToList();

    static IEnumerable<JsonArray> Rules(JsonObject route, TrafficSplit split) =>
        (route["spec"]?["rules"] as JsonArray ?? [])
            .Select(rule => rule?["backendRefs"] as JsonArray)
            .OfType<JsonArray>()
            .Where(refs => refs.Any(r => (string?)r?["name"] == split.StableService) && refs.Any(r => (string?)r?["name"] == split.CanaryService));

    // Gateway API's default weight is 1.
    static int Weight(JsonArray refs, string service) =>
        refs.Where(r => (string?)r?["name"] == service).Sum(r => (int?)r?["weight"] ?? 1);
}
