using System.Text;
using Azure.Storage.Blobs;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting.Backends;
using Microsoft.DurableTask.Client;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>
/// A run too large for its history: its snapshot and its checkpoints' node states live in the
/// payload store, the orchestration input names them, and the run still ends with every node.
/// Driven through real orchestrations on both backends; on Azure Storage the provider's own
/// large-message container shows whether any input went over its threshold.
/// </summary>
public abstract class LargeRunTests(EngineBackend backend)
{
    /// <summary>Layers of <paramref name="width"/> tasks, each waiting for two of the layer before, every one with an output.</summary>
    internal static string Layered(string name, int layers, int width)
    {
        var yaml = new StringBuilder($"apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {{name: {name}}}\nspec:\n  tasks:\n");
        for (int layer = 0; layer < layers; layer++)
        {
            for (int i = 0; i < width; i++)
            {
                string depends = layer == 0 ? string.Empty : $", depends: \"l{layer - 1}n{i} && l{layer - 1}n{(i + 1) % width}\"";
                yaml.Append($"    - {{name: l{layer}n{i}, uses: log, with: {{message: 'node {layer}.{i} of a large run'}}{depends}}}\n");
            }
        }

        return yaml.ToString();
    }

    [Fact]
    public async Task A_large_run_keeps_its_snapshot_and_node_states_out_of_its_input_and_ends_with_every_node()
    {
        const int Layers = 12, Width = 40;
        string id = $"large-{Guid.NewGuid():N}";
        RunStatus run = await backend.RunAsync(Layered("large", Layers, Width), runId: id);

        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal(Layers * Width, run.Nodes.Count);
        Assert.All(run.Nodes, n => Assert.Equal(NodePhase.Succeeded, n.Phase));
        Assert.Equal("node 11.39 of a large run", run.Nodes.Single(n => n.Name == "l11n39").Outputs["message"].GetString());

        // The input of the run's last execution: the snapshot by key, the nodes as a stored base
        // and the changes since, a few kilobytes in all for a 480-node run.
        OrchestrationMetadata metadata = (await backend.Engine.Client.GetInstanceAsync(id, getInputsAndOutputs: true))!;
        string input = metadata.SerializedInput!;
        Assert.Contains("\"$payload\":\"sha256-", input, StringComparison.Ordinal);
        Assert.Contains("\"Base\":\"sha256-", input, StringComparison.Ordinal);
        Assert.True(input.Length < 24 * 1024, $"input of {input.Length} bytes");
        WorkflowSnapshot snapshot = metadata.ReadInputAs<WorkflowRunInput>()!.Snapshot;
        Assert.Equal(Layers * Width, snapshot.Workflow.Tasks.Count);
    }

    [Fact]
    public async Task A_small_run_carries_its_snapshot_and_nodes_inline_as_before()
    {
        string id = $"small-{Guid.NewGuid():N}";
        RunStatus run = await backend.RunAsync(Layered("small", 1, 3), runId: id);

        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        string input = (await backend.Engine.Client.GetInstanceAsync(id, getInputsAndOutputs: true))!.SerializedInput!;
        Assert.DoesNotContain("$payload", input, StringComparison.Ordinal);
        Assert.Contains("\"Workflow\":{", input, StringComparison.Ordinal);
    }
}

/// <summary>The pause a wide run takes to checkpoint gives way to a node that runs long.</summary>
public sealed class CheckpointDrainTests(MemoryBackend backend) : IClassFixture<MemoryBackend>
{
    [Fact]
    public async Task A_run_that_pauses_to_checkpoint_goes_on_without_waiting_for_a_long_node()
    {
        // 'gate' waits for a person from the start. After CheckpointDefaults.DrainAfter finished nodes
        // of the chain the run stops starting new ones to checkpoint; the gate keeps it from getting
        // there, so after DrainLimit the chain must go on. The gate is approved only once the chain
        // has ended: a pause that waited for the gate would never end, and the run would time out.
        int length = CheckpointDefaults.DrainAfter + 20;
        string last = $"c{length - 1}";
        var yaml = new StringBuilder("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: drain}\nspec:\n  timeout: 2m\n  tasks:\n    - {name: gate, uses: approval, with: {timeout: 1h, onTimeout: reject}}\n    - {name: c0, uses: log, with: {message: x}}\n");
        for (int i = 1; i < length; i++)
        {
            yaml.Append($"    - {{name: c{i}, uses: log, depends: c{i - 1}, with: {{message: x}}}}\n");
        }

        bool approved = false;
        RunStatus run = await backend.RunAsync(yaml.ToString(), onChange: async (id, status) =>
        {
            if (!approved && status.Waiting.Contains("gate") && status.Nodes.Any(n => n.Name == last && n.Phase == NodePhase.Succeeded))
            {
                approved = true;
                await backend.Engine.Runs.DecideAsync(id, "gate", new ApprovalDecision("approve", "alice", "after the chain"));
            }
        });

        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.True(approved);
        NodeStatus gate = run.Nodes.Single(n => n.Name == "gate");
        Assert.True(run.Nodes.Single(n => n.Name == last).FinishedAt < gate.FinishedAt);

        // The pause was taken and lasted its limit: the node after it started DrainLimit or more later.
        NodeStatus before = run.Nodes.Single(n => n.Name == $"c{CheckpointDefaults.DrainAfter - 1}");
        NodeStatus after = run.Nodes.Single(n => n.Name == $"c{CheckpointDefaults.DrainAfter}");
        Assert.True(after.StartedAt!.Value - before.FinishedAt!.Value >= CheckpointDefaults.DrainLimit - TimeSpan.FromMilliseconds(50), $"{before.FinishedAt:O} to {after.StartedAt:O}");
    }
}

public sealed class MemoryLargeRunTests(MemoryBackend backend) : LargeRunTests(backend), IClassFixture<MemoryBackend>;

public sealed class AzuriteLargeRunTests(AzuriteBackend backend) : LargeRunTests(backend), IClassFixture<AzuriteBackend>
{
    /// <summary>The blobs Azure Storage wrote for messages over its large-message threshold.</summary>
    async Task<List<string>> LargeMessageBlobsAsync()
    {
        var azure = (AzureStorageStore)backend.Options.Store;
        BlobContainerClient container = new BlobServiceClient(azure.ConnectionString).GetBlobContainerClient($"{backend.Options.TaskHub.ToLowerInvariant()}-largemessages");
        var names = new List<string>();
        if (await container.ExistsAsync())
        {
            await foreach (var blob in container.GetBlobsAsync())
            {
                names.Add(blob.Name);
            }
        }

        return names;
    }

    [Fact]
    public async Task No_input_of_a_large_run_goes_over_the_large_message_threshold()
    {
        // A 480-node run 40 wide pauses to continue as new after 250 nodes. Before the payload store
        // each execution's input (snapshot and nodes) was a blob of its own, fetched on every replay.
        string id = $"threshold-{Guid.NewGuid():N}";
        RunStatus run = await backend.RunAsync(LargeRunTests.Layered("threshold", 12, 40), runId: id);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);

        List<string> blobs = (await LargeMessageBlobsAsync()).Where(b => b.Contains(id, StringComparison.Ordinal)).ToList();

        // The run's output, all 480 nodes, is over the threshold and written once: the listing sees the provider's blobs.
        Assert.Contains(blobs, b => b.Contains("ExecutionCompleted", StringComparison.Ordinal));
        Assert.DoesNotContain(blobs, b => b.Contains("ExecutionStarted", StringComparison.OrdinalIgnoreCase) || b.Contains("ContinueAsNew", StringComparison.OrdinalIgnoreCase) || b.Contains("Input", StringComparison.OrdinalIgnoreCase));
    }
}
