using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Testing.Kubernetes;

/// <summary>One resource the fixture serves, as its discovery document describes it.</summary>
public sealed record KubeResourceType(string Group, string Version, string Plural, string Kind, bool Namespaced, bool HasStatus)
{
    public string GroupVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary><c>deployments.apps</c>, as the API server names a resource in its messages.</summary>
    public string QualifiedName => Group.Length == 0 ? Plural : $"{Plural}.{Group}";
}

/// <summary>The built-in resources the fixture serves; CustomResourceDefinitions add more while it runs.</summary>
public static class KubeResourceTypes
{
    public static IEnumerable<KubeResourceType> BuiltIn() =>
    [
        new(string.Empty, "v1", "namespaces", "Namespace", false, true),
        new(string.Empty, "v1", "configmaps", "ConfigMap", true, false),
        new(string.Empty, "v1", "secrets", "Secret", true, false),
        new(string.Empty, "v1", "services", "Service", true, true),
        new(string.Empty, "v1", "serviceaccounts", "ServiceAccount", true, false),
        new(string.Empty, "v1", "pods", "Pod", true, true),
        new(string.Empty, "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true, true),
        new("apps", "v1", "deployments", "Deployment", true, true),
        new("apps", "v1", "statefulsets", "StatefulSet", true, true),
        new("apps", "v1", "daemonsets", "DaemonSet", true, true),
        new("apps", "v1", "replicasets", "ReplicaSet", true, true),
        new("batch", "v1", "jobs", "Job", true, true),
        new("batch", "v1", "cronjobs", "CronJob", true, true),
        new("networking.k8s.io", "v1", "ingresses", "Ingress", true, true),
        new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, false),
        new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, true),
        new("rbac.authorization.k8s.io", "v1", "roles", "Role", true, false),
        new("rbac.authorization.k8s.io", "v1", "rolebindings", "RoleBinding", true, false),
        new("rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", false, false),
        new("rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", false, false),
        new("apiextensions.k8s.io", "v1", "customresourcedefinitions", "CustomResourceDefinition", false, true),
    ];

    /// <summary>The resources a CustomResourceDefinition adds: one per served version.</summary>
    public static IEnumerable<KubeResourceType> FromDefinition(JsonObject crd)
    {
        JsonNode? spec = crd["spec"];
        string group = (string?)spec?["group"] ?? string.Empty;
        string plural = (string?)spec?["names"]?["plural"] ?? string.Empty;
        string kind = (string?)spec?["names"]?["kind"] ?? string.Empty;
        bool namespaced = (string?)spec?["scope"] != "Cluster";
        foreach (JsonObject version in (spec?["versions"] as JsonArray)?.OfType<JsonObject>() ?? [])
        {
            if ((bool?)version["served"] != false)
            {
                yield return new KubeResourceType(group, (string?)version["name"] ?? "v1", plural, kind, namespaced, version["subresources"]?["status"] is not null);
            }
        }
    }
}
