namespace GitOps.Orchestrations.Core.Manifests;

/// <summary>
/// Identifies one Kubernetes object the way the API server does: group, kind, namespace and name.
/// The version is left out on purpose, because <c>apps/v1</c> and <c>apps/v1beta2</c> name the same object.
/// </summary>
public sealed record ObjectRef(string Group, string Kind, string? Namespace, string Name)
{
    public static ObjectRef Of(string apiVersion, string kind, string? @namespace, string name) =>
        new(GroupOf(apiVersion), kind, string.IsNullOrEmpty(@namespace) ? null : @namespace, name);

    public static string GroupOf(string apiVersion) => apiVersion.Contains('/') ? apiVersion[..apiVersion.IndexOf('/')] : string.Empty;

    /// <summary><c>Deployment.apps/prod/api</c>, or <c>Namespace/prod</c> for a cluster-scoped object.</summary>
    public override string ToString()
    {
        string kind = Group.Length == 0 ? Kind : $"{Kind}.{Group}";
        return Namespace is null ? $"{kind}/{Name}" : $"{kind}/{Namespace}/{Name}";
    }
}
