using System.Globalization;

namespace GitOps.Orchestrations.Core.Manifests;

/// <summary>
/// The order objects are applied in: by sync wave first (as Argo CD does), then Namespaces, then
/// CustomResourceDefinitions, then other cluster-scoped kinds, then everything else; ties break on
/// the object's reference so the order never depends on how the source files were laid out. Prune
/// runs in the reverse order.
/// </summary>
public static class ApplyOrder
{
    /// <summary>Kinds the API server serves cluster-scoped; custom kinds declare their scope in their CRD.</summary>
    public static readonly IReadOnlySet<string> ClusterScopedKinds = new HashSet<string>(StringComparer.Ordinal)
    {
        "Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "PersistentVolume",
        "StorageClass", "PriorityClass", "IngressClass", "RuntimeClass", "APIService", "Node",
        "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy",
        "ValidatingAdmissionPolicyBinding", "CSIDriver", "VolumeSnapshotClass", "FlowSchema", "PriorityLevelConfiguration",
    };

    public static IReadOnlyList<Manifest> Sort(IEnumerable<Manifest> manifests, Func<Manifest, bool>? isClusterScoped = null)
    {
        Func<Manifest, bool> clusterScoped = isClusterScoped ?? (m => m.Namespace is null && ClusterScopedKinds.Contains(m.Kind));
        return manifests
            .OrderBy(Wave)
            .ThenBy(m => m.Kind switch
            {
                "Namespace" => 0,
                "CustomResourceDefinition" => 1,
                _ when clusterScoped(m) => 2,
                _ => 3,
            })
            .ThenBy(m => m.Ref.ToString(), StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The sync-wave annotation as an integer; 0 when absent. An unparsable wave is a validation error, so here it is 0.</summary>
    public static int Wave(Manifest manifest) =>
        (manifest.Annotation(Manifest.SyncWaveAnnotation) ?? manifest.Annotation(Manifest.ArgoSyncWaveAnnotation)) is string text
        && int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int wave)
            ? wave
            : 0;
}
