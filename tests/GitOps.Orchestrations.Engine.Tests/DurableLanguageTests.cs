using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>
/// A template call across a host going away mid-run on Azure Storage: the run is finished by the
/// next host from what the store holds, with the template it snapshotted. (Parallelism on Azure
/// Storage is covered by ReuseAndConcurrencyTests.)
/// </summary>
public sealed class DurableLanguageTests : IAsyncLifetime
{
    readonly AzuriteFixture azurite = new();
    readonly string hub = $"lang{Guid.NewGuid():N}"[..18];

    public Task InitializeAsync() => azurite.InitializeAsync();

    public Task DisposeAsync() => azurite.DisposeAsync();

    EngineHostOptions Options() => new()
    {
        Store = new AzureStorageStore(azurite.ConnectionString),
        TaskHub = hub,
        AzureStorage = new AzureStorageTuning(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(20), PartitionCount: 1),
    };

    [Fact]
    public async Task A_template_call_waiting_at_its_gate_finishes_on_the_next_host()
    {
        string runId = $"durable-{Guid.NewGuid():N}";
        WorkflowSnapshot snapshot = WorkflowSnapshots.Load("""
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: durable}
            spec:
              tasks:
                - name: release
                  templateRef: {name: gated}
                  with: {what: api}
                - {name: after, uses: log, depends: release, with: {message: "{{tasks.release.outputs.said}}"}}
            ---
            apiVersion: gitops.orchestrations/v1
            kind: WorkflowTemplate
            metadata: {name: gated}
            spec:
              inputs: [{name: what}]
              outputs: {said: {from: "tasks.say.outputs.message"}}
              tasks:
                - {name: gate, uses: approval, with: {approvers: [alice]}}
                - {name: say, uses: log, depends: gate, with: {message: "released {{params.what}}"}}
            """);
        string child = $"{runId}.release.1";
        await using (EngineHost before = await EngineHost.StartAsync(Options()))
        {
            await before.Runs.StartAsync(snapshot, null, "tester", runId);
            await Eventually.True(async () => (await before.Runs.GetAsync(child))?.Waiting.Contains("gate") == true, "the template's gate to wait");
        }

        // Templates are in the run's snapshot: the next host reads nothing from Git to finish it.
        await using EngineHost after = await EngineHost.StartAsync(Options());
        await after.Runs.DecideAsync(child, "gate", new ApprovalDecision("approve", "alice"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        RunStatus run = await after.Runs.WatchAsync(runId, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(200), timeout.Token);

        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal("released api", run.Nodes.Single(n => n.Name == "release").Outputs["said"].GetString());
        Assert.Equal("released api", run.Nodes.Single(n => n.Name == "after").Outputs["message"].GetString());
    }
}
