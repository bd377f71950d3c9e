using GitOps.Orchestrations.Api.Triggers;
using GitOps.Orchestrations.Api.Workflows;
using GitOps.Orchestrations.Engine.Audit;
using GitOps.Orchestrations.Engine.Idempotency;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Testing;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>
/// Two hosts (each an engine and a schedule ticker) share one task hub on Azurite and tick the
/// same slots at the same moments. Each slot must start exactly one run.
/// </summary>
public sealed class ScheduleTests : IAsyncLifetime
{
    readonly AzuriteFixture azurite = new();
    readonly GitRepository repo = new();
    readonly List<EngineHost> hosts = [];

    public Task InitializeAsync() => azurite.InitializeAsync();

    public async Task DisposeAsync()
    {
        foreach (EngineHost host in hosts)
        {
            await host.DisposeAsync();
        }

        repo.Dispose();
        await azurite.DisposeAsync();
    }

    async Task<(ScheduleTicker Ticker, EngineHost Host)> StartHostAsync(string name, ManualClock clock)
    {
        EngineHost host = await EngineHost.StartAsync(new EngineHostOptions { Store = new AzureStorageStore(azurite.ConnectionString), TaskHub = "schedules" });
        hosts.Add(host);
        var repository = new WorkflowRepository(new WorkflowRepositoryOptions { Repository = repo.Path }, TaskTypeRegistry.BuiltIn(), clock);
        var ticker = new ScheduleTicker(repository, host.Runs, host.Services.GetRequiredService<IEffectJournal>(), host.Services.GetRequiredService<IAuditLog>(), clock, NullLogger<ScheduleTicker>.Instance, name);
        return (ticker, host);
    }

    [Fact]
    public async Task Each_slot_starts_exactly_one_run_with_two_hosts_ticking_together()
    {
        repo.Commit("nightly", ("workflows/nightly.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: nightly}
            spec:
              schedules:
                - {cron: "*/5 * * * *", timezone: Europe/Berlin, startingDeadline: 3m}
              tasks:
                - {name: work, uses: log, with: {message: "{{workflow.name}}"}}
            """));
        var start = new DateTimeOffset(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
        var clockA = new ManualClock(start);
        var clockB = new ManualClock(start);
        (ScheduleTicker a, EngineHost hostA) = await StartHostAsync("host-a", clockA);
        (ScheduleTicker b, _) = await StartHostAsync("host-b", clockB);

        var outcomes = new List<ScheduleOutcome>();
        // Three slots (10:00, 10:05, 10:10 UTC); each host ticks several times inside each slot's window.
        for (int minute = 0; minute <= 12; minute++)
        {
            foreach (int second in new[] { 1, 20, 40 })
            {
                DateTimeOffset at = start.AddMinutes(minute).AddSeconds(second);
                clockA.Set(at);
                clockB.Set(at);
                IReadOnlyList<ScheduleOutcome>[] ticks = await Task.WhenAll(a.TickAsync(), b.TickAsync());
                outcomes.AddRange(ticks.SelectMany(t => t));
            }
        }

        Assert.Equal(["nightly.cron-0.20261126T1000Z", "nightly.cron-0.20261126T1005Z", "nightly.cron-0.20261126T1010Z"], outcomes.Select(o => o.RunId).Order());
        Assert.All(outcomes, o => Assert.Equal("started", o.Action));

        RunPage runs = await hostA.Runs.ListAsync(new RunQuery { InstanceIdPrefix = "nightly.cron-0.", Top = 100 });
        Assert.Equal(3, runs.Runs.Count);
        foreach (RunListItem run in runs.Runs)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            RunStatus done = await hostA.Runs.WatchAsync(run.Id, _ => Task.CompletedTask, cancellationToken: timeout.Token);
            Assert.Equal(Core.Model.WorkflowPhase.Succeeded, done.Phase);
            Assert.Equal("schedule", done.Trigger);
        }
    }

    [Fact]
    public async Task Forbid_skips_a_slot_while_the_previous_run_still_waits()
    {
        repo.Commit("gated", ("workflows/gated.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: gated}
            spec:
              schedules:
                - {cron: "0 * * * *", concurrencyPolicy: Forbid}
              tasks:
                - {name: gate, uses: approval}
            """));
        var clock = new ManualClock(new DateTimeOffset(2026, 11, 26, 10, 0, 30, TimeSpan.Zero));
        (ScheduleTicker ticker, EngineHost host) = await StartHostAsync("host-a", clock);
        Assert.Equal("started", Assert.Single(await ticker.TickAsync()).Action);
        await Eventually.True(async () => (await host.Runs.GetAsync("gated.cron-0.20261126T1000Z"))!.Waiting.Count == 1, "the first run to wait at its gate");

        clock.Set(new DateTimeOffset(2026, 11, 26, 11, 0, 30, TimeSpan.Zero));
        ScheduleOutcome second = Assert.Single(await ticker.TickAsync());
        Assert.Equal("skipped", second.Action);
        Assert.False(await host.Runs.ExistsAsync(second.RunId));
        Assert.Empty(await ticker.TickAsync());
    }
}
