using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>
/// Templates and parallelism across a host going away mid-run on Azure Storage: the run is finished
/// by the next host from what the store holds, with the template it snapshotted and its bound kept.
/// </summary>
public sealed class DurableLanguageTests : IAsyncLifetime
{
    readonly AzuriteFixture azurite = new();
    readonly TestHttpServer http = new();
    readonly string hub = $"lang{Guid.NewGuid():N}"[..18];

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

    EngineHostOptions Options() => new()
    {
        Store = new AzureStorageStore(azurite.ConnectionString),
        TaskHub = hub,
        AzureStorage = new AzureStorageTuning(TimeSpan.FromSeconds(15), TimeSpan.FromSeconds(20), PartitionCount: 1),
    };

    [Fact]
    public async Task A_template_call_and_a_bounded_fan_out_finish_on_the_next_host()
    {
        string key = $"fan-{Guid.NewGuid():N}", runId = $"durable-{Guid.NewGuid():N}";
        WorkflowSnapshot snapshot = WorkflowSnapshots.Load($$$"""
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: durable}
            spec:
              tasks:
                - name: release
                  templateRef: {name: gated}
                  with: {what: api}
                - name: fan
                  uses: http
                  parallelism: 3
                  withSequence: {count: 12}
                  with: {url: "{{{http.BaseUrl}}}/concurrent/{{{key}}}?ms=300"}
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
            await Eventually.True(() => Task.FromResult(http.InFlight.TryGetValue(key, out var calls) && calls.Most > 0), "the fan-out to start");
        }

        // Templates are in the run's snapshot: the next host reads nothing from Git to finish it.
        await using EngineHost after = await EngineHost.StartAsync(Options());
        await after.Runs.DecideAsync(child, "gate", new ApprovalDecision("approve", "alice"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        RunStatus run = await after.Runs.WatchAsync(runId, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(200), timeout.Token);

        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal("released api", run.Nodes.Single(n => n.Name == "release").Outputs["said"].GetString());
        Assert.Equal(12, run.Nodes.Single(n => n.Name == "fan").Items!.Succeeded);
        Assert.InRange(http.InFlight[key].Most, 1, 3);
    }
}
