using k8s;
using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Kubernetes.Traffic;

/// <summary>
/// Read-modify-write of one custom resource that carries weights, at the group's preferred version.
/// The write is a PUT with the resourceVersion read, so a concurrent edit is a 409 and the whole
/// read-modify-write is tried again rather than overwriting it.
/// <para>
/// Routers restore what they changed, as Flagger's finalizers do: the first weight above zero keeps
/// the route's <c>spec</c> as the operator had it in <see cref="OriginalSpecAnnotation"/>, and the
/// weight zero that ends every rollout (promoted, aborted or stopped) puts that spec back and removes
/// the annotation. If that spec would send traffic to the canary, zero weights are written instead,
/// because the canary is about to have no pods.
/// </para>
/// </summary>
internal sealed class RouteResource(ClusterClient client, string group, string plural, string kind)
{
    public const string OriginalSpecAnnotation = "rollouts.gitops.orchestrations/original-spec";

    /// <summary>A spec larger than this is not kept (annotations share 256 KiB); the rollout then ends with zero weights written.</summary>
    const int MaxOriginalSpec = 64 * 1024;

    /// <param name="weights">The (stable, canary) weight pairs a version of the resource holds, as the router reads them.</param>
    public async Task<JsonObject> UpdateAsync(string ns, string name, int weight, Action<JsonObject> edit, Func<JsonObject, IReadOnlyList<(int Stable, int Canary)>> weights, CancellationToken cancellationToken) =>
        await UpdateAsync(ns, name, current =>
        {
            JsonObject? annotations = current["metadata"]?["annotations"] as JsonObject;
            string? original = (string?)annotations?[OriginalSpecAnnotation];
            if (weight == 0 && original is not null)
            {
                annotations!.Remove(OriginalSpecAnnotation);
                if (Parse(original) is JsonObject spec && weights(With(current, spec)) is { Count: > 0 } held && held.All(w => w.Canary == 0))
                {
                    current["spec"] = spec;
                    return;
                }
            }
            else if (weight > 0 && original is null && current["spec"]?.ToJsonString() is { Length: <= MaxOriginalSpec } snapshot)
            {
                var metadata = (JsonObject)(current["metadata"] ??= new JsonObject());
                ((JsonObject)(metadata["annotations"] ??= new JsonObject()))[OriginalSpecAnnotation] = snapshot;
            }

            edit(current);
        }, cancellationToken);

    static JsonObject With(JsonObject resource, JsonObject spec)
    {
        var copy = (JsonObject)resource.DeepClone();
        copy["spec"] = spec.DeepClone();
        return copy;
    }

    // Anyone who may edit the route may edit the annotation: it is read within bounds, and ignored if it is not a spec.
    static JsonObject? Parse(string original)
    {
        if (original.Length > MaxOriginalSpec)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(original, documentOptions: new System.Text.Json.JsonDocumentOptions { MaxDepth = 32 }) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    async Task<JsonObject> UpdateAsync(string ns, string name, Action<JsonObject> edit, CancellationToken cancellationToken)
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
