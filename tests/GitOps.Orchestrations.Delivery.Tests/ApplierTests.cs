using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Testing.Kubernetes;
using k8s;
using k8s.Models;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>Server-side apply, no-op detection, prune, drift and health against the API fixture, through the real client.</summary>
public sealed class ApplierTests : IAsyncLifetime
{
    readonly KubeApiServer server = new();
    ClusterClient client = null!;
    KubernetesApplier applier = null!;

    static readonly ApplyOptions App = new() { Application = "shop", Namespace = "shop", Prune = true };

    public async Task InitializeAsync()
    {
        await server.InitializeAsync();
        string kubeconfig = server.WriteKubeconfig(Path.Combine(Path.GetTempPath(), $"kube-{Guid.NewGuid():N}"));
        client = ClusterClient.Connect(new ClusterSpec { Kubeconfig = kubeconfig });
        applier = new KubernetesApplier(client);
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await server.DisposeAsync();
    }

    public static ManifestSet Render(params string[] documents)
    {
        var diagnostics = new List<Diagnostic>();
        IReadOnlyList<Manifest> manifests = ManifestReader.Read("app.yaml", string.Join("\n---\n", documents), diagnostics);
        Assert.Empty(diagnostics);
        return ManifestSet.Build(manifests, ManifestOverrides.None);
    }

    static ManifestSet Shop(string image = "shop:1.0", int replicas = 2, bool withCache = true) =>
        Render([Apps.Namespace("shop"), Apps.Deployment("web", image, replicas), Apps.Service("web"), .. withCache ? [Apps.ConfigMap("cache", "on")] : Array.Empty<string>()]);

    [Fact]
    public async Task First_apply_creates_in_order_and_reapplying_the_same_render_writes_nothing()
    {
        ApplyReport first = await applier.ApplyAsync(Shop(), App);
        Assert.Equal(4, first.Count("created"));
        Assert.Equal("PATCH /api/v1/namespaces/shop", server.WriteLog.First());
        Assert.NotNull(server.Get("apps/v1", "Deployment", "shop", "web"));

        int writes = server.Writes;
        ApplyReport again = await applier.ApplyAsync(Shop(), App);
        Assert.Equal(4, again.Count("unchanged"));
        Assert.Equal(0, again.Writes);
        Assert.Equal(writes, server.Writes);
    }

    [Fact]
    public async Task Changing_one_object_writes_exactly_that_object()
    {
        await applier.ApplyAsync(Shop(), App);
        int writes = server.Writes;
        ApplyReport report = await applier.ApplyAsync(Shop(image: "shop:1.1"), App);
        Assert.Equal(1, report.Writes);
        Assert.Equal(writes + 1, server.Writes);
        Assert.Equal("PATCH /apis/apps/v1/namespaces/shop/deployments/web", server.WriteLog.Last());
        ObjectChange change = Assert.Single(report.Changes, c => c.Action == "configured");
        Assert.Contains("/spec/template/spec/containers/0/image", change.Fields!);
        Assert.Equal("shop:1.1", (string?)server.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
    }

    [Fact]
    public async Task Prune_deletes_only_what_the_inventory_owns_and_respects_the_opt_out()
    {
        await applier.ApplyAsync(Render(Apps.Namespace("shop"), Apps.ConfigMap("keep", "1"), Apps.ConfigMap("drop", "1"),
            Apps.ConfigMap("guarded", "1").Replace("metadata:\n  name: guarded", "metadata:\n  name: guarded\n  annotations:\n    gitops.orchestrations/prune: disabled")), App);
        await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "someone-elses" } }, "shop");

        ApplyReport report = await applier.ApplyAsync(Render(Apps.Namespace("shop"), Apps.ConfigMap("keep", "1")), App);

        Assert.Equal(["ConfigMap/shop/drop"], report.Changes.Where(c => c.Action == "pruned").Select(c => c.Object));
        Assert.Equal(["ConfigMap/shop/guarded"], report.Changes.Where(c => c.Action == "kept").Select(c => c.Object));
        Assert.Null(server.Get("v1", "ConfigMap", "shop", "drop"));
        Assert.NotNull(server.Get("v1", "ConfigMap", "shop", "guarded"));
        Assert.NotNull(server.Get("v1", "ConfigMap", "shop", "someone-elses"));
    }

    [Fact]
    public async Task A_render_the_server_refuses_applies_nothing()
    {
        ManifestSet bad = Render(Apps.Namespace("default-ok").Replace("default-ok", "default"), Apps.ConfigMap("good", "1", ns: "default"), Apps.ConfigMap("Bad_Name", "1", ns: "default"));
        var error = await Assert.ThrowsAsync<ManifestException>(() => applier.ApplyAsync(bad, App with { Namespace = "default" }));
        Assert.Contains("Bad_Name", error.Message);
        Assert.Contains("app.yaml:", error.Message);
        Assert.Equal(0, server.Writes);
    }

    [Fact]
    public async Task Dry_run_shows_a_readable_diff_and_writes_nothing()
    {
        await applier.ApplyAsync(Shop(), App);
        int writes = server.Writes;
        ApplyReport plan = await applier.ApplyAsync(Shop(replicas: 3), App with { DryRun = true });
        Assert.Equal(writes, server.Writes);
        Assert.Contains("--- live Deployment.apps/shop/web", plan.Diff);
        Assert.Contains("-  replicas: 2", plan.Diff);
        Assert.Contains("+  replicas: 3", plan.Diff);
        Assert.DoesNotContain("ConfigMap", plan.Diff);
    }

    [Fact]
    public async Task Drift_names_the_field_respects_ignore_rules_and_a_reapply_heals_it()
    {
        await applier.ApplyAsync(Shop(), App);
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"replicas\":7}}", V1Patch.PatchType.MergePatch), "web", "shop", fieldManager: "kubectl-edit");
        await client.CoreV1.DeleteNamespacedConfigMapAsync("cache", "shop");

        IReadOnlyList<DriftedObject> drift = await applier.DetectDriftAsync(Shop(), App);
        Assert.Contains(drift, d => d.Object == "Deployment.apps/shop/web" && d.Fields.SequenceEqual(["/spec/replicas"]));
        Assert.Contains(drift, d => d.Object == "ConfigMap/shop/cache" && d.Fields.SequenceEqual(["/"]));

        var hpa = App with { Ignore = [new IgnoreDifference { Kind = "Deployment", JsonPointers = ["/spec/replicas"] }] };
        Assert.DoesNotContain(await applier.DetectDriftAsync(Shop(), hpa), d => d.Object.StartsWith("Deployment", StringComparison.Ordinal));

        ApplyReport healed = await applier.ApplyAsync(Shop(), App);
        Assert.Equal(2, healed.Writes);
        Assert.Empty(await applier.DetectDriftAsync(Shop(), App));
        Assert.Equal(2, (long?)server.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["replicas"]);
    }

    [Fact]
    public async Task Ignored_fields_another_controller_changed_are_not_written_back()
    {
        var hpa = App with { Ignore = [new IgnoreDifference { Kind = "Deployment", JsonPointers = ["/spec/replicas"] }] };
        await applier.ApplyAsync(Shop(), hpa);
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"replicas\":6}}", V1Patch.PatchType.MergePatch), "web", "shop", fieldManager: "horizontal-pod-autoscaler");
        int writes = server.Writes;
        ApplyReport report = await applier.ApplyAsync(Shop(), hpa);
        Assert.Equal(0, report.Writes);
        Assert.Equal(writes, server.Writes);
        Assert.Equal(6, (long?)server.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["replicas"]);
    }

    [Fact]
    public async Task Without_force_a_field_another_manager_owns_is_a_conflict_with_the_servers_message()
    {
        await applier.ApplyAsync(Shop(), App);
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"replicas\":7}}", V1Patch.PatchType.MergePatch), "web", "shop", fieldManager: "kubectl-edit");
        var conflict = await Assert.ThrowsAsync<KubernetesApiException>(() => applier.ApplyAsync(Shop(replicas: 3), App with { ForceConflicts = false }));
        Assert.True(conflict.FieldConflict);
        Assert.Contains("kubectl-edit", conflict.Message);
    }

    [Fact]
    public async Task Throttling_and_server_errors_are_retried()
    {
        server.FailNext(3, 503);
        ApplyReport report = await applier.ApplyAsync(Shop(), App);
        Assert.Equal(4, report.Count("created"));
        server.FailNext(2, 429);
        Assert.Equal(0, (await applier.ApplyAsync(Shop(), App)).Writes);
    }

    [Fact]
    public async Task Health_follows_observedGeneration_and_rollout_status()
    {
        await applier.ApplyAsync(Shop(), App);
        IReadOnlyList<ObjectHealth> before = await applier.CheckHealthAsync(App);
        Assert.Equal(HealthStatus.Progressing, before.Single(h => h.Object == "Deployment.apps/shop/web").Status);
        Assert.Equal(HealthStatus.Healthy, before.Single(h => h.Object == "Service/shop/web").Status);

        await client.AppsV1.PatchNamespacedDeploymentStatusAsync(new V1Patch(
            "{\"status\":{\"observedGeneration\":1,\"replicas\":2,\"updatedReplicas\":2,\"availableReplicas\":2,\"readyReplicas\":2}}", V1Patch.PatchType.MergePatch), "web", "shop");
        Assert.All(await applier.CheckHealthAsync(App), h => Assert.Equal(HealthStatus.Healthy, h.Status));

        await applier.ApplyAsync(Shop(image: "shop:2.0"), App);
        Assert.Equal(HealthStatus.Progressing, (await applier.CheckHealthAsync(App)).Single(h => h.Object == "Deployment.apps/shop/web").Status);
    }

    [Fact]
    public async Task A_custom_resource_applies_after_its_definition_and_reports_Ready()
    {
        const string crd = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: widgets.example.com
            spec:
              group: example.com
              scope: Namespaced
              names: {kind: Widget, plural: widgets, singular: widget}
              versions:
                - name: v1
                  served: true
                  storage: true
                  subresources: {status: {}}
            """;
        const string widget = """
            apiVersion: example.com/v1
            kind: Widget
            metadata:
              name: w1
            spec:
              size: 3
            """;
        ApplyReport report = await applier.ApplyAsync(Render(widget, crd, Apps.Namespace("shop")), App);
        Assert.Equal(3, report.Count("created"));
        Assert.Equal(["PATCH /api/v1/namespaces/shop", "PATCH /apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", "PATCH /apis/example.com/v1/namespaces/shop/widgets/w1"], server.WriteLog.Take(3));

        await client.CustomObjects.PatchNamespacedCustomObjectStatusAsync(new V1Patch("{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\",\"message\":\"warming up\"}]}}", V1Patch.PatchType.MergePatch), "example.com", "v1", "shop", "widgets", "w1");
        ObjectHealth health = (await applier.CheckHealthAsync(App)).Single(h => h.Object == "Widget.example.com/shop/w1");
        Assert.Equal(HealthStatus.Progressing, health.Status);
        Assert.Contains("warming up", health.Message);
    }
}
