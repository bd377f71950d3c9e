using GitOps.Orchestrations.Testing.Kubernetes;
using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Kubernetes;
using k8s;
using k8s.Models;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>Runs only when <c>KUBECONFIG</c> names a cluster; otherwise xunit reports it skipped, with this reason.</summary>
public sealed class RealClusterFactAttribute : FactAttribute
{
    public RealClusterFactAttribute()
    {
        string? kubeconfig = Environment.GetEnvironmentVariable("KUBECONFIG");
        if (string.IsNullOrEmpty(kubeconfig) || !File.Exists(kubeconfig.Split(Path.PathSeparator)[0]))
        {
            Skip = "needs a real cluster: set KUBECONFIG to a kubeconfig file (no Kubernetes API server can run on the CI machine; the API fixture covers these paths there)";
        }
    }
}

/// <summary>The applier against a real API server, in a namespace of its own that is deleted afterwards.</summary>
public sealed class RealClusterTests
{
    [RealClusterFact]
    public async Task Apply_is_a_no_op_the_second_time_then_drift_is_found_and_prune_deletes()
    {
        string ns = $"gitops-e2e-{Guid.NewGuid():N}"[..24];
        using ClusterClient client = ClusterClient.Connect(new ClusterSpec { Kubeconfig = Environment.GetEnvironmentVariable("KUBECONFIG")!.Split(Path.PathSeparator)[0] });
        var applier = new KubernetesApplier(client);
        var options = new ApplyOptions { Application = "e2e", Namespace = ns, Prune = true };
        ManifestSet Render(params string[] docs) => ApplierTests.Render([Apps.Namespace(ns), .. docs]);
        try
        {
            ApplyReport first = await applier.ApplyAsync(Render(Apps.ConfigMap("a", "1"), Apps.ConfigMap("b", "1"), Apps.Service("web")), options);
            Assert.Equal(4, first.Count("created"));
            string version = (await client.CoreV1.ReadNamespacedConfigMapAsync("a", ns)).Metadata.ResourceVersion;

            ApplyReport again = await applier.ApplyAsync(Render(Apps.ConfigMap("a", "1"), Apps.ConfigMap("b", "1"), Apps.Service("web")), options);
            Assert.Equal(0, again.Writes);
            Assert.Equal(version, (await client.CoreV1.ReadNamespacedConfigMapAsync("a", ns)).Metadata.ResourceVersion);

            await client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch("{\"data\":{\"value\":\"changed\"}}", V1Patch.PatchType.MergePatch), "a", ns, fieldManager: "kubectl-edit");
            Assert.Contains(await applier.DetectDriftAsync(Render(Apps.ConfigMap("a", "1"), Apps.ConfigMap("b", "1"), Apps.Service("web")), options),
                d => d.Object == $"ConfigMap/{ns}/a" && d.Fields.SequenceEqual(["/data/value"]));

            ApplyReport pruned = await applier.ApplyAsync(Render(Apps.ConfigMap("a", "1"), Apps.Service("web")), options);
            Assert.Equal([$"ConfigMap/{ns}/b"], pruned.Changes.Where(c => c.Action == "pruned").Select(c => c.Object));
        }
        finally
        {
            await client.CoreV1.DeleteNamespaceAsync(ns);
        }
    }
}
