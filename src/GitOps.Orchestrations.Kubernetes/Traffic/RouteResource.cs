using k8s;
using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Kubernetes.Traffic;

/// <summary>
/// Read-modify-write of one custom resource that carries weights, at the group's preferred version.
/// The write is a PUT with the resourceVersion read, so a concurrent edit is a 409 and the whole
/// read-modify-write is tried again rather than overwriting it.
/// </summary>
internal sealed class RouteResource(ClusterClient client, string group, string plural, string kind)
{
    public async Task<JsonObject> UpdateAsync(string ns, string name, Action<JsonObject> edit, CancellationToken cancellationToken)
    {
        string version = await client.PreferredVersionAsync(group, cancellationToken)
            ?? throw new KubernetesApiException(404, $"the server has no API group {group}: is the {kind} CustomResourceDefinition installed?");
        await ApiCalls.CallAsync(client.Host, $"update {kind} {ns}/{name}", async () =>
        {
            JsonObject current = Json.ToNode(await client.CustomObjects.GetNamespacedCustomObjectAsync(group, version, ns, plural, name, cancellationToken)) as JsonObject
                ?? throw new TrafficRoutingException($"{kind} {ns}/{name} is not an object");
            edit(current);
            return await client.CustomObjects.ReplaceNamespacedCustomObjectAsync(current, group, version, ns, plural, name, cancellationToken: cancellationToken);
        });
        return Json.ToNode(await ApiCalls.CallAsync(client.Host, $"read {kind} {ns}/{name}", () =>
            client.CustomObjects.GetNamespacedCustomObjectAsync(group, version, ns, plural, name, cancellationToken))) as JsonObject
            ?? throw new TrafficRoutingException($"{kind} {ns}/{name} is not an object");
    }

    /// <summary>The weight the resource gives <paramref name="canary"/> out of all its weighed backends, checked to be what was asked.</summary>
    public static int Verify(string what, IReadOnlyList<(int Stable, int Canary)> weights, int asked)
    {
        if (weights.Count == 0)
        {
            throw new TrafficRoutingException($"{what} has no route with both the stable and the canary backend");
        }

        foreach ((int stable, int canary) in weights)
        {
            int total = stable + canary;
            int held = total == 0 ? 0 : (int)Math.Round(100.0 * canary / total);
            if (held != asked)
            {
                throw new TrafficRoutingException($"{what}: asked for canary weight {asked}, but the cluster holds {held} (stable {stable}, canary {canary})");
            }
        }

        return asked;
    }
}
