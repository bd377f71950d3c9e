using System.Text;
using GitOps.Orchestrations.Api.Triggers;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Audit;
using GitOps.Orchestrations.Engine.Idempotency;
using GitOps.Orchestrations.Engine.Payloads;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace GitOps.Orchestrations.Api.Tests;

/// <summary>
/// Retention on a real engine: ended runs go, and with them the stored snapshots nothing names any
/// more; a run still waiting keeps its snapshot however old, and goes on to the end.
/// </summary>
public sealed class RetentionSweeperTests
{
    // Over the size a snapshot is stored by content at (PayloadDefaults.SnapshotInlineBytes).
    static WorkflowSnapshot Large(string name, bool gated)
    {
        var yaml = new StringBuilder($"apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {{name: {name}}}\nspec:\n  tasks:\n");
        for (int i = 0; i < 120; i++)
        {
            yaml.Append($"    - {{name: t{i}, uses: log, with: {{message: 'step {i} of a workflow large enough to be stored by content'}}}}\n");
        }

        if (gated)
        {
            yaml.Append("    - {name: gate, uses: approval, depends: t0}\n");
        }

        return WorkflowSnapshots.Load(yaml.ToString());
    }

    [Fact]
    public async Task Stored_snapshots_go_with_the_ended_runs_that_named_them_and_stay_for_runs_in_flight()
    {
        await using EngineHost host = await EngineHost.StartAsync(new EngineHostOptions { Store = new MemoryStore() });
        var store = (MemoryPayloadStore)host.Payloads.Store;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));

        string ended = await host.Runs.StartAsync(Large("ended", gated: false), null, "alice");
        Assert.Equal(WorkflowPhase.Succeeded, (await host.Runs.WatchAsync(ended, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(100), timeout.Token)).Phase);
        string waiting = await host.Runs.StartAsync(Large("waiting", gated: true), null, "alice");
        await Until(async () => (await host.Runs.GetAsync(waiting))?.Gates.Count > 0, timeout.Token);

        // The ended run named its snapshot and, past the inline size, a checkpoint's base.
        string[] endedKeys = [.. PayloadKey.NamedIn((await host.Client.GetInstanceAsync(ended, getInputsAndOutputs: true, timeout.Token))!.SerializedInput)];
        Assert.NotEmpty(endedKeys);
        int stored = store.Count;

        // Forty days on, with runs kept thirty.
        var clock = new ManualClock(DateTimeOffset.UtcNow.AddDays(40));
        var sweeper = new RetentionSweeper(host.Runs, host.Services.GetRequiredService<IEffectJournal>(), host.Services.GetRequiredService<IAuditLog>(),
            new RetentionOptions(), clock, NullLogger<RetentionSweeper>.Instance, host.Services.GetService<IPayloadSweep>());
        RetentionReport report = await sweeper.SweepAsync(timeout.Token);

        Assert.Equal(1, report.Runs);
        Assert.False(await host.Runs.ExistsAsync(ended));
        IReadOnlySet<string> inUse = await host.Runs.PayloadsInUseAsync(timeout.Token);
        Assert.NotEmpty(inUse);
        Assert.Equal(stored - inUse.Count, report.Payloads);
        Assert.Equal(inUse.Count, store.Count);
        Assert.All(inUse, key => Assert.NotEmpty(store.Get(key)));
        Assert.All(endedKeys.Except(inUse), key => Assert.Throws<PayloadMissingException>(() => store.Get(key)));

        // The waiting run is untouched: approved, it finishes.
        await host.Runs.DecideAsync(waiting, "gate", new ApprovalDecision("approve", "bob"));
        Assert.Equal(WorkflowPhase.Succeeded, (await host.Runs.WatchAsync(waiting, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(100), timeout.Token)).Phase);
    }

    [Fact]
    public async Task Runs_kept_for_ever_keep_their_snapshots_too()
    {
        await using EngineHost host = await EngineHost.StartAsync(new EngineHostOptions { Store = new MemoryStore() });
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string ended = await host.Runs.StartAsync(Large("ended", gated: false), null, "alice");
        await host.Runs.WatchAsync(ended, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(100), timeout.Token);
        int stored = ((MemoryPayloadStore)host.Payloads.Store).Count;

        var sweeper = new RetentionSweeper(host.Runs, host.Services.GetRequiredService<IEffectJournal>(), host.Services.GetRequiredService<IAuditLog>(),
            new RetentionOptions { Runs = TimeSpan.Zero }, new ManualClock(DateTimeOffset.UtcNow.AddYears(5)), NullLogger<RetentionSweeper>.Instance, host.Services.GetService<IPayloadSweep>());
        RetentionReport report = await sweeper.SweepAsync(timeout.Token);

        Assert.Equal(new RetentionReport(0, 0, 0, 0), report);
        Assert.NotEqual(0, stored);
        Assert.Equal(stored, ((MemoryPayloadStore)host.Payloads.Store).Count);
    }

    static async Task Until(Func<Task<bool>> condition, CancellationToken cancellationToken)
    {
        while (!await condition())
        {
            await Task.Delay(50, cancellationToken);
        }
    }
}
