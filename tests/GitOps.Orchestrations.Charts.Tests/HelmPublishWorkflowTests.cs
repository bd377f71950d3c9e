using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Charts.Tests;

/// <summary><c>uses: helm-publish</c> in a workflow: the bronze → silver → gold channels as durable steps.</summary>
public sealed class HelmPublishWorkflowTests : IAsyncLifetime
{
    readonly string work = Directory.CreateTempSubdirectory("gitops-helm-publish-").FullName;
    ChartRepositoryServer server = null!;
    EngineHost engine = null!;
    string gold = null!;

    public async Task InitializeAsync()
    {
        server = await ChartRepositoryServer.StartAsync();
        engine = await EngineHost.StartAsync(new EngineHostOptions());
        gold = BareRepositories.Create(work, "gold.git", ("README.md", "gold\n"));
    }

    public async Task DisposeAsync()
    {
        await engine.DisposeAsync();
        await server.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    string Promote(string version) => $$$"""
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: promote}
        spec:
          tasks:
            - name: silver
              uses: helm-publish
              with: {chart: api, version: "{{{version}}}", from: {{{server.Repository("bronze")}}}, to: {{{server.Repository("silver")}}}}
            - name: gold
              uses: helm-publish
              depends: silver
              with: {chart: api, version: "{{{version}}}", from: {{{server.Repository("silver")}}}, to: {git: {repo: {{{gold}}}, path: charts} }}
        """;

    [Fact]
    public async Task A_chart_reaches_gold_with_identical_bytes_and_a_second_run_changes_nothing()
    {
        byte[] archive = ChartArchives.Create("api", "1.2.3");
        server.Publish("bronze", archive, "api", "1.2.3");

        RunStatus run = await engine.Runs.RunToEndAsync(Promote("1.2.3"));
        Assert.True(run.Phase == WorkflowPhase.Succeeded, string.Join("; ", run.Nodes.Select(n => $"{n.Name}: {n.Message}")));
        string digest = ChartArchive.Sha256(archive);
        Assert.All(run.Nodes, n => Assert.Equal(digest, n.Outputs["digest"].GetString()));
        Assert.StartsWith("published api 1.2.3 (sha256:", run.Nodes.Single(n => n.Name == "gold").Message);

        HelmIndex goldIndex = await ChartRepositoryFactory.Create(new ChartRepositorySpec { Git = new GitChartLocation { Repo = gold, Path = "charts" } }, new HttpClient()).ReadIndexAsync(CancellationToken.None);
        Assert.Equal(digest, goldIndex.Find("api", "1.2.3")!.Digest);

        RunStatus again = await engine.Runs.RunToEndAsync(Promote("1.2.3"));
        Assert.All(again.Nodes, n => Assert.False(n.Outputs["published"].GetBoolean()));
    }

    [Fact]
    public async Task A_digest_mismatch_fails_the_step_and_blocks_the_next_channel()
    {
        server.Publish("bronze", ChartArchives.Create("api", "2.0.0"), "api", "2.0.0", digest: new string('f', 64));

        RunStatus run = await engine.Runs.RunToEndAsync(Promote("2.0.0"));
        Assert.Equal(WorkflowPhase.Failed, run.Phase);
        NodeStatus silver = run.Nodes.Single(n => n.Name == "silver");
        Assert.Equal(NodePhase.Failed, silver.Phase);
        Assert.Contains("digest mismatch for api 2.0.0", silver.Message);
        Assert.Equal(1, silver.Attempts);
        Assert.NotEqual(NodePhase.Succeeded, run.Nodes.Single(n => n.Name == "gold").Phase);
        Assert.Null(server.Text("silver/index.yaml"));
    }
}
