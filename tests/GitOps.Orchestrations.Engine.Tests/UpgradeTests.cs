using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Engine.Orchestrators;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Testing;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>
/// Upgrading a server or Functions app with runs in flight (docs/operations.md): a run keeps the
/// version it started with, a new worker finishes it with that version's semantics, and a worker
/// never runs an instance of a version newer than its own.
/// </summary>
public sealed class UpgradeTests : IAsyncLifetime
{
    readonly AzuriteFixture azurite = new();
    readonly TestHttpServer http = new();
    readonly string hub = $"up{Guid.NewGuid():N}"[..18];

    public async Task InitializeAsync()
    {
        await azurite.InitializeAsync();
        await http.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await http.DisposeAsync();
        await azurite.DisposeAsync();
    }

    EngineHostOptions Options(Microsoft.DurableTask.Worker.DurableTaskWorkerOptions.VersioningOptions? versioning = null) => new()
    {
        Store = new AzureStorageStore(azurite.ConnectionString),
        TaskHub = hub,
        AzureStorage = new AzureStorageTuning(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(20), PartitionCount: 1),
        Versioning = versioning,
    };

    WorkflowSnapshot GatedRetry(string flaky) => WorkflowSnapshots.Load($$$"""
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: upgraded}
        spec:
          tasks:
            - {name: gate, uses: approval, with: {approvers: [alice]}}
            - name: call
              depends: gate
              uses: http
              with: {url: "{{{http.BaseUrl}}}/flaky/{{{flaky}}}?failures=10"}
              retry: {limit: 3, backoff: {duration: 1s, maxDuration: 1s}}
            - {name: child, depends: gate, uses: workflow, with: {name: leaf}}
        ---
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: leaf}
        spec:
          tasks: [{name: a, uses: log, with: {message: leaf}}]
        """);

    [Fact]
    public async Task A_run_started_before_an_upgrade_finishes_after_it_with_the_semantics_it_started_with()
    {
        string legacy = $"legacy-{Guid.NewGuid():N}", current = $"current-{Guid.NewGuid():N}";
        await using (EngineHost before = await EngineHost.StartAsync(Options()))
        {
            // The first releases started instances without a version.
            var input = new WorkflowRunInput { Snapshot = GatedRetry(legacy), Params = new Dictionary<string, string>(), StartedBy = "tester", CheckpointEvery = WorkflowRunClient.AzureStorageCheckpointEvery, Trigger = "cli" };
            await before.Client.ScheduleNewOrchestrationInstanceAsync(nameof(WorkflowOrchestrator), input, new StartOrchestrationOptions { InstanceId = legacy });
            await before.Runs.StartAsync(GatedRetry(current), null, "tester", current);
            await Eventually.True(async () => (await before.Runs.GetAsync(legacy))?.Waiting.Contains("gate") == true, "the unversioned run's gate to wait");
            await Eventually.True(async () => (await before.Runs.GetAsync(current))?.Waiting.Contains("gate") == true, "the current run's gate to wait");
        }

        await using EngineHost after = await EngineHost.StartAsync(Options());
        RunStatus[] ended = await Task.WhenAll(new[] { legacy, current }.Select(async id =>
        {
            await after.Runs.DecideAsync(id, "gate", new ApprovalDecision("approve", "alice"));
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            return await after.Runs.WatchAsync(id, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(200), timeout.Token);
        }));

        NodeStatus Node(int run, string name) => ended[run].Nodes.Single(n => n.Name == name);
        Assert.All(ended, run => Assert.Equal(NodePhase.Succeeded, run.Nodes.Single(n => n.Name == "child").Phase));

        // Read as the first releases did, maxDuration capped each delay: all four attempts ran.
        Assert.Equal(4, Node(0, "call").Attempts);

        // Read as Argo does, maxDuration is a budget from the first attempt: the 1s delay would pass it.
        Assert.Equal(1, Node(1, "call").Attempts);
        Assert.Contains("maxDuration", Node(1, "call").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_worker_leaves_an_instance_of_a_newer_version_for_a_newer_worker()
    {
        await using EngineHost host = await EngineHost.StartAsync(Options());
        WorkflowSnapshot snapshot = WorkflowSnapshots.Load("""
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: versions}
            spec:
              tasks: [{name: a, uses: log, with: {message: hello}}]
            """);
        var input = new WorkflowRunInput { Snapshot = snapshot, Params = new Dictionary<string, string>(), StartedBy = "tester", CheckpointEvery = 10, Trigger = "cli" };
        string newer = $"newer-{Guid.NewGuid():N}";
        await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(WorkflowOrchestrator), input, new StartOrchestrationOptions { InstanceId = newer, Version = "99" });

        // A run started after it, on the same single partition, ends: the worker has been past the newer one.
        string mine = await host.Runs.StartAsync(snapshot, null, "tester");
        using (var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            Assert.Equal(WorkflowPhase.Succeeded, (await host.Runs.WatchAsync(mine, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(200), timeout.Token)).Phase);
        }

        OrchestrationMetadata? untouched = await host.Client.GetInstanceAsync(newer);
        Assert.Equal(OrchestrationRuntimeStatus.Pending, untouched!.RuntimeStatus);
        await host.Client.TerminateInstanceAsync(newer);
    }
}
