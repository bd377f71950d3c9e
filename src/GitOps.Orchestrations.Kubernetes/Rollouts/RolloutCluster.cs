using k8s;
using k8s.Models;

namespace GitOps.Orchestrations.Kubernetes.Rollouts;

/// <summary>What the stable Deployment was when the rollout began.</summary>
public sealed record RolloutBaseline(string StableImage, int Replicas, string Container);

/// <summary>Whether a Deployment runs what it was last asked to: its generation observed and every replica ready.</summary>
public sealed record DeploymentReadiness(string Name, int Desired, int Ready, bool Observed, string? Image)
{
    public bool Available => Observed && Ready >= Desired;

    public override string ToString() => $"{Name} {Ready}/{Desired} ready" + (Observed ? string.Empty : ", new generation not yet observed");
}

/// <summary>
/// The Deployments and Services a rollout works with. The stable Deployment is the one Git names;
/// the canary (or blue-green preview) is a copy of it with the new image and a role label, so the
/// stable Deployment's own pods are left alone until promotion. Split by concern: the canary here,
/// blue-green Service switching in <c>.BlueGreen</c>.
/// </summary>
public sealed partial class RolloutCluster(ClusterClient client, string ns)
{
    public const string RoleLabel = "rollouts.gitops.orchestrations/role";
    public const string FieldManager = "gitops-orchestrations-rollout";

    public static string CanaryName(string stable) => $"{stable}-canary";

    public static string PreviewName(string stable) => $"{stable}-preview";

    /// <summary>
    /// Reads the stable Deployment and applies the copy (server-side apply, so running it twice
    /// changes nothing) with the new image and <paramref name="replicas"/> pods.
    /// </summary>
    public async Task<RolloutBaseline> PrepareCopyAsync(string stableName, string copyName, string role, string image, string? container, int? replicas, CancellationToken cancellationToken)
    {
        V1Deployment stable = await ReadAsync(stableName, cancellationToken);
        V1Container target = FindContainer(stable, container);
        var baseline = new RolloutBaseline(target.Image, stable.Spec.Replicas ?? 1, target.Name);

        var labels = new Dictionary<string, string>(stable.Spec.Template.Metadata?.Labels ?? new Dictionary<string, string>()) { [RoleLabel] = role };
        var selector = new Dictionary<string, string>(stable.Spec.Selector.MatchLabels ?? new Dictionary<string, string>()) { [RoleLabel] = role };
        V1PodSpec pod = stable.Spec.Template.Spec;
        foreach (V1Container c in pod.Containers.Where(c => c.Name == target.Name))
        {
            c.Image = image;
        }

        var copy = new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = new V1ObjectMeta { Name = copyName, NamespaceProperty = ns, Labels = new Dictionary<string, string> { [RoleLabel] = role } },
            Spec = new V1DeploymentSpec
            {
                Replicas = replicas ?? baseline.Replicas,
                Selector = new V1LabelSelector { MatchLabels = selector },
                Template = new V1PodTemplateSpec { Metadata = new V1ObjectMeta { Labels = labels, Annotations = stable.Spec.Template.Metadata?.Annotations }, Spec = pod },
            },
        };
        string body = KubernetesJson.Serialize(copy);
        await ApiCalls.CallAsync(client.Host, $"apply Deployment {ns}/{copyName}", () => client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch(body, V1Patch.PatchType.ApplyPatch), copyName, ns, fieldManager: FieldManager, force: true, cancellationToken: cancellationToken));
        return baseline;
    }

    public async Task<DeploymentReadiness> ReadinessAsync(string name, CancellationToken cancellationToken)
    {
        V1Deployment deployment = await ReadAsync(name, cancellationToken);
        int desired = deployment.Spec.Replicas ?? 1;
        bool observed = (deployment.Status?.ObservedGeneration ?? 0) >= (deployment.Metadata.Generation ?? 0);
        int ready = Math.Min(deployment.Status?.ReadyReplicas ?? 0, deployment.Status?.UpdatedReplicas ?? deployment.Status?.ReadyReplicas ?? 0);
        return new DeploymentReadiness(name, desired, desired == 0 ? 0 : ready, observed, deployment.Spec.Template.Spec.Containers.FirstOrDefault()?.Image);
    }

    /// <summary>
    /// Promotion: the stable Deployment takes the new image. A read-modify-write with the
    /// resourceVersion read, so only the image changes and a concurrent edit is retried, not lost.
    /// </summary>
    public Task PromoteStableAsync(string stableName, string container, string image, int replicas, CancellationToken cancellationToken) =>
        ApiCalls.CallAsync(client.Host, $"promote Deployment {ns}/{stableName}", async () =>
        {
            V1Deployment stable = await client.AppsV1.ReadNamespacedDeploymentAsync(stableName, ns, cancellationToken: cancellationToken);
            FindContainer(stable, container).Image = image;
            stable.Spec.Replicas = replicas;
            return await client.AppsV1.ReplaceNamespacedDeploymentAsync(stable, stableName, ns, cancellationToken: cancellationToken);
        });

    Task<V1Deployment> ReadAsync(string name, CancellationToken cancellationToken) =>
        ApiCalls.CallAsync(client.Host, $"read Deployment {ns}/{name}", () => client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: cancellationToken));

    static V1Container FindContainer(V1Deployment deployment, string? name)
    {
        IList<V1Container> containers = deployment.Spec.Template.Spec.Containers;
        return (name is null ? containers.FirstOrDefault() : containers.FirstOrDefault(c => c.Name == name))
            ?? throw new ArgumentException($"Deployment {deployment.Metadata.NamespaceProperty}/{deployment.Metadata.Name} has no container {(name is null ? "at all" : $"named '{name}'")}");
    }
}
