using k8s;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Manifests;
using k8s.Models;

namespace GitOps.Orchestrations.Kubernetes;

public sealed partial class KubernetesApplier
{
    public const int MaxAttempts = 5;

    /// <summary>Server-side dry-run of every write, except objects whose kind or namespace this same apply creates first.</summary>
    async Task DryRunAsync(IReadOnlyList<Desired> writes, IReadOnlySet<string> newNamespaces, ApplyOptions options, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        foreach (Desired item in writes)
        {
            if (item.Type.DefinedByRender || (item.Manifest.Namespace is string ns && newNamespaces.Contains(ns)))
            {
                continue;
            }

            try
            {
                await PatchAsync(item, options, dryRun: true, cancellationToken);
            }
            catch (KubernetesApiException e) when (e.StatusCode is 400 or 403 or 404 or 422)
            {
                errors.Add($"{item.Manifest.Origin}: {e.Message}");
            }
        }

        if (errors.Count > 0)
        {
            throw new ManifestException(errors);
        }
    }

    async Task PatchAsync(Desired item, ApplyOptions options, bool dryRun, CancellationToken cancellationToken)
    {
        ResourceType type = item.Type;
        var patch = new V1Patch(item.Manifest.Body.ToJsonString(), V1Patch.PatchType.ApplyPatch);
        string? dry = dryRun ? "All" : null;
        string action = $"{(dryRun ? "dry-run apply" : "apply")} {item.Manifest.Ref}";
        object stored = await CallAsync(action, () => type.Namespaced
            ? client.CustomObjects.PatchNamespacedCustomObjectAsync(patch, type.Group, type.Version, item.Manifest.Namespace, type.Plural, item.Manifest.Name, dry, options.FieldManager, force: options.ForceConflicts, cancellationToken: cancellationToken)
            : client.CustomObjects.PatchClusterCustomObjectAsync(patch, type.Group, type.Version, type.Plural, item.Manifest.Name, dry, options.FieldManager, force: options.ForceConflicts, cancellationToken: cancellationToken));
        if (!dryRun && liveObjects is not null && Json.ToNode(stored) is JsonObject written)
        {
            // The next sync compares with this version even before the watch delivers it, and if the
            // server stored what was applied, it need not compare this version again.
            liveObjects.Written(type, type.Namespaced ? item.Manifest.Namespace : null, (JsonObject)written.DeepClone());
            if (Differences(item.Manifest, written, options).Count == 0
                && (string?)written["metadata"]?["annotations"]?[Manifest.DigestAnnotation] == item.Digest)
            {
                liveObjects.MarkUnchanged(item.Manifest.Ref.ToString(), (string?)written["metadata"]?["resourceVersion"], Comparison(item, options));
            }
        }
    }

    async Task DeleteAsync(InventoryEntry entry, ResourceMapper mapper, CancellationToken cancellationToken)
    {
        ResourceType type = await mapper.MapAsync(entry.ApiVersion, entry.Ref.Kind, cancellationToken);
        try
        {
            await CallAsync($"delete {entry.Ref}", () => type.Namespaced
                ? client.CustomObjects.DeleteNamespacedCustomObjectAsync(type.Group, type.Version, entry.Ref.Namespace, type.Plural, entry.Ref.Name, propagationPolicy: "Background", cancellationToken: cancellationToken)
                : client.CustomObjects.DeleteClusterCustomObjectAsync(type.Group, type.Version, type.Plural, entry.Ref.Name, propagationPolicy: "Background", cancellationToken: cancellationToken));
        }
        catch (KubernetesApiException e) when (e.StatusCode == 404)
        {
            // Already gone: the goal of a prune.
        }

        liveObjects?.Deleted(type, type.Namespaced ? entry.Ref.Namespace : null, entry.Ref.Name);
    }

    Task<T> CallAsync<T>(string action, Func<Task<T>> call) => ApiCalls.CallAsync(client.Host, action, call);
}
