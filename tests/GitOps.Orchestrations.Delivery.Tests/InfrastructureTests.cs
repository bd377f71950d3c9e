using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Kubernetes;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;
using k8s;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>
/// The shipped workflow that provisions a database through Crossplane, run against the API fixture
/// with a simulated Crossplane controller that follows the documented claim conditions: the app is
/// synced only once the claim is Ready and its connection Secret exists; a reconcile error fails the
/// database step at once with Crossplane's message, and the app is never synced.
/// </summary>
public sealed class InfrastructureTests : IAsyncLifetime
{
    readonly KubeApiServer cluster = new();
    readonly GitRepository repo = new();
    readonly string work = Directory.CreateTempSubdirectory("gitops-infra-").FullName;
    DeploymentController deployments = null!;
    CrossplaneController crossplane = null!;
    EngineHost engine = null!;

    static string Example(string path) => File.ReadAllText(Path.Combine(RepositoryRoot.Path, path));

    public async Task InitializeAsync()
    {
        await cluster.InitializeAsync();
        IReadOnlyList<Manifest> setup = ManifestReader.Read("setup.yaml", CrossplaneController.ClaimDefinition + "\n---\n" + Apps.Namespace("shop"), []);
        using (ClusterClient client = ClusterClient.Connect(new ClusterSpec { Kubeconfig = cluster.WriteKubeconfig(work, "setup") }))
        {
            await new KubernetesApplier(client).ApplyAsync(ManifestSet.Build(setup, ManifestOverrides.None), new ApplyOptions { Application = "crossplane", Namespace = "default" });
        }

        deployments = new DeploymentController(cluster, TimeSpan.FromMilliseconds(100));
        crossplane = new CrossplaneController(cluster);
        engine = await EngineHost.StartAsync(new EngineHostOptions { Delivery = new DeliveryOptions { CacheDirectory = Path.Combine(work, "cache"), Clusters = cluster.Clusters(work) } });
    }

    public async Task DisposeAsync()
    {
        await engine.DisposeAsync();
        await crossplane.DisposeAsync();
        await deployments.DisposeAsync();
        await cluster.DisposeAsync();
        repo.Dispose();
        Directory.Delete(work, recursive: true);
    }

    Task<RunStatus> ProvisionAsync(string claim)
    {
        repo.Commit("shop-db",
            ("deploy/examples/shop-db/claim/postgres.yaml", claim),
            ("deploy/examples/shop-db/app/deployment.yaml", Example("deploy/examples/shop-db/app/deployment.yaml")));
        return engine.Runs.RunToEndAsync(Example("workflows/provision-shop-db.yaml"), new Dictionary<string, string> { ["repo"] = repo.Path });
    }

    [Fact]
    public async Task The_app_is_synced_once_the_claim_is_ready_and_its_connection_secret_exists()
    {
        RunStatus status = await ProvisionAsync(Example("deploy/examples/shop-db/claim/postgres.yaml"));

        Assert.True(status.Phase == WorkflowPhase.Succeeded, string.Join("; ", status.Nodes.Select(n => $"{n.Name}: {n.Phase} {n.Message}")));
        NodeStatus database = status.Nodes.Single(n => n.Name == "database");
        NodeStatus app = status.Nodes.Single(n => n.Name == "app");
        Assert.True(app.StartedAt >= database.FinishedAt);
        Assert.Equal("True", (string?)cluster.Get("database.example.org/v1alpha1", "PostgreSQLInstance", "shop", "shop-db")!["status"]!["conditions"]!.AsArray().Single(c => (string?)c!["type"] == "Ready")!["status"]);
        Assert.NotNull(cluster.Get("v1", "Secret", "shop", "shop-db-conn"));
        Assert.NotNull(cluster.Get("apps/v1", "Deployment", "shop", "shop-api"));
    }

    [Fact]
    public async Task A_reconcile_error_fails_the_database_step_at_once_and_the_app_is_never_synced()
    {
        RunStatus status = await ProvisionAsync(Example("deploy/examples/shop-db/claim/postgres.yaml").Replace("provider: aws", "provider: gcp"));

        Assert.Equal(WorkflowPhase.Failed, status.Phase);
        NodeStatus database = status.Nodes.Single(n => n.Name == "database");
        Assert.Equal(NodePhase.Failed, database.Phase);
        Assert.Contains("PostgreSQLInstance.database.example.org/shop/shop-db: Synced is False (ReconcileError): cannot compose resources: no composition matches", database.Message);
        Assert.True(database.FinishedAt - database.StartedAt < TimeSpan.FromMinutes(1));
        Assert.DoesNotContain(status.Nodes, n => n.Name == "app" && n.Phase == NodePhase.Succeeded);
        Assert.Null(cluster.Get("apps/v1", "Deployment", "shop", "shop-api"));
    }

    /// <summary>The simulated controller itself, against Crossplane's documented claim lifecycle.</summary>
    [Fact]
    public async Task The_simulated_controller_moves_a_claim_through_the_documented_conditions()
    {
        using var client = new k8s.Kubernetes(new k8s.KubernetesClientConfiguration { Host = cluster.Url });
        var claim = System.Text.Json.Nodes.JsonNode.Parse("""
            {"apiVersion":"database.example.org/v1alpha1","kind":"PostgreSQLInstance","metadata":{"name":"orders-db","namespace":"shop"},
             "spec":{"compositionSelector":{"matchLabels":{"provider":"aws"}},"writeConnectionSecretToRef":{"name":"orders-conn"}}}
            """);
        await client.CustomObjects.CreateNamespacedCustomObjectAsync(claim, CrossplaneController.Group, CrossplaneController.Version, "shop", CrossplaneController.Plural);

        string? Condition(string type) => (string?)cluster.Get("database.example.org/v1alpha1", "PostgreSQLInstance", "shop", "orders-db")?["status"]?["conditions"]?.AsArray()
            .FirstOrDefault(c => (string?)c!["type"] == type)?["reason"];
        await Eventually.True(() => Condition("Synced") == "ReconcileSuccess" && Condition("Ready") is "Creating" or "Available", "Synced, then Creating");
        await Eventually.True(() => Condition("Ready") == "Available", "Available");
        Assert.NotNull(cluster.Get("v1", "Secret", "shop", "orders-conn"));
        Assert.Equal(HealthStatus.Healthy, HealthRules.Evaluate(cluster.Get("database.example.org/v1alpha1", "PostgreSQLInstance", "shop", "orders-db")!).Status);
    }
}
