using k8s;
using k8s.Models;

namespace GitOps.Orchestrations.Kubernetes.Traffic;

/// <summary>Sets and reads a Deployment's <c>spec.replicas</c>, the one field a rollout scales.</summary>
public sealed class DeploymentScaler(ClusterClient client, string ns)
{
    public Task ScaleAsync(string name, int replicas, CancellationToken cancellationToken) =>
        ApiCalls.CallAsync(client.Host, $"scale Deployment {ns}/{name}", () => client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch($"{{\"spec\":{{\"replicas\":{replicas}}}}}", V1Patch.PatchType.MergePatch), name, ns, cancellationToken: cancellationToken));

    public async Task<int> ReplicasAsync(string name, CancellationToken cancellationToken)
    {
        V1Deployment deployment = await ApiCalls.CallAsync(client.Host, $"read Deployment {ns}/{name}", () => client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: cancellationToken));
        return deployment.Spec.Replicas ?? 1;
    }
}
