using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Rollouts;

namespace GitOps.Orchestrations.Kubernetes.Traffic;

/// <summary>Istio: the route weights of a VirtualService's HTTP routes (the named ones, or all), by destination host.</summary>
public sealed class IstioRouter(ClusterClient client) : ITrafficRouter
{
    public string Provider => TrafficRouting.Istio;

    public async Task<int> SetWeightAsync(TrafficSplit split, CancellationToken cancellationToken)
    {
        var service = new RouteResource(client, "networking.istio.io", "virtualservices", "VirtualService");
        JsonObject held = await service.UpdateAsync(split.Namespace, split.Resource!, split.Weight, current =>
        {
            foreach (JsonArray destinations in Routes(current, split))
            {
                foreach (JsonObject destination in destinations.OfType<JsonObject>())
                {
                    string? host = Host(destination);
                    destination["weight"] = host == split.CanaryService ? split.Weight : host == split.StableService ? 100 - split.Weight : destination["weight"]?.DeepClone();
                }
            }
        }, virtualService => Weights(virtualService, split), cancellationToken);
        return RouteResource.Verify($"VirtualService {split.Namespace}/{split.Resource}", Weights(held, split), split.Weight);
    }

    static List<(int, int)> Weights(JsonObject service, TrafficSplit split) =>
        Routes(service, split).Select(d => (Weight(d, split.StableService), Weight(d, split.CanaryService))).ToList();

    static IEnumerable<JsonArray> Routes(JsonObject service, TrafficSplit split) =>
        (service["spec"]?["http"] as JsonArray ?? [])
            .Where(route => split.Routes is not { Count: > 0 } names || names.Contains((string?)route?["name"] ?? string.Empty))
            .Select(route => route?["route"] as JsonArray)
            .OfType<JsonArray>()
            .Where(d => d.Any(x => Host(x) == split.StableService) && d.Any(x => Host(x) == split.CanaryService));

    // A host may be written short (api) or fully qualified (api.prod.svc.cluster.local).
    static string? Host(JsonNode? destination) => ((string?)destination?["destination"]?["host"])?.Split('.')[0];

    static int Weight(JsonArray destinations, string service) =>
        destinations.Where(d => Host(d) == service).Sum(d => (int?)d?["weight"] ?? 0);
}
