using k8s;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Manifests;

namespace GitOps.Orchestrations.Kubernetes;

public sealed partial class KubernetesApplier
{
    /// <summary>The health of every object the application's inventory lists; a missing object is Progressing.</summary>
    public async Task<IReadOnlyList<ObjectHealth>> CheckHealthAsync(ApplyOptions options, CancellationToken cancellationToken = default)
    {
        Inventory inventory = await ReadInventoryAsync(options, cancellationToken);
        var mapper = new ResourceMapper(client);
        var health = new List<ObjectHealth>();
        foreach (InventoryEntry entry in inventory.Entries.OrderBy(e => e.Ref.ToString(), StringComparer.Ordinal))
        {
            ResourceType type = await mapper.MapAsync(entry.ApiVersion, entry.Ref.Kind, cancellationToken);
            JsonObject? live = await GetAsync(type, entry.Ref, cancellationToken);
            if (live is null)
            {
                health.Add(new ObjectHealth(entry.Ref.ToString(), HealthStatus.Progressing, "not found"));
                continue;
            }

            (HealthStatus status, string message) = HealthRules.Evaluate(live);
            if (status == HealthStatus.Healthy && ConnectionSecret(live, entry.Ref) is ObjectRef secret
                && await GetAsync(await mapper.MapAsync("v1", "Secret", cancellationToken), secret, cancellationToken) is null)
            {
                (status, message) = (HealthStatus.Progressing, $"Ready; waiting for its connection Secret {secret.Namespace}/{secret.Name}");
            }

            health.Add(new ObjectHealth(entry.Ref.ToString(), status, message));
        }

        return health;
    }

    /// <summary>
    /// Crossplane's <c>spec.writeConnectionSecretToRef</c>: what uses a claim needs its connection
    /// details, so the claim is healthy only once that Secret exists too (in the claim's namespace
    /// unless the reference names another, as a composite resource's does).
    /// </summary>
    static ObjectRef? ConnectionSecret(JsonObject live, ObjectRef owner) =>
        live["spec"]?["writeConnectionSecretToRef"] is JsonObject reference && (string?)reference["name"] is { Length: > 0 } name
            && ((string?)reference["namespace"] ?? owner.Namespace) is { Length: > 0 } ns
            ? new ObjectRef(string.Empty, "Secret", ns, name)
            : null;

    async Task<JsonObject?> GetAsync(ResourceType type, ObjectRef target, CancellationToken cancellationToken)
    {
        try
        {
            object found = await CallAsync($"get {target}", () => type.Namespaced
                ? client.CustomObjects.GetNamespacedCustomObjectAsync(type.Group, type.Version, target.Namespace, type.Plural, target.Name, cancellationToken)
                : client.CustomObjects.GetClusterCustomObjectAsync(type.Group, type.Version, type.Plural, target.Name, cancellationToken));
            return Json.ToNode(found) as JsonObject;
        }
        catch (KubernetesApiException e) when (e.StatusCode == 404)
        {
            return null;
        }
    }
}
