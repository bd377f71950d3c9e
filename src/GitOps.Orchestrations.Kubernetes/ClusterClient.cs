using System.Text.Json.Nodes;
using k8s;

namespace GitOps.Orchestrations.Kubernetes;

/// <summary>
/// The Kubernetes client for one target, built from a kubeconfig, a context or the in-cluster
/// service account. It adds raw GETs for discovery documents, which the generated client does not
/// cover, and otherwise is the plain <see cref="k8s.Kubernetes"/> client.
/// </summary>
public sealed class ClusterClient(KubernetesClientConfiguration configuration) : k8s.Kubernetes(configuration)
{
    public string Host { get; } = configuration.Host;

    public static ClusterClient Connect(ClusterSpec cluster)
    {
        KubernetesClientConfiguration configuration = cluster.InCluster
            ? KubernetesClientConfiguration.InClusterConfig()
            : KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.Kubeconfig, cluster.Context);
        return new ClusterClient(configuration);
    }

    /// <summary>GET of a discovery path such as <c>/api/v1</c> or <c>/apis/apps/v1</c>; null on 404.</summary>
    public async Task<JsonObject?> GetDiscoveryAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await ApiCalls.CallAsync(Host, $"GET {path}", async () =>
            {
                using HttpResponseMessage response = await SendRequest<object?>(path.TrimStart('/'), HttpMethod.Get, null, null, cancellationToken);
                return JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken)) as JsonObject;
            });
        }
        catch (KubernetesApiException e) when (e.StatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>The version the server prefers for an API group, such as <c>v1</c> for gateway.networking.k8s.io; null when it does not serve the group.</summary>
    public async Task<string?> PreferredVersionAsync(string group, CancellationToken cancellationToken)
    {
        JsonObject? groups = await GetDiscoveryAsync("/apis", cancellationToken);
        JsonNode? found = (groups?["groups"] as JsonArray)?.FirstOrDefault(g => (string?)g?["name"] == group);
        return (string?)found?["preferredVersion"]?["version"];
    }
}
