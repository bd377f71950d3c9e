using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Storage.Blobs;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Hosting.Backends;
using GitOps.Orchestrations.Testing;
using Microsoft.DurableTask.Client;

namespace GitOps.Orchestrations.Benchmarks;

/// <summary>
/// Whether a run's size costs more than its nodes: a layered DAG and a fan-out, each at 200 and
/// 5,000 nodes, on the embedded backend and on Azure Storage, through the engine with the host's
/// default checkpoints. The figure is the time per node of the large run against the small one of
/// the same shape, measured in the same process. On Azure Storage it also counts the blobs the
/// provider had to write for messages over its large-message threshold, and the size of the
/// orchestration's input as stored, which is where a snapshot carried inline would show.
/// </summary>
public static class SizeBenchmark
{
    const int Width = 100;

    public static async Task RunAsync(int largeLayers, int largeFan, bool memoryOnly)
    {
        var rows = new List<string>();
        var registry = new TaskTypeRegistry([.. BuiltInTaskTypes.Create(), new NoOpTaskType()]);
        await using (EngineHost memory = await StartAsync(new MemoryStore(), registry))
        {
            await MeasureAsync("memory", memory, registry, largeLayers, largeFan, rows, null);
        }

        if (!memoryOnly)
        {
            var azurite = new AzuriteFixture();
            await azurite.InitializeAsync();
            try
            {
                string hub = $"size{Guid.NewGuid():N}"[..16];
                await using EngineHost azure = await StartAsync(new AzureStorageStore(azurite.ConnectionString), registry, hub);
                var blobs = new BlobServiceClient(azurite.ConnectionString).GetBlobContainerClient($"{hub}-largemessages");
                await MeasureAsync("Azure Storage (Azurite)", azure, registry, largeLayers, largeFan, rows, blobs);
            }
            finally
            {
                await azurite.DisposeAsync();
            }
        }

        Console.WriteLine();
        Console.WriteLine("| backend | shape | nodes | s | nodes/s | ms per node | per node vs 200 | stored input bytes | large-message blobs |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        rows.ForEach(Console.WriteLine);
    }

    static Task<EngineHost> StartAsync(StoreSpec store, TaskTypeRegistry registry, string? hub = null) => EngineHost.StartAsync(new EngineHostOptions
    {
        Store = store,
        TaskHub = hub ?? $"size{Guid.NewGuid():N}"[..16],
        TaskTypes = registry,
        ConfigureTasks = tasks => tasks.AddActivity<NoOpActivity>(),
    });

    static async Task MeasureAsync(string backend, EngineHost host, TaskTypeRegistry registry, int largeLayers, int largeFan, List<string> rows, BlobContainerClient? largeMessages)
    {
        // One small run of each shape first: JIT, connections and queues warm before anything is timed.
        await TimeAsync(host, Snapshot(registry, LayeredYaml(2, Width)));
        await TimeAsync(host, Snapshot(registry, FanYaml(Width * 2)));
        foreach (var (shape, small, large, smallCount, largeCount) in new[]
        {
            ($"layered {Width} wide", LayeredYaml(2, Width), LayeredYaml(largeLayers, Width), 2 * Width, largeLayers * Width),
            ("fan-out", FanYaml(2 * Width), FanYaml(largeFan), 2 * Width, largeFan),
        })
        {
            double perSmallNode = 0;
            foreach (var (yaml, count) in new[] { (small, smallCount), (large, largeCount) })
            {
                int blobsBefore = await CountAsync(largeMessages);
                (double seconds, int inputBytes) = await TimeAsync(host, Snapshot(registry, yaml));
                int blobs = await CountAsync(largeMessages) - blobsBefore;
                double perNode = seconds / count;
                perSmallNode = count == smallCount ? perNode : perSmallNode;
                Console.WriteLine($"{backend,-26} {shape,-18} {count,5} nodes: {seconds:0.00} s");
                rows.Add(string.Create(CultureInfo.InvariantCulture, $"| {backend} | {shape} | {count} | {seconds:0.00} | {count / seconds:0} | {perNode * 1000:0.00} | {perNode / perSmallNode:0.00} | {inputBytes} | {(largeMessages is null ? "—" : blobs.ToString(CultureInfo.InvariantCulture))} |"));
            }
        }
    }

    static async Task<int> CountAsync(BlobContainerClient? container)
    {
        if (container is null || !await container.ExistsAsync())
        {
            return 0;
        }

        int count = 0;
        await foreach (var _ in container.GetBlobsAsync())
        {
            count++;
        }

        return count;
    }

    static async Task<(double Seconds, int InputBytes)> TimeAsync(EngineHost host, WorkflowSnapshot snapshot)
    {
        var watch = Stopwatch.StartNew();
        string id = await host.Runs.StartAsync(snapshot, null, "bench");
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(20));
        OrchestrationMetadata done = await host.Client.WaitForInstanceCompletionAsync(id, getInputsAndOutputs: true, limit.Token);
        watch.Stop();
        WorkflowRunResult result = done.ReadOutputAs<WorkflowRunResult>()!;
        if (result.Phase != WorkflowPhase.Succeeded)
        {
            throw new InvalidOperationException($"run {id} ended {result.Phase}: {result.Message}");
        }

        return (watch.Elapsed.TotalSeconds, Encoding.UTF8.GetByteCount(done.SerializedInput ?? string.Empty));
    }

    static WorkflowSnapshot Snapshot(TaskTypeRegistry registry, string yaml) => BenchSnapshot.Load(yaml, registry);

    /// <summary>Layers of <paramref name="width"/> nodes; each node waits for two of the layer before it.</summary>
    public static string LayeredYaml(int layers, int width)
    {
        var yaml = new StringBuilder("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: layered}\nspec:\n  tasks:\n");
        for (int layer = 0; layer < layers; layer++)
        {
            for (int i = 0; i < width; i++)
            {
                string depends = layer == 0 ? string.Empty : $", depends: \"l{layer - 1}n{i} && l{layer - 1}n{(i + 1) % width}\"";
                yaml.Append(CultureInfo.InvariantCulture, $"    - {{name: l{layer}n{i}, uses: noop{depends}}}\n");
            }
        }

        return yaml.ToString();
    }

    public static string FanYaml(int width) =>
        $"apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {{name: fan}}\nspec:\n  tasks:\n    - {{name: fan, uses: noop, withSequence: {{count: {width}}}}}\n";
}
