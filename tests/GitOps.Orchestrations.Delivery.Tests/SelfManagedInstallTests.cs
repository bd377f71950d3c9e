using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;
using k8s;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>
/// GitOps on itself: workflows/gitops-self.yaml, as shipped, renders deploy/kubernetes's
/// self-managed overlay from a Git repository, waits for its approval, applies it to the API
/// fixture with the engine's own sync, sees both replicas healthy, and finds no drift.
/// </summary>
public sealed class SelfManagedInstallTests : IAsyncLifetime
{
    readonly KubeApiServer cluster = new();
    readonly GitRepository repo = new();
    readonly string work = Directory.CreateTempSubdirectory("gitops-self-").FullName;
    EngineHost engine = null!;
    DeploymentController controller = null!;

    public async Task InitializeAsync()
    {
        await cluster.InitializeAsync();
        controller = new DeploymentController(cluster);
        engine = await EngineHost.StartAsync(new EngineHostOptions { Delivery = new DeliveryOptions { CacheDirectory = Path.Combine(work, "cache"), Clusters = cluster.Clusters(work) } });

        // The repository as an operator's fork holds it: deploy/kubernetes and the workflow, as shipped.
        string root = RepositoryRoot.Path;
        var files = Directory.GetFiles(KubernetesInstall.Source, "*", SearchOption.AllDirectories)
            .Select(f => (Path.GetRelativePath(root, f).Replace('\\', '/'), File.ReadAllText(f)))
            .Where(f => !f.Item1.EndsWith("/secrets.env", StringComparison.Ordinal) && !f.Item1.EndsWith("/keys.json", StringComparison.Ordinal))
            .Append(("workflows/gitops-self.yaml", File.ReadAllText(Path.Combine(root, "workflows", "gitops-self.yaml"))));
        repo.Commit("the gitops server's manifests", [.. files]);
    }

    public async Task DisposeAsync()
    {
        await engine.DisposeAsync();
        await controller.DisposeAsync();
        await cluster.DisposeAsync();
        repo.Dispose();
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task The_shipped_workflow_upgrades_the_server_after_an_approval_and_it_becomes_healthy_without_drift()
    {
        // The namespace was made when the server was first installed (the namespaced overlay).
        await ApplyNamespaceAsync("gitops");
        WorkflowSnapshot snapshot = WorkflowSnapshots.Load(File.ReadAllText(Path.Combine(repo.Path, "workflows", "gitops-self.yaml")));
        var parameters = new Dictionary<string, string> { ["repo"] = repo.Path, ["image"] = "registry.example.com/gitops:0.17.0" };
        string id = await engine.Runs.StartAsync(snapshot, parameters, "olga", $"gitops-self-{Guid.NewGuid():N}");

        await Eventually.True(async () => (await engine.Runs.GetAsync(id))!.Gates.Count == 1, "the approval gate", TimeSpan.FromMinutes(1));
        RunStatus waiting = (await engine.Runs.GetAsync(id))!;
        Assert.Null(cluster.Get("apps/v1", "Deployment", "gitops", "gitops"));
        Assert.StartsWith("dry run: 6 created, 0 configured", waiting.Nodes.Single(n => n.Name == "plan").Message, StringComparison.Ordinal);
        await engine.Runs.DecideAsync(id, "approve", new Engine.TaskTypes.ApprovalDecision("approve", "alice", "upgrade"));

        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        RunStatus run = await engine.Runs.WatchAsync(id, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(100), timeout.Token);
        Assert.True(run.Phase == WorkflowPhase.Succeeded, string.Join("\n", run.Nodes.Select(n => $"{n.Name}: {n.Phase} {n.Message}")));
        Assert.Equal("in sync", run.Nodes.Single(n => n.Name == "drift").Message);

        var deployment = cluster.Get("apps/v1", "Deployment", "gitops", "gitops")!;
        Assert.Equal("registry.example.com/gitops:0.17.0", (string?)deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]);
        Assert.Equal(2, (long?)deployment["status"]!["availableReplicas"]);
        foreach ((string apiVersion, string kind, string name) in new[] { ("v1", "ConfigMap", "gitops-config"), ("v1", "Service", "gitops"), ("v1", "ServiceAccount", "gitops"), ("policy/v1", "PodDisruptionBudget", "gitops"), ("networking.k8s.io/v1", "NetworkPolicy", "gitops") })
        {
            Assert.NotNull(cluster.Get(apiVersion, kind, "gitops", name));
        }
    }

    async Task ApplyNamespaceAsync(string name)
    {
        using var client = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(cluster.WriteKubeconfig(work)));
        await client.CoreV1.CreateNamespaceAsync(new k8s.Models.V1Namespace { Metadata = new k8s.Models.V1ObjectMeta { Name = name } });
    }
}
