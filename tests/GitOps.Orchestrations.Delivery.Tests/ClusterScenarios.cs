using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;
using k8s;
using k8s.Autorest;
using k8s.Models;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>
/// The delivery scenarios, written once and run against both the API fixture
/// (<see cref="FixtureClusterTests"/>) and a real cluster (<see cref="RealClusterTests"/>), so the
/// two can be compared line by line. Each runs in a namespace of its own, deleted afterwards, and
/// observes only what any API server shows: reports, resourceVersions, live objects.
/// </summary>
public sealed class ClusterScenarios(string kubeconfig)
{
    // A real, tiny image, so health waits pass on a real cluster too.
    const string Image = "registry.k8s.io/pause:3.10";

    static ManifestSet Render(string ns, params string[] documents) => ApplierTests.Render([Apps.Namespace(ns), .. documents]);

    static ApplyOptions Options(string ns) => new() { Application = "e2e", Namespace = ns, Prune = true };

    static ManifestSet Shop(string ns, string image = Image, bool withB = true) =>
        Render(ns, [Apps.Deployment("web", image, replicas: 1), Apps.Service("web"), Apps.ConfigMap("a", "1"), .. withB ? [Apps.ConfigMap("b", "1")] : Array.Empty<string>()]);

    async Task InNamespaceAsync(Func<string, ClusterClient, KubernetesApplier, Task> scenario)
    {
        string ns = $"gitops-e2e-{Guid.NewGuid():N}"[..24];
        using ClusterClient client = ClusterClient.Connect(new ClusterSpec { Kubeconfig = kubeconfig });
        try
        {
            await scenario(ns, client, new KubernetesApplier(client));
        }
        finally
        {
            try
            {
                await client.CoreV1.DeleteNamespaceAsync(ns);
            }
            catch (HttpOperationException)
            {
                // Never created, or already going: nothing to clean up.
            }
        }
    }

    public Task First_sync_creates_every_object_namespace_first() => InNamespaceAsync(async (ns, client, applier) =>
    {
        ApplyReport first = await applier.ApplyAsync(Shop(ns), Options(ns));

        Assert.Equal(5, first.Count("created"));
        Assert.Equal($"Namespace/{ns}", first.Changes[0].Object);
        Assert.Equal("1", (await client.CoreV1.ReadNamespacedConfigMapAsync("a", ns)).Data["value"]);
    });

    public Task An_unchanged_resync_writes_nothing() => InNamespaceAsync(async (ns, client, applier) =>
    {
        await applier.ApplyAsync(Shop(ns), Options(ns));
        string[] before = await VersionsAsync(client, ns);

        ApplyReport again = await applier.ApplyAsync(Shop(ns), Options(ns));

        Assert.Equal(0, again.Writes);
        Assert.Equal(5, again.Count("unchanged"));
        Assert.Equal(before, await VersionsAsync(client, ns));
    });

    public Task One_changed_object_writes_only_that_object() => InNamespaceAsync(async (ns, client, applier) =>
    {
        await applier.ApplyAsync(Shop(ns), Options(ns));
        string service = (await client.CoreV1.ReadNamespacedServiceAsync("web", ns)).Metadata.ResourceVersion;

        ApplyReport changed = await applier.ApplyAsync(Shop(ns, image: "registry.k8s.io/pause:3.9"), Options(ns));

        Assert.Equal(["Deployment.apps/" + ns + "/web"], changed.Changes.Where(c => c.Action == "configured").Select(c => c.Object));
        Assert.Contains("/spec/template/spec/containers/0/image", changed.Changes.Single(c => c.Action == "configured").Fields!);
        Assert.Equal(service, (await client.CoreV1.ReadNamespacedServiceAsync("web", ns)).Metadata.ResourceVersion);
    });

    public Task Prune_deletes_only_what_the_render_dropped() => InNamespaceAsync(async (ns, client, applier) =>
    {
        await applier.ApplyAsync(Shop(ns), Options(ns));
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "not-ours" } }, ns);

        ApplyReport pruned = await applier.ApplyAsync(Shop(ns, withB: false), Options(ns));

        Assert.Equal([$"ConfigMap/{ns}/b"], pruned.Changes.Where(c => c.Action == "pruned").Select(c => c.Object));
        Assert.Equal(["a", "not-ours"], (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items.Select(c => c.Metadata.Name).Where(n => !n.StartsWith("gitops-inventory", StringComparison.Ordinal) && n != "kube-root-ca.crt").Order());
    });

    public Task Health_waits_until_the_deployment_is_available() => InNamespaceAsync(async (ns, _, applier) =>
    {
        await applier.ApplyAsync(Shop(ns), Options(ns));

        await Eventually.True(async () => (await applier.CheckHealthAsync(Options(ns))).All(h => h.Status == HealthStatus.Healthy), "every object healthy", TimeSpan.FromMinutes(3));
        Assert.Contains(await applier.CheckHealthAsync(Options(ns)), h => h.Object == $"Deployment.apps/{ns}/web" && h.Status == HealthStatus.Healthy);
    });

    public Task Drift_is_reported_by_field_and_a_reapply_heals_it() => InNamespaceAsync(async (ns, client, applier) =>
    {
        await applier.ApplyAsync(Shop(ns), Options(ns));
        await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("""{"data":{"value":"changed"}}""", V1Patch.PatchType.MergePatch), "a", ns, fieldManager: "kubectl-edit");
        await client.CoreV1.DeleteNamespacedConfigMapAsync("b", ns);

        IReadOnlyList<DriftedObject> drift = await applier.DetectDriftAsync(Shop(ns), Options(ns));
        Assert.Contains(drift, d => d.Object == $"ConfigMap/{ns}/a" && d.Fields.SequenceEqual(["/data/value"]));
        Assert.Contains(drift, d => d.Object == $"ConfigMap/{ns}/b" && d.Fields.SequenceEqual(["/"]));
        Assert.Equal(2, drift.Count);

        ApplyReport healed = await applier.ApplyAsync(Shop(ns), Options(ns));
        Assert.Equal(2, healed.Writes);
        Assert.Empty(await applier.DetectDriftAsync(Shop(ns), Options(ns)));
    });

    public Task What_the_server_rewrites_is_neither_a_change_nor_drift() => InNamespaceAsync(async (ns, _, applier) =>
    {
        ManifestSet render = Render(ns, Apps.SizedDeployment("sized", Image), Apps.DefaultedServiceAndSecret("sized"));
        await applier.ApplyAsync(render, Options(ns));

        ApplyReport again = await applier.ApplyAsync(render, Options(ns));

        Assert.Equal(0, again.Writes);
        Assert.Empty(await applier.DetectDriftAsync(render, Options(ns)));
    });

    public Task A_field_another_manager_took_over_is_drift_only_when_the_apply_forces() => InNamespaceAsync(async (ns, client, applier) =>
    {
        await applier.ApplyAsync(Shop(ns), Options(ns));
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "web", ns, fieldManager: "kubectl-scale");

        Assert.Empty(await applier.DetectDriftAsync(Shop(ns), Options(ns) with { ForceConflicts = false }));
        var conflict = await Assert.ThrowsAsync<KubernetesApiException>(() => applier.ApplyAsync(Shop(ns, image: "registry.k8s.io/pause:3.9"), Options(ns) with { ForceConflicts = false }));
        Assert.True(conflict.FieldConflict);
        Assert.Contains("kubectl-scale", conflict.Message);

        Assert.Equal(["/spec/replicas"], Assert.Single(await applier.DetectDriftAsync(Shop(ns), Options(ns))).Fields);
        await applier.ApplyAsync(Shop(ns), Options(ns));
        Assert.Equal(1, (await client.AppsV1.ReadNamespacedDeploymentAsync("web", ns)).Spec.Replicas);
    });

    /// <summary>
    /// What a write would change: ConfigMaps' and Services' resourceVersions, and Deployments'
    /// generation (a controller's status updates move their resourceVersion on a real cluster).
    /// The CA bundle a real cluster puts in every namespace is not ours.
    /// </summary>
    static async Task<string[]> VersionsAsync(ClusterClient client, string ns) =>
    [
        .. (await client.CoreV1.ListNamespacedConfigMapAsync(ns)).Items.Where(c => c.Metadata.Name != "kube-root-ca.crt").Select(c => $"{c.Metadata.Name}@{c.Metadata.ResourceVersion}").Order(),
        .. (await client.AppsV1.ListNamespacedDeploymentAsync(ns)).Items.Select(d => $"{d.Metadata.Name}#{d.Metadata.Generation}"),
        .. (await client.CoreV1.ListNamespacedServiceAsync(ns)).Items.Select(s => $"{s.Metadata.Name}@{s.Metadata.ResourceVersion}"),
    ];
}
