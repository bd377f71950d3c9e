using System.Text;
using System.Text.Json.Nodes;

namespace GitOps.Orchestrations.Delivery.Secrets;

/// <summary>
/// Where a sealed value may be unsealed, as <c>kubeseal --scope</c> names it. The scope is bound into
/// the ciphertext as the OAEP label, so a value moved to another name or namespace does not decrypt.
/// </summary>
public enum SealingScope
{
    /// <summary>This name in this namespace only (label <c>namespace/name</c>).</summary>
    Strict,

    /// <summary>Any name in this namespace (label <c>namespace</c>).</summary>
    NamespaceWide,

    /// <summary>Any name in any namespace (empty label).</summary>
    ClusterWide,
}

/// <summary>The SealedSecret kind (bitnami.com/v1alpha1) as the Sealed Secrets controller reads it.</summary>
public static class SealedSecretFormat
{
    public const string ApiVersion = "bitnami.com/v1alpha1";
    public const string Kind = "SealedSecret";
    public const string NamespaceWideAnnotation = "sealedsecrets.bitnami.com/namespace-wide";
    public const string ClusterWideAnnotation = "sealedsecrets.bitnami.com/cluster-wide";

    public static bool Is(JsonObject body) => (string?)body["apiVersion"] == ApiVersion && (string?)body["kind"] == Kind;

    public static byte[] Label(string @namespace, string name, SealingScope scope) => scope switch
    {
        SealingScope.Strict => Encoding.UTF8.GetBytes($"{@namespace}/{name}"),
        SealingScope.NamespaceWide => Encoding.UTF8.GetBytes(@namespace),
        _ => [],
    };

    /// <summary>The scope a SealedSecret's annotations give it; strict when neither says otherwise.</summary>
    public static SealingScope ScopeOf(JsonObject body)
    {
        JsonObject? annotations = body["metadata"]?["annotations"] as JsonObject;
        return (string?)annotations?[ClusterWideAnnotation] == "true" ? SealingScope.ClusterWide
            : (string?)annotations?[NamespaceWideAnnotation] == "true" ? SealingScope.NamespaceWide
            : SealingScope.Strict;
    }

    public static SealingScope ParseScope(string text) => text switch
    {
        "strict" => SealingScope.Strict,
        "namespace-wide" => SealingScope.NamespaceWide,
        "cluster-wide" => SealingScope.ClusterWide,
        _ => throw new ArgumentException($"unknown scope '{text}' (known: strict, namespace-wide, cluster-wide)"),
    };
}
