using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;
using k8s;
using k8s.Models;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>
/// The done-when, end to end: a workflow whose two sync tasks depend on each other applies a
/// real Git repository to the API fixture, re-runs without a write, prunes what Git dropped, and
/// reports and heals drift.
/// </summary>
public sealed class SyncWorkflowTests : IAsyncLifetime
{
    readonly KubeApiServer cluster = new();
    readonly GitRepository repo = new();
    readonly string work = Directory.CreateTempSubdirectory("gitops-sync-").FullName;
    EngineHost engine = null!;
    DeploymentController controller = null!;
    string kubeconfig = null!;

    const string Workflow = """
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: shop}
        spec:
          params: [{name: repo}]
          tasks:
            - name: backend
              uses: sync
              with:
                source: {repo: "{{params.repo}}", path: apps/backend}
                target: {kubernetes: {namespace: shop}}
                prune: true
                wait: {health: true, timeout: 1m, interval: 500ms}
            - name: frontend
              uses: sync
              depends: backend
              with:
                source: {repo: "{{params.repo}}", path: apps/frontend}
                render: {type: kustomize, images: ["web=registry.local/web:2.0"]}
                target: {kubernetes: {namespace: shop}}
                prune: true
        """;

    const string DriftCheck = """
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: shop-drift}
        spec:
          params: [{name: heal, default: "false"}]
          tasks:
            - name: check
              uses: drift
              with:
                name: shop-backend
                target: {kubernetes: {namespace: shop}}
                selfHeal: "{{params.heal}}"
        """;

    public async Task InitializeAsync()
    {
        await cluster.InitializeAsync();
        kubeconfig = cluster.WriteKubeconfig(work);
        controller = new DeploymentController(cluster);
        engine = await EngineHost.StartAsync(new EngineHostOptions { Delivery = new DeliveryOptions { CacheDirectory = Path.Combine(work, "cache"), Clusters = cluster.Clusters(work) } });
        repo.Commit("apps",
            ("apps/backend/namespace.yaml", Apps.Namespace("shop")),
            ("apps/backend/api.yaml", Apps.Deployment("api", "registry.local/api:1.0") + "\n---\n" + Apps.Service("api")),
            ("apps/backend/settings.yaml", Apps.ConfigMap("api-settings", "v1")),
            ("apps/frontend/kustomization.yaml", "resources: [web.yaml]\ncommonLabels: {tier: frontend}\n"),
            ("apps/frontend/web.yaml", Apps.Deployment("web", "web:1.0")));
    }

    public async Task DisposeAsync()
    {
        await engine.DisposeAsync();
        await controller.DisposeAsync();
        await cluster.DisposeAsync();
        repo.Dispose();
        Directory.Delete(work, recursive: true);
    }

    Task<RunStatus> RunAsync(string yaml, Dictionary<string, string> parameters) => engine.Runs.RunToEndAsync(yaml, parameters);

    Dictionary<string, string> Params => new() { ["repo"] = repo.Path };

    static void AssertSucceeded(RunStatus status) =>
        Assert.True(status.Phase == WorkflowPhase.Succeeded, string.Join("\n", status.Nodes.Select(n => $"{n.Name}: {n.Phase} {n.Message}")));

    [Fact]
    public async Task Two_dependent_syncs_apply_rerun_without_writes_prune_and_heal_drift()
    {
        RunStatus first = await RunAsync(Workflow, Params);
        AssertSucceeded(first);
        NodeStatus backend = first.Nodes.Single(n => n.Name == "backend");
        NodeStatus frontend = first.Nodes.Single(n => n.Name == "frontend");
        Assert.True(frontend.StartedAt >= backend.FinishedAt, "frontend waits for backend to be applied and healthy");
        Assert.Equal(repo.Head, backend.Outputs["revision"].GetString());
        Assert.Equal("registry.local/web:2.0", (string?)cluster.Get("apps/v1", "Deployment", "shop", "web")!["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal("frontend", (string?)cluster.Get("apps/v1", "Deployment", "shop", "web")!["metadata"]!["labels"]!["tier"]);

        // Re-running the same commit writes nothing at all. The controller's own status write for web
        // (which the run did not wait for) must land first, or it would be counted as the re-run's.
        await Eventually.True(() => (long?)cluster.Get("apps/v1", "Deployment", "shop", "web")?["status"]?["observedGeneration"] is not null, "web's status to be written");
        int writes = cluster.Writes;
        AssertSucceeded(await RunAsync(Workflow, Params));
        Assert.Equal(writes, cluster.Writes);

        // Deleting an object from Git prunes it from the cluster, and only it.
        repo.Delete("apps/backend/settings.yaml");
        RunStatus pruned = await RunAsync(Workflow, Params);
        AssertSucceeded(pruned);
        Assert.Null(cluster.Get("v1", "ConfigMap", "shop", "api-settings"));
        Assert.NotNull(cluster.Get("apps/v1", "Deployment", "shop", "api"));
        Assert.Contains("1 pruned", pruned.Nodes.Single(n => n.Name == "backend").Message);

        // A field changed by hand is drift: reported first, healed with selfHeal.
        using var client = new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        await client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"spec\":{\"replicas\":9}}", V1Patch.PatchType.MergePatch), "api", "shop", fieldManager: "kubectl-edit");
        RunStatus reported = await RunAsync(DriftCheck, new());
        AssertSucceeded(reported);
        NodeStatus check = reported.Nodes.Single();
        Assert.Contains("Deployment.apps/shop/api /spec/replicas", check.Message);
        Assert.False(check.Outputs["healed"].GetBoolean());
        Assert.Equal(9, (long?)cluster.Get("apps/v1", "Deployment", "shop", "api")!["spec"]!["replicas"]);

        RunStatus healed = await RunAsync(DriftCheck, new() { ["heal"] = "true" });
        AssertSucceeded(healed);
        Assert.True(healed.Nodes.Single().Outputs["healed"].GetBoolean());
        Assert.Equal(2, (long?)cluster.Get("apps/v1", "Deployment", "shop", "api")!["spec"]!["replicas"]);
        Assert.Equal("in sync", (await RunAsync(DriftCheck, new())).Nodes.Single().Message);
    }
}
