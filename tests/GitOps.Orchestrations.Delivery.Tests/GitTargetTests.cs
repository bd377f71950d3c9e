using GitOps.Orchestrations.Testing.Kubernetes;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Delivery.Tests;

/// <summary>The rendered-manifests pattern and <c>git-commit</c>, through the engine, against a repository served by git daemon.</summary>
public sealed class GitTargetTests : IAsyncLifetime
{
    readonly GitRepository source = new();
    readonly GitRepository environment = new();
    readonly string work = Directory.CreateTempSubdirectory("gitops-target-").FullName;
    GitServers servers = null!;
    EngineHost engine = null!;

    public async Task InitializeAsync()
    {
        servers = await GitServers.StartAsync();
        engine = await EngineHost.StartAsync(new EngineHostOptions { Delivery = new DeliveryOptions { CacheDirectory = Path.Combine(work, "cache") } });
        source.Commit("app", ("app/deploy.yaml", Apps.Deployment("api", "api:1.0")), ("app/svc.yaml", Apps.Service("api")));
        environment.Commit("env", ("prod/values.yaml", "# prod settings\nimage:\n  tag: \"1.0\"   # set by the pipeline\n"));
        servers.Publish("env.git", environment);
    }

    public async Task DisposeAsync()
    {
        await engine.DisposeAsync();
        await servers.DisposeAsync();
        source.Dispose();
        environment.Dispose();
        Directory.Delete(work, recursive: true);
    }

    string Workflow => $$$"""
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: hydrate}
        spec:
          params: [{name: tag, default: "1.1"}]
          tasks:
            - name: render
              uses: sync
              with:
                source: {repo: "{{{source.Path}}}", path: app}
                render: {namespace: prod}
                target: {git: {repo: "{{{servers.GitUrl}}}/env.git", branch: main, path: prod/manifests}}
            - name: bump
              uses: git-commit
              depends: render
              with:
                repo: "{{{servers.GitUrl}}}/env.git"
                message: "prod: api {{params.tag}}"
                sourceCommit: "{{tasks.render.outputs.revision}}"
                files: [{file: prod/values.yaml, path: image.tag, value: "{{params.tag}}"}]
        """;

    async Task<RunStatus> RunAsync()
    {
        RunStatus status = await engine.Runs.RunToEndAsync(Workflow);
        Assert.True(status.Phase == WorkflowPhase.Succeeded, string.Join("\n", status.Nodes.Select(n => $"{n.Name}: {n.Phase} {n.Message}")));
        return status;
    }

    [Fact]
    public async Task Renders_into_the_environment_repository_edits_values_in_place_and_commits_nothing_the_second_time()
    {
        RunStatus first = await RunAsync();
        NodeStatus render = first.Nodes.Single(n => n.Name == "render");
        Assert.True(render.Outputs["changed"].GetBoolean());
        string manifest = servers.Read("env.git", "prod/manifests/manifest.yaml")!;
        Assert.Contains("kind: Deployment", manifest);
        Assert.Contains("namespace: prod", manifest);
        Assert.Equal("# prod settings\nimage:\n  tag: \"1.1\"   # set by the pipeline\n", servers.Read("env.git", "prod/values.yaml"));
        using (var bare = new LibGit2Sharp.Repository(Path.Combine(servers.Root, "env.git")))
        {
            LibGit2Sharp.Commit head = bare.Branches["main"].Tip;
            Assert.Contains($"Source-Commit: {source.Head}", head.Message);
            Assert.Contains($"Source-Commit: {source.Head}", head.Parents.Single().Message);
        }

        string headAfterFirst = servers.Head("env.git");
        RunStatus second = await RunAsync();
        Assert.False(second.Nodes.Single(n => n.Name == "render").Outputs["changed"].GetBoolean());
        Assert.False(second.Nodes.Single(n => n.Name == "bump").Outputs["changed"].GetBoolean());
        Assert.Equal(headAfterFirst, servers.Head("env.git"));
    }

    [Fact]
    public async Task An_enforce_policy_violation_commits_nothing_to_the_environment_repository()
    {
        string before = servers.Read("env.git", "prod/values.yaml")!;
        RunStatus status = await engine.Runs.RunToEndAsync($$$"""
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: guarded-hydrate}
            spec:
              tasks:
                - name: render
                  uses: sync
                  with:
                    source: {repo: "{{{source.Path}}}", path: app}
                    target: {git: {repo: "{{{servers.GitUrl}}}/env.git", branch: main, path: prod/manifests}}
                    policies: [two-replicas]
            ---
            apiVersion: kyverno.io/v1
            kind: ClusterPolicy
            metadata: {name: two-replicas}
            spec:
              validationFailureAction: Enforce
              rules:
                - name: floor
                  match:
                    any:
                      - resources: {kinds: [Deployment]}
                  validate:
                    message: "run three replicas or more"
                    pattern:
                      spec: {replicas: ">=3"}
            """);

        NodeStatus render = status.Nodes.Single();
        Assert.Equal(NodePhase.Failed, render.Phase);
        Assert.Contains("Deployment.apps/api: ClusterPolicy/two-replicas rule floor (Enforce)", render.Message);
        Assert.Null(servers.Read("env.git", "prod/manifests/manifest.yaml"));
        Assert.Equal(before, servers.Read("env.git", "prod/values.yaml"));
    }
}
