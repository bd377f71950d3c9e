using System.Text;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Promotion;
using GitOps.Orchestrations.Engine.Promotion;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Testing;
using LibGit2Sharp;

namespace GitOps.Orchestrations.Charts.Tests;

/// <summary>
/// The issue's "done when", end to end through the engine: a chart published to bronze flows to dev
/// and passes verification against a real Prometheus, soaks before staging, waits for a quorum and
/// a freeze window before prod, reaches gold (a Git chart repository) as the same bytes; a freight
/// that fails verification never reaches the next stage.
/// </summary>
public sealed class PipelineTests : IAsyncLifetime
{
    readonly string work = Directory.CreateTempSubdirectory("gitops-pipeline-").FullName;
    ChartRepositoryServer charts = null!;
    PrometheusServer prometheus = null!;
    EngineHost engine = null!;
    string gold = null!;
    readonly NotificationReceiver receiver = new();

    public async Task InitializeAsync()
    {
        charts = await ChartRepositoryServer.StartAsync();
        prometheus = await PrometheusServer.StartWithTrafficAsync(("api-1.2.3", 200, 0.0), ("api-1.2.4", 200, 0.5));
        await receiver.InitializeAsync();
        engine = await EngineHost.StartAsync(new EngineHostOptions
        {
            Notifications = new Engine.Notifications.NotificationOptions
            {
                Channels = new Dictionary<string, Engine.Notifications.ChannelSpec> { ["audit"] = new() { Type = "webhook", Url = $"{receiver.BaseUrl}/webhook/audit" } },
            },
        });
        gold = BareRepositories.Create(work, "gold.git", ("README.md", "gold\n"));
    }

    public async Task DisposeAsync()
    {
        await engine.DisposeAsync();
        await receiver.DisposeAsync();
        await prometheus.DisposeAsync();
        await charts.DisposeAsync();
        Directory.Delete(work, recursive: true);
    }

    string Yaml(DateTimeOffset freezeOpened, TimeSpan freezeFor) => $$$"""
        apiVersion: gitops.orchestrations/v1
        kind: Pipeline
        metadata: {name: api}
        spec:
          notifications:
            - {on: [freight-promoted, freight-verified, freight-failed, freeze-holding], to: [audit]}
          sources:
            - name: chart
              helmRepository: {url: {{{charts.Repository("bronze")}}}, chart: api, version: "1.2.x"}
          stages:
            - name: dev
              from: sources
              promotion: {uses: helm-publish, with: {chart: api, version: "{{params.chart}}", from: {{{charts.Repository("bronze")}}}, to: {{{charts.Repository("dev")}}}}}
              verification: {analysis: {templates: [{name: success-rate}], args: [{name: service, value: "api-{{params.chart}}"}]}}
              autoPromote: true
            - name: staging
              from: [dev]
              requiredSoakTime: 2s
              promotion: {uses: helm-publish, with: {chart: api, version: "{{params.chart}}", from: {{{charts.Repository("dev")}}}, to: {{{charts.Repository("silver")}}}}}
              autoPromote: true
            - name: prod
              from: [staging]
              approval: {approvers: [alice, bob, carol], quorum: 2}
              freezeWindows: [{cron: "{{{freezeOpened.Minute}}} {{{freezeOpened.Hour}}} * * *", duration: {{{(int)freezeFor.TotalSeconds}}}s, timezone: UTC}]
              autoPromote: true
              promotion:
                - uses: helm-publish
                  with:
                    chart: api
                    version: "{{params.chart}}"
                    from: {{{charts.Repository("silver")}}}
                    to: {git: {repo: {{{gold}}}, path: charts} }
        ---
        {{{SuccessRateTemplate.Yaml(prometheus.Url, count: 1)}}}
        """;

    async Task<PipelineStatus> WaitFor(Func<PipelineStatus, bool> condition, string what)
    {
        PipelineStatus? last = null;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            last = await engine.Runs.GetPipelineAsync("api");
            if (last is not null && condition(last))
            {
                return last;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"the pipeline never got to: {what}; stages: {string.Join(" | ", last?.Stages.Select(s => $"{s.Key}: {s.Value.Waiting} [{string.Join(", ", s.Value.History.Select(h => h.Outcome))}]") ?? [])}");
    }

    static StageState Stage(PipelineStatus status, string name) => status.Stages?.TryGetValue(name, out StageState? stage) == true ? stage! : new StageState();

    [Fact]
    public async Task A_chart_flows_bronze_to_gold_through_verification_soak_quorum_and_a_freeze_and_a_failing_one_stops_at_dev()
    {
        byte[] archive = ChartArchives.Create("api", "1.2.3");
        charts.Publish("bronze", archive, "api", "1.2.3");

        // A freeze window that opened at the start of this minute and closes 12 s from now.
        DateTimeOffset now = DateTimeOffset.UtcNow;
        DateTimeOffset opened = new(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
        DateTimeOffset closes = now.AddSeconds(12);
        WorkflowCatalog catalog = WorkflowCatalog.Load([new SourceFile("pipeline.yaml", Encoding.UTF8.GetBytes(Yaml(opened, closes - opened)))], TaskTypeRegistry.BuiltIn());
        Assert.Empty(catalog.Diagnostics);
        await engine.Runs.StartPipelineAsync(new PipelineInput
        {
            Pipeline = catalog.Pipelines["api"],
            Templates = catalog.AnalysisTemplates,
            Revision = "test",
            Source = "pipeline.yaml",
            StartedBy = "ci",
            PollInterval = TimeSpan.FromMilliseconds(500),
        });

        PipelineStatus soaked = await WaitFor(s => Stage(s, "staging").Current is not null, "staging");
        string freight = soaked.Freight.Single().Id;
        Assert.True(Stage(soaked, "staging").Verified[freight] - Stage(soaked, "dev").Verified[freight] >= TimeSpan.FromSeconds(2), "staging waits out the soak time");
        Assert.Equal(archive, charts.File("silver/api-1.2.3.tgz"));

        PipelineStatus waiting = await WaitFor(s => Stage(s, "prod").Waiting?.Contains("0/2 approvals", StringComparison.Ordinal) == true, "prod waiting for approvals");
        Assert.Null(Stage(waiting, "prod").Current);
        await engine.Runs.CommandPipelineAsync("api", new PipelineCommand("approve", "prod", freight, "mallory"));
        await engine.Runs.CommandPipelineAsync("api", new PipelineCommand("approve", "prod", freight, "alice", Comment: "fine"));
        await WaitFor(s => Stage(s, "prod").Approvals.GetValueOrDefault(freight)?.Count == 2, "two decisions recorded");
        Assert.Equal("refused:approve", Stage(await engine.Runs.GetPipelineAsync("api") ?? throw new InvalidOperationException(), "prod").Approvals[freight][0].Decision);
        await engine.Runs.CommandPipelineAsync("api", new PipelineCommand("approve", "prod", freight, "bob"));

        if (DateTimeOffset.UtcNow < closes.AddSeconds(-2))
        {
            await WaitFor(s => Stage(s, "prod").Waiting?.Contains("frozen until", StringComparison.Ordinal) == true, "prod frozen");
        }

        PipelineStatus shipped = await WaitFor(s => Stage(s, "prod").Current == freight, "prod");
        Assert.True(Stage(shipped, "prod").Verified[freight] >= closes.AddSeconds(-1), "prod waits for the freeze window to close");
        using (var repo = new Repository(gold))
        {
            Blob landed = (Blob)repo.Branches["main"].Tip["charts/api-1.2.3.tgz"].Target;
            using var bytes = new MemoryStream();
            landed.GetContentStream().CopyTo(bytes);
            Assert.Equal(archive, bytes.ToArray());
        }

        // A newer chart whose canary fails verification in dev goes no further.
        charts.Publish("bronze", ChartArchives.Create("api", "1.2.4"), "api", "1.2.4");
        PipelineStatus failed = await WaitFor(s => Stage(s, "dev").History.Any(h => h.Outcome.StartsWith("failed", StringComparison.Ordinal)), "1.2.4 to fail in dev");
        string second = failed.Freight[^1].Id;
        Assert.Contains("Failed", Stage(failed, "dev").History[^1].Outcome);
        await Task.Delay(1500);
        PipelineStatus after = (await engine.Runs.GetPipelineAsync("api"))!;
        Assert.Equal(freight, Stage(after, "staging").Current);
        Assert.False(Stage(after, "staging").Verified.ContainsKey(second));
        Assert.Null(charts.File("silver/api-1.2.4.tgz"));

        // What the pipeline told its subscribers: each promotion and its verification, the freeze, the failure; each once.
        List<(string Trigger, string Stage, string Message)> told = [.. receiver.To("webhook", "audit").Select(m => (m.Body["trigger"]!.GetValue<string>(), m.Body["node"]!.GetValue<string>(), m.Body["message"]!.GetValue<string>()))];
        foreach (string stage in new[] { "dev", "staging", "prod" })
        {
            Assert.Single(told, t => t.Trigger == "freight-promoted" && t.Stage == stage && t.Message.Contains(freight, StringComparison.Ordinal));
            Assert.Single(told, t => t.Trigger == "freight-verified" && t.Stage == stage && t.Message.Contains(freight, StringComparison.Ordinal));
        }

        Assert.Single(told, t => t.Trigger == "freight-failed" && t.Stage == "dev" && t.Message.Contains(second, StringComparison.Ordinal));
        Assert.True(told.Count(t => t.Trigger == "freeze-holding") <= 1, "a freeze is told when it starts holding, not at every pass");
        Assert.Equal(told.Count, receiver.To("webhook", "audit").Select(m => m.Headers["Idempotency-Key"]).Distinct().Count());
    }
}
