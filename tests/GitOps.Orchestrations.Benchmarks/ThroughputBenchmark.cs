using System.Diagnostics;
using System.Globalization;
using System.Text;
using Azure.Data.Tables;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
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
/// The ceiling before any tuning of the distributed engine. What Azurite itself
/// sustains on this machine, one client and sixteen at once, for the operations the Durable Task
/// Azure Storage provider is made of (queue messages sent, received and deleted; table rows written
/// and read); and how many storage requests one activity call costs that provider, raw and through
/// the engine, counted from Azurite's own request log, so a throughput goal can be set against a
/// known limit rather than a guess.
/// </summary>
public static class ThroughputBenchmark
{
    static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    static readonly int[] Clients = [1, 16];

    public static async Task RunAsync(int chain, int width)
    {
        var rows = new List<string>();
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        try
        {
            await CeilingAsync(azurite.ConnectionString, rows);
        }
        finally
        {
            await azurite.DisposeAsync();
        }

        Console.WriteLine();
        Console.WriteLine("| Azurite operation | clients | requests/s |");
        Console.WriteLine("|---|---|---|");
        rows.ForEach(Console.WriteLine);

        // A second Azurite writes a line per request it serves: slower, so it is used for counting only.
        string log = Path.Combine(Path.GetTempPath(), $"azurite-requests-{Guid.NewGuid():N}.log");
        var counted = new AzuriteFixture { DebugLog = log };
        await counted.InitializeAsync();
        try
        {
            Console.WriteLine();
            Console.WriteLine($"| run | queue requests | table requests | blob requests | requests per activity |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (string row in await RequestsPerStepAsync(counted.ConnectionString, log, chain, width))
            {
                Console.WriteLine(row);
            }
        }
        finally
        {
            await counted.DisposeAsync();
            File.Delete(log);
        }
    }

    static async Task CeilingAsync(string connection, List<string> rows)
    {
        foreach (int clients in Clients)
        {
            var queue = new QueueClient(connection, $"ceiling-{clients}");
            await queue.CreateIfNotExistsAsync();
            double cycles = await PerSecondAsync(clients, async _ =>
            {
                await queue.SendMessageAsync("x");
                foreach (QueueMessage message in (await queue.ReceiveMessagesAsync(1)).Value)
                {
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                }
            });
            rows.Add($"| queue: send, receive, delete (3 requests) | {clients} | {cycles * 3:0} |");

            var table = new TableClient(connection, $"ceiling{clients}");
            await table.CreateIfNotExistsAsync();
            double writes = await PerSecondAsync(clients, i => table.UpsertEntityAsync(new TableEntity("p", i.ToString(CultureInfo.InvariantCulture)) { ["Value"] = i }));
            rows.Add($"| table: upsert a row | {clients} | {writes:0} |");
            double reads = await PerSecondAsync(clients, i => table.GetEntityIfExistsAsync<TableEntity>("p", (i % 100).ToString(CultureInfo.InvariantCulture)));
            rows.Add($"| table: read a row by key | {clients} | {reads:0} |");
        }
    }

    /// <summary>Operations per second that <paramref name="clients"/> callers, each doing one after another, complete in the window.</summary>
    static async Task<double> PerSecondAsync(int clients, Func<long, Task> operation)
    {
        long done = 0;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
        {
            while (watch.Elapsed < Window)
            {
                await operation(Interlocked.Increment(ref done));
            }
        }));
        return done / watch.Elapsed.TotalSeconds;
    }

    static async Task<List<string>> RequestsPerStepAsync(string connection, string log, int chain, int width)
    {
        var registry = new TaskTypeRegistry([.. BuiltInTaskTypes.Create(), new NoOpTaskType()]);
        await using EngineHost host = await EngineHost.StartAsync(new EngineHostOptions
        {
            Store = new AzureStorageStore(connection),
            TaskHub = $"count{Guid.NewGuid():N}"[..16],
            TaskTypes = registry,
            ConfigureTasks = tasks => tasks.AddActivity<NoOpActivity>().AddOrchestrator<RawChainOrchestrator>().AddOrchestrator<RawFanOutOrchestrator>(),
        });

        var yaml = new StringBuilder("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: chain}\nspec:\n  tasks:\n    - {name: t0, uses: noop}\n");
        for (int i = 1; i < chain; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"    - {{name: t{i}, uses: noop, depends: t{i - 1}}}\n");
        }

        WorkflowSnapshot snapshot = Snapshot(yaml.ToString(), registry);
        WorkflowSnapshot fan = Snapshot($"apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {{name: fan}}\nspec:\n  tasks:\n    - {{name: fan, uses: noop, withSequence: {{count: {width}}}}}\n", registry);

        // Each kind once unmeasured, so queues, tables and connections exist before anything is counted.
        await RunRawAsync(host, nameof(RawChainOrchestrator), chain);
        await RunEngineAsync(host, snapshot);

        var rows = new List<string>();
        foreach (var (name, count, run) in new (string, int, Func<Task>)[]
        {
            ($"chain of {chain}, raw Durable Task", chain, () => RunRawAsync(host, nameof(RawChainOrchestrator), chain)),
            ($"chain of {chain}, engine", chain, () => RunEngineAsync(host, snapshot)),
            ($"fan-out of {width}, raw Durable Task", width, () => RunRawAsync(host, nameof(RawFanOutOrchestrator), width)),
            ($"fan-out of {width}, engine", width, () => RunEngineAsync(host, fan)),
        })
        {
            Dictionary<string, long> before = AzuriteRequests.Count(log);
            var watch = Stopwatch.StartNew();
            await run();
            double seconds = watch.Elapsed.TotalSeconds;
            Dictionary<string, long> after = AzuriteRequests.Count(log);
            long Of(string service) => after.GetValueOrDefault(service) - before.GetValueOrDefault(service);
            long total = Of("Queue") + Of("Table") + Of("Blob");
            rows.Add($"| {name} ({seconds:0.0} s, {count / seconds:0} activities/s) | {Of("Queue")} | {Of("Table")} | {Of("Blob")} | {(double)total / count:0.0} |");
        }

        // What the workers ask for with nothing to do (queue polls, lease renewals), for reading the rows above.
        Dictionary<string, long> idleBefore = AzuriteRequests.Count(log);
        await Task.Delay(TimeSpan.FromSeconds(10));
        Dictionary<string, long> idleAfter = AzuriteRequests.Count(log);
        long idle = idleAfter.Sum(p => p.Value) - idleBefore.Sum(p => p.Value);
        rows.Add($"| idle workers, 10 s | {idleAfter.GetValueOrDefault("Queue") - idleBefore.GetValueOrDefault("Queue")} | {idleAfter.GetValueOrDefault("Table") - idleBefore.GetValueOrDefault("Table")} | {idleAfter.GetValueOrDefault("Blob") - idleBefore.GetValueOrDefault("Blob")} | {idle / 10.0:0.0}/s |");
        return rows;
    }

    static WorkflowSnapshot Snapshot(string yaml, TaskTypeRegistry registry) =>
        BenchSnapshot.Load(yaml, registry);

    static async Task RunRawAsync(EngineHost host, string orchestrator, int count)
    {
        string id = await host.Client.ScheduleNewOrchestrationInstanceAsync(orchestrator, count);
        await host.Client.WaitForInstanceCompletionAsync(id);
    }

    static async Task RunEngineAsync(EngineHost host, WorkflowSnapshot snapshot)
    {
        string id = await host.Runs.StartAsync(snapshot, null, "bench");
        await host.Client.WaitForInstanceCompletionAsync(id);
    }
}
