using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>
/// Each bad input ends in a Failed node that carries the tool's or server's message, applies
/// nothing, and shows no secret in the run's status.
/// </summary>
public sealed class BadInputTests : IAsyncLifetime
{
    readonly KubeApiServer cluster = new();
    readonly GitRepository repo = new();
    readonly string work = Directory.CreateTempSubdirectory("gitops-bad-").FullName;
    EngineHost engine = null!;
    GitServers servers = null!;

    public async Task InitializeAsync()
    {
        await cluster.InitializeAsync();
        servers = await GitServers.StartAsync();
        engine = await EngineHost.StartAsync(new EngineHostOptions { Delivery = new DeliveryOptions { CacheDirectory = Path.Combine(work, "cache"), Clusters = cluster.Clusters(work) } });
        repo.Commit("cases",
            ("no-kind/cm.yaml", "apiVersion: v1\nmetadata: {name: a}\n"),
            ("duplicate/a.yaml", Apps.ConfigMap("same", "1", ns: "default")),
            ("duplicate/b.yaml", Apps.ConfigMap("same", "2", ns: "default")),
            ("half/ok.yaml", Apps.ConfigMap("ok", "1", ns: "default")),
            ("half/bad.yaml", Apps.ConfigMap("Not_Valid", "1", ns: "default")),
            ("kustomize-error/kustomization.yaml", "resources: [nowhere.yaml]\n"),
            ("good/cm.yaml", Apps.ConfigMap("good", "1", ns: "default")));
        servers.Publish("cases.git", repo);
        Environment.SetEnvironmentVariable("GITOPS_BAD_TOKEN", "leaky-password-789");
    }

    public async Task DisposeAsync()
    {
        await engine.DisposeAsync();
        await servers.DisposeAsync();
        await cluster.DisposeAsync();
        repo.Dispose();
        Directory.Delete(work, recursive: true);
    }

    [Fact]
    public async Task A_with_block_of_the_wrong_shape_fails_the_node_and_names_the_field()
    {
        NodeStatus node = await SyncAsync(Local("good"), "{images: not-a-list}");
        Assert.True(node.Phase.IsFailure());
        Assert.StartsWith("with.render.images: ", node.Message);
    }

    async Task<NodeStatus> SyncAsync(string source, string render = "{}")
    {
        string yaml = $$$"""
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: bad}
            spec:
              tasks:
                - name: sync
                  uses: sync
                  with:
                    source: {{{source}}}
                    render: {{{render}}}
                    target: {kubernetes: {namespace: default}}
            """;
        RunStatus status = await engine.Runs.RunToEndAsync(yaml);
        Assert.Contains(status.Phase, new[] { WorkflowPhase.Failed, WorkflowPhase.Errored });
        Assert.DoesNotContain("leaky-password-789", System.Text.Json.JsonSerializer.Serialize(status));
        return status.Nodes.Single();
    }

    [Fact]
    public async Task A_target_names_a_configured_cluster_never_a_kubeconfig_path()
    {
        NodeStatus byPath = await SyncToAsync("{kubernetes: {kubeconfig: /etc/passwd}}");
        Assert.Contains("with.target.kubernetes", byPath.Message, StringComparison.Ordinal);
        Assert.Contains("kubeconfig", byPath.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("root:", byPath.Message, StringComparison.Ordinal);

        NodeStatus unknown = await SyncToAsync("{kubernetes: {cluster: prod}}");
        Assert.Equal("no cluster 'prod' is configured on this host (configured: default)", unknown.Message);
    }

    async Task<NodeStatus> SyncToAsync(string target)
    {
        RunStatus status = await engine.Runs.RunToEndAsync($$$"""
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: clusters}
            spec:
              tasks:
                - name: sync
                  uses: sync
                  with:
                    source: {{{Local("good")}}}
                    target: {{{target}}}
            """);
        return status.Nodes.Single();
    }

    string Local(string path) => $"{{repo: \"{repo.Path}\", path: {path}}}";

    [Theory]
    [InlineData("no-kind", "kind is missing", "no-kind/cm.yaml:1:1")]
    [InlineData("duplicate", "ConfigMap/default/same is defined 2 times", "duplicate/b.yaml:1:1")]
    [InlineData("half", "Not_Valid", "half/bad.yaml:1:1")]
    [InlineData("../escape", "must stay inside the repository", null)]
    public async Task A_bad_render_fails_the_node_and_applies_nothing(string path, string message, string? position)
    {
        NodeStatus node = await SyncAsync(Local(path));
        Assert.Equal(NodePhase.Failed, node.Phase);
        Assert.Contains(message, node.Message);
        if (position is not null)
        {
            Assert.Contains(position, node.Message);
        }

        Assert.Equal(0, cluster.Writes);
    }

    [Fact]
    public async Task A_kustomize_error_fails_the_node_with_kustomizes_message()
    {
        NodeStatus node = await SyncAsync(Local("kustomize-error"), "{type: kustomize}");
        Assert.Equal(NodePhase.Failed, node.Phase);
        Assert.Contains("nowhere.yaml", node.Message);
        Assert.Equal(0, cluster.Writes);
    }

    [Fact]
    public async Task An_unreachable_repository_fails_the_node()
    {
        NodeStatus node = await SyncAsync("{repo: \"git://127.0.0.1:1/gone.git\", path: good}");
        Assert.Equal(NodePhase.Failed, node.Phase);
        Assert.Contains("git://127.0.0.1:1/gone.git", node.Message);
    }

    [Fact]
    public async Task Bad_credentials_fail_the_node_without_showing_them()
    {
        NodeStatus node = await SyncAsync($"{{repo: \"{servers.HttpUrl}/cases.git\", path: good, auth: {{tokenEnv: GITOPS_BAD_TOKEN}}}}");
        Assert.Equal(NodePhase.Failed, node.Phase);
        Assert.Contains($"{servers.HttpUrl}/cases.git", node.Message);
        Assert.DoesNotContain("leaky-password-789", node.Message);
    }

    [Fact]
    public async Task An_unknown_render_type_fails_the_node()
    {
        NodeStatus node = await SyncAsync(Local("good"), "{type: jsonnet}");
        Assert.Contains("unknown render type 'jsonnet'", node.Message);
    }
}
