using System.Text.Json;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Cli.Tests;

/// <summary>A Pipeline in the served folder is started by <c>gitops serve</c> and steered with <c>gitops pipeline</c>.</summary>
public sealed class PipelineCommandTests : IAsyncLifetime
{
    readonly GitRepository repo = new();
    ChartRepositoryServer charts = null!;

    public async Task InitializeAsync() => charts = await ChartRepositoryServer.StartAsync();

    public async Task DisposeAsync()
    {
        await charts.DisposeAsync();
        repo.Dispose();
    }

    [Fact]
    public async Task Serve_runs_the_pipeline_and_status_approve_history_and_promote_go_through_the_api()
    {
        byte[] archive = ChartArchives.Create("api", "1.2.3");
        charts.Publish("bronze", archive, "api", "1.2.3");
        repo.Commit("pipeline", ("workflows/api.yaml", $$$"""
            apiVersion: gitops.orchestrations/v1
            kind: Pipeline
            metadata: {name: api}
            spec:
              sources:
                - {name: chart, helmRepository: {url: {{{charts.Repository("bronze")}}}, chart: api, version: "^1.2"}}
              stages:
                - name: dev
                  from: sources
                  autoPromote: true
                  promotion: {uses: helm-publish, with: {chart: api, version: "{{params.chart}}", from: {{{charts.Repository("bronze")}}}, to: {{{charts.Repository("dev")}}}}}
                - name: prod
                  from: [dev]
                  autoPromote: true
                  approval: {approvers: [alice]}
                  promotion: {uses: helm-publish, with: {chart: api, version: "{{params.chart}}", from: {{{charts.Repository("dev")}}}, to: {{{charts.Repository("gold")}}}}}
            """));
        await using ServerProcess server = await ServerProcess.StartAsync("memory", repo.Path, new Dictionary<string, string> { ["GitOps__PipelinePollIntervalSeconds"] = "0.5" });
        string[] As(string user) => ["--server", server.BaseUrl, "--api-key", ServerProcess.KeyOf(user)];

        string last = string.Empty;
        try
        {
            await Eventually.True(async () => (last = (await Gitops.RunAsync(["pipeline", "status", "api", .. As("victor")])) is var r ? r.Stdout + r.Stderr : string.Empty).Contains("0/1 approvals", StringComparison.Ordinal), "prod to wait for an approval", TimeSpan.FromMinutes(1));
        }
        catch (TimeoutException e)
        {
            throw new TimeoutException($"{e.Message}; last status: {last}; server: {server.Output}");
        }
        CliResult status = await Gitops.RunAsync(["pipeline", "status", "api", "-o", "json", .. As("victor")]);
        JsonElement json = JsonDocument.Parse(status.Stdout).RootElement;
        string freight = json.GetProperty("freight")[0].GetProperty("id").GetString()!;
        Assert.Equal(freight, json.GetProperty("stages").GetProperty("dev").GetProperty("current").GetString());
        Assert.Equal(archive, charts.File("dev/api-1.2.3.tgz"));

        CliResult viewer = await Gitops.RunAsync(["pipeline", "approve", "api", "--stage", "prod", "--freight", freight, .. As("victor")]);
        Assert.Equal(1, viewer.ExitCode);
        Assert.Contains("403", viewer.Stderr, StringComparison.Ordinal);
        CliResult unlisted = await Gitops.RunAsync(["pipeline", "approve", "api", "--stage", "prod", "--freight", freight, .. As("sam")]);
        Assert.Equal(1, unlisted.ExitCode);
        Assert.Contains("is not among the gate's approvers (alice)", unlisted.Stderr, StringComparison.Ordinal);
        CliResult unknown = await Gitops.RunAsync(["pipeline", "approve", "api", "--stage", "qa", "--freight", freight, .. As("alice")]);
        Assert.Contains("has no stage 'qa' (stages: dev, prod)", unknown.Stderr, StringComparison.Ordinal);

        Assert.Equal(0, (await Gitops.RunAsync(["pipeline", "approve", "api", "--stage", "prod", "--freight", freight, "-m", "ship it", .. As("alice")])).ExitCode);
        await Eventually.True(() => charts.File("gold/api-1.2.3.tgz") is not null, "the chart to reach gold", TimeSpan.FromMinutes(1));
        Assert.Equal(archive, charts.File("gold/api-1.2.3.tgz"));

        await Eventually.True(async () => (await Gitops.RunAsync(["pipeline", "history", "api", .. As("victor")])).Stdout.Contains($"prod {freight} verified", StringComparison.Ordinal), "prod's history", TimeSpan.FromSeconds(30));
        CliResult list = await Gitops.RunAsync(["pipeline", "list", .. As("victor")]);
        Assert.Contains($"api: dev [{freight}] -> prod [{freight}]", list.Stdout, StringComparison.Ordinal);

        // Promoting again (a rollback to the same freight here) needs the operator role; a viewer is refused.
        CliResult refused = await Gitops.RunAsync(["pipeline", "promote", "api", "--stage", "dev", "--freight", freight, .. As("victor")]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("403", refused.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, (await Gitops.RunAsync(["promote", "api", "--stage", "dev", "--freight", freight, .. As("olga")])).ExitCode);
        await Eventually.True(async () => (await Gitops.RunAsync(["pipeline", "history", "api", .. As("victor")])).Stdout.Split('\n').Count(l => l.Contains($"dev {freight} verified", StringComparison.Ordinal)) == 2, "the requested promotion to run", TimeSpan.FromSeconds(30));
    }
}
