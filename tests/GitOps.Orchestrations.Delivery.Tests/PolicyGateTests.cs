using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Policies;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>
/// Policies between render and apply, through real runs against the API fixture: under Enforce a
/// violating sync writes nothing and lists why; under Audit it applies and records; a mutation
/// reaches the cluster; and the server's own policies guard syncs that name none.
/// </summary>
public sealed class PolicyGateTests : IAsyncLifetime
{
    readonly KubeApiServer cluster = new();
    readonly GitRepository repo = new();
    readonly string work = Directory.CreateTempSubdirectory("gitops-policy-").FullName;
    EngineHost engine = null!;

    static string NoLatest(string action) => $$$"""
        ---
        apiVersion: kyverno.io/v1
        kind: ClusterPolicy
        metadata: {name: no-latest}
        spec:
          validationFailureAction: {{{action}}}
          rules:
            - name: pinned-images
              match: {any: [{resources: {kinds: [Pod]}}]}
              validate:
                message: "{{ request.object.metadata.name }} runs a moving tag"
                pattern:
                  spec:
                    containers:
                      - image: "!*:latest"

        """;

    const string AddTeam = """
        ---
        apiVersion: kyverno.io/v1
        kind: ClusterPolicy
        metadata: {name: add-team}
        spec:
          rules:
            - name: team
              match: {any: [{resources: {kinds: [ConfigMap, Deployment]}}]}
              mutate:
                patchStrategicMerge:
                  metadata:
                    labels:
                      +(team): platform
        """;

    public async Task InitializeAsync()
    {
        await cluster.InitializeAsync();
        engine = await StartEngineAsync([]);
        repo.Commit("app",
            ("app/namespace.yaml", Apps.Namespace("shop")),
            ("app/web.yaml", Apps.Deployment("web", "nginx:latest", ns: "shop")),
            ("app/settings.yaml", Apps.ConfigMap("settings", "1", ns: "shop")));
    }

    Task<EngineHost> StartEngineAsync(IReadOnlyList<PolicyDefinition> serverPolicies) =>
        EngineHost.StartAsync(new EngineHostOptions
        {
            Delivery = new DeliveryOptions { CacheDirectory = Path.Combine(work, "cache"), Clusters = cluster.Clusters(work), Policies = serverPolicies },
        });

    public async Task DisposeAsync()
    {
        await engine.DisposeAsync();
        await cluster.DisposeAsync();
        repo.Dispose();
        Directory.Delete(work, recursive: true);
    }

    string Workflow(string policies, string extra = "") => $$$"""
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: guarded}
        spec:
          tasks:
            - name: sync
              uses: sync
              with:
                source: {repo: "{{{repo.Path}}}", path: app}
                target: {kubernetes: {namespace: shop}}
                policies: {{{policies}}}
        {{{extra}}}
        """;

    [Fact]
    public async Task Under_enforce_a_violating_sync_writes_nothing_and_lists_the_violation()
    {
        RunStatus status = await engine.Runs.RunToEndAsync(Workflow("[no-latest, add-team]", NoLatest("Enforce") + AddTeam));

        NodeStatus node = status.Nodes.Single();
        Assert.Equal(NodePhase.Failed, node.Phase);
        Assert.Contains("1 policy violation(s) under Enforce; nothing was written", node.Message);
        Assert.Contains("Deployment.apps/shop/web: ClusterPolicy/no-latest rule pinned-images (Enforce): web runs a moving tag (spec.template.spec.containers[0].image must be '!*:latest')", node.Message);
        JsonElement violation = Assert.Single(node.Outputs!["violations"].EnumerateArray());
        Assert.Equal("spec.template.spec.containers[0].image", violation.GetProperty("path").GetString());
        Assert.Equal(0, cluster.Writes);
        Assert.Null(cluster.Get("v1", "ConfigMap", "shop", "settings"));
    }

    [Fact]
    public async Task Under_audit_the_sync_applies_and_records_the_violation_with_the_mutation()
    {
        RunStatus status = await engine.Runs.RunToEndAsync(Workflow("[no-latest, add-team]", NoLatest("Audit") + AddTeam));

        NodeStatus node = status.Nodes.Single();
        Assert.True(node.Phase == NodePhase.Succeeded, node.Message);
        Assert.Contains("1 policy violation(s) recorded under Audit", node.Message);
        Assert.Equal("Audit", Assert.Single(node.Outputs!["violations"].EnumerateArray()).GetProperty("action").GetString());
        Assert.Equal(2, node.Outputs["mutated"].GetInt32());
        Assert.Equal("platform", (string?)cluster.Get("apps/v1", "Deployment", "shop", "web")!["metadata"]!["labels"]!["team"]);
        Assert.Equal("platform", (string?)cluster.Get("v1", "ConfigMap", "shop", "settings")!["metadata"]!["labels"]!["team"]);
    }

    [Fact]
    public async Task The_servers_policies_guard_a_sync_that_names_none()
    {
        PolicyDefinition serverPolicy = Core.Loading.DocumentLoader.Load("server/no-latest.yaml", NoLatest("Enforce"), Engine.TaskTypes.TaskTypeRegistry.BuiltIn()).Of<PolicyDefinition>().Single();
        await using EngineHost guarded = await StartEngineAsync([serverPolicy]);

        RunStatus status = await guarded.Runs.RunToEndAsync(Workflow("[]"));

        NodeStatus node = status.Nodes.Single();
        Assert.Equal(NodePhase.Failed, node.Phase);
        Assert.Contains("ClusterPolicy/no-latest", node.Message);
        Assert.Equal(0, cluster.Writes);
    }
}
