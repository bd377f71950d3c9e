using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Testing.Kubernetes;
using k8s;
using k8s.Models;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>
/// Sync and drift against a server that canonicalises, defaults and tracks field owners as a real
/// API server does: what the server rewrites is never a change, what another manager owns is its
/// own, and the unchanged re-apply stays zero writes.
/// </summary>
public sealed class ServerFidelityTests : IAsyncLifetime
{
    readonly KubeApiServer server = new();
    ClusterClient client = null!;
    KubernetesApplier applier = null!;

    static readonly ApplyOptions App = new() { Application = "api", Namespace = "shop" };

    static readonly string Sized = Apps.SizedDeployment("api", "api:1.0");

    static readonly string Plain = Apps.DefaultedServiceAndSecret("api");

    public async Task InitializeAsync()
    {
        await server.InitializeAsync();
        client = ClusterClient.Connect(new ClusterSpec { Kubeconfig = server.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"kube-{Guid.NewGuid():N}")) });
        await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "shop" } });
        applier = new KubernetesApplier(client);
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await server.DisposeAsync();
    }

    [Fact]
    public async Task Quantities_the_server_rewrites_are_neither_a_change_nor_drift()
    {
        await applier.ApplyAsync(ApplierTests.Render(Sized), App);
        var limits = server.Get("apps/v1", "Deployment", "shop", "api")!["spec"]!["template"]!["spec"]!["containers"]![0]!["resources"]!["limits"]!;
        Assert.Equal(("1", "1Gi"), ((string?)limits["cpu"], (string?)limits["memory"]));

        int writes = server.Writes;
        ApplyReport again = await applier.ApplyAsync(ApplierTests.Render(Sized), App);

        Assert.Equal(0, again.Writes);
        Assert.Equal(writes, server.Writes);
        Assert.Empty(await applier.DetectDriftAsync(ApplierTests.Render(Sized), App));
    }

    [Fact]
    public async Task Defaults_the_server_fills_in_and_a_secrets_string_data_are_not_drift()
    {
        await applier.ApplyAsync(ApplierTests.Render(Sized, Plain), App);
        Assert.Equal("IfNotPresent", (string?)server.Get("apps/v1", "Deployment", "shop", "api")!["spec"]!["template"]!["spec"]!["containers"]![0]!["imagePullPolicy"]);
        Assert.Null(server.Get("v1", "Secret", "shop", "api")!["stringData"]);

        ApplyReport again = await applier.ApplyAsync(ApplierTests.Render(Sized, Plain), App);

        Assert.Equal(0, again.Writes);
        Assert.Empty(await applier.DetectDriftAsync(ApplierTests.Render(Sized, Plain), App));
    }

    [Fact]
    public async Task A_changed_quantity_is_still_a_change()
    {
        await applier.ApplyAsync(ApplierTests.Render(Sized), App);

        ApplyReport bigger = await applier.ApplyAsync(ApplierTests.Render(Sized.Replace("cpu: 1,", "cpu: 2,", StringComparison.Ordinal)), App);

        Assert.Equal(1, bigger.Writes);
        Assert.Contains("/spec/template/spec/containers/0/resources/limits/cpu", Assert.Single(bigger.Changes, c => c.Action == "configured").Fields!);
    }

    [Fact]
    public async Task A_container_another_manager_adds_is_not_drift_and_a_changed_one_is()
    {
        await applier.ApplyAsync(ApplierTests.Render(Sized), App);
        // A mutating admission webhook or a mesh injector adds its sidecar under a manager of its own.
        await client.CustomObjects.PatchNamespacedCustomObjectAsync(
            new V1Patch("""{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"api"},"spec":{"template":{"spec":{"containers":[{"name":"proxy","image":"envoy:1"}]}}}}""", V1Patch.PatchType.ApplyPatch),
            "apps", "v1", "shop", "deployments", "api", fieldManager: "sidecar-injector");
        Assert.Equal(2, server.Get("apps/v1", "Deployment", "shop", "api")!["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Count);

        Assert.Empty(await applier.DetectDriftAsync(ApplierTests.Render(Sized), App));
        Assert.Equal(0, (await applier.ApplyAsync(ApplierTests.Render(Sized), App)).Writes);

        await client.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("""{"spec":{"template":{"spec":{"containers":[{"name":"api","image":"api:0.9"},{"name":"proxy","image":"envoy:1"}]}}}}""", V1Patch.PatchType.MergePatch), "api", "shop", fieldManager: "kubectl-edit");
        DriftedObject drifted = Assert.Single(await applier.DetectDriftAsync(ApplierTests.Render(Sized), App));
        Assert.Contains("/spec/template/spec/containers/0/image", drifted.Fields);
    }

    [Fact]
    public async Task A_field_another_manager_took_over_is_theirs_unless_the_apply_forces()
    {
        await applier.ApplyAsync(ApplierTests.Render(Sized.Replace("spec:\n  selector", "spec:\n  replicas: 2\n  selector", StringComparison.Ordinal)), App);
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":5}}""", V1Patch.PatchType.MergePatch), "api", "shop", fieldManager: "kubectl-scale");
        ManifestSet render = ApplierTests.Render(Sized.Replace("spec:\n  selector", "spec:\n  replicas: 2\n  selector", StringComparison.Ordinal));

        // Leaving conflicts to their owners, the next apply would not touch replicas: no drift, no write.
        ApplyOptions polite = App with { ForceConflicts = false };
        Assert.Empty(await applier.DetectDriftAsync(render, polite));
        Assert.Equal(0, (await applier.ApplyAsync(render, polite)).Writes);
        Assert.Equal(5, (long?)server.Get("apps/v1", "Deployment", "shop", "api")!["spec"]!["replicas"]);

        // Forcing, the next apply takes it back: that is drift, and a re-apply heals it.
        Assert.Equal(["/spec/replicas"], Assert.Single(await applier.DetectDriftAsync(render, App)).Fields);
        Assert.Equal(1, (await applier.ApplyAsync(render, App)).Writes);
        Assert.Equal(2, (long?)server.Get("apps/v1", "Deployment", "shop", "api")!["spec"]!["replicas"]);
    }
}
