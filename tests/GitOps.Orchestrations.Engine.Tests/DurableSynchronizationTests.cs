using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>
/// One mutex, two servers on one Azure Storage task hub: runs started on either wait for each
/// other, and when a server dies holding runs, terminating its holder lets the next run in.
/// </summary>
public sealed class DurableSynchronizationTests : IAsyncLifetime
{
    readonly AzuriteFixture azurite = new();
    readonly string hub = $"lock{Guid.NewGuid():N}"[..18];

    public Task InitializeAsync() => azurite.InitializeAsync();

    public Task DisposeAsync() => azurite.DisposeAsync();

    EngineHostOptions Options() => new()
    {
        Store = new AzureStorageStore(azurite.ConnectionString),
        TaskHub = hub,
        AzureStorage = new AzureStorageTuning(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(20), PartitionCount: 2),
        LockCheck = EngineBackend.LockCheck,
    };

    static readonly WorkflowSnapshot Serial = WorkflowSnapshots.Load("""
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: serial}
        spec:
          synchronization: {mutex: prod}
          tasks:
            - {name: gate, uses: approval, with: {approvers: [alice]}}
        """);

    static Task AtGateAsync(EngineHost host, string id) =>
        Eventually.True(async () => (await host.Runs.GetAsync(id))?.Waiting.Contains("gate") == true, $"{id} to hold the mutex", TimeSpan.FromMinutes(3));

    static async Task<RunStatus> FinishAsync(EngineHost host, string id)
    {
        await host.Runs.DecideAsync(id, "gate", new ApprovalDecision("approve", "alice"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        return await host.Runs.WatchAsync(id, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(200), timeout.Token);
    }

    [Fact]
    public async Task Runs_on_two_servers_take_the_mutex_in_turn_and_a_dead_servers_holder_lets_go_when_terminated()
    {
        await using EngineHost second = await EngineHost.StartAsync(Options());
        RunStatus firstDone;
        RunStatus secondDone;
        string third = $"third-{Guid.NewGuid():N}";
        await using (EngineHost first = await EngineHost.StartAsync(Options()))
        {
            string one = await first.Runs.StartAsync(Serial, null, "tester", $"one-{Guid.NewGuid():N}");
            await AtGateAsync(first, one);
            string two = await second.Runs.StartAsync(Serial, null, "tester", $"two-{Guid.NewGuid():N}");
            await Eventually.True(async () => (await second.Runs.GetAsync(two))?.WaitingForLock is { Position: 1 } waiting && waiting.HeldBy.Contains(one), "the second server's run to queue behind the first's", TimeSpan.FromMinutes(3));

            firstDone = await FinishAsync(second, one);
            await AtGateAsync(second, two);

            // The next run queues behind the second; then the server the first run started on dies.
            await second.Runs.StartAsync(Serial, null, "tester", third);
            await Eventually.True(async () => (await second.Runs.GetAsync(third))?.WaitingForLock?.Position == 1, "the third run to queue", TimeSpan.FromMinutes(3));
            secondDone = (await second.Runs.GetAsync(two))!;
        }

        // Whichever server ran the holder, terminating it through the survivor releases the mutex.
        await second.Runs.TerminateAsync(secondDone.Id, "its server died");
        await AtGateAsync(second, third);
        RunStatus thirdDone = await FinishAsync(second, third);

        Assert.Equal(WorkflowPhase.Succeeded, firstDone.Phase);
        Assert.Equal(WorkflowPhase.Terminated, (await second.Runs.GetAsync(secondDone.Id))!.Phase);
        Assert.Equal(WorkflowPhase.Succeeded, thirdDone.Phase);
        Assert.True(secondDone.Nodes.Single().StartedAt >= firstDone.Nodes.Single().FinishedAt, "the second run started after the first ended");
        Assert.True(thirdDone.Nodes.Single().StartedAt >= firstDone.Nodes.Single().FinishedAt, "the third run started after the first ended");
    }
}
