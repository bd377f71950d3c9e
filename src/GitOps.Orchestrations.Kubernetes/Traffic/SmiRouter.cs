using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Rollouts;

namespace GitOps.Orchestrations.Kubernetes.Traffic;

/// <summary>SMI: the weights of a TrafficSplit's backends.</summary>
public sealed class SmiRouter(ClusterClient client) : ITrafficRouter
{
    public string Provider => TrafficRouting.Smi;

    public async Task<int> SetWeightAsync(TrafficSplit split, CancellationToken cancellationToken)
    {
        var resource = new RouteResource(client, "split.smi-spec.io", "trafficsplits", "TrafficSplit");
        JsonObject held = await resource.UpdateAsync(split.Namespace, split.Resource!, split.Weight, current =>
        {
            var backends = current["spec"]?["backends"] as JsonArray;
            if (backends is null || current["spec"] is not JsonObject spec)
            {
                return;
            }

            // A TrafficSplit lists each backend once; one missing is added, as Argo Rollouts does.
            foreach (string service in new[] { split.StableService, split.CanaryService }.Where(s => !backends.Any(b => (string?)b?["service"] == s)))
            {
                backends.Add(new JsonObject { ["service"] = service, ["weight"] = 0 });
            }

            foreach (JsonObject backend in backends.OfType<JsonObject>())
            {
                string? name = (string?)backend["service"];
                backend["weight"] = name == split.CanaryService ? split.Weight : name == split.StableService ? 100 - split.Weight : backend["weight"]?.DeepClone();
            }

            spec["backends"] = backends;
        }, trafficSplit => Weights(trafficSplit, split), cancellationToken);
        return RouteResource.Verify($"TrafficSplit {split.Namespace}/{split.Resource}", Weights(held, split), split.Weight);
    }

    static List<(int, int)> Weights(JsonObject trafficSplit, TrafficSplit split) =>
        trafficSplit["spec"]?["backends"] is JsonArray { Count: > 0 } backends ? [(Weight(backends, split.StableService), Weight(backends, split.CanaryService))] : [];

    static int Weight(JsonArray backends, string service) =>
        backends.Where(b => (string?)b?["service"] == service).Sum(b => (int?)b?["weight"] ?? 0);
}
