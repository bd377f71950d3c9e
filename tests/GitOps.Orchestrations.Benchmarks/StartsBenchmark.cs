using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Benchmarks;

/// <summary>
/// Run starts over HTTP: a <c>gitops serve</c> process, and sixteen clients posting
/// <c>POST /api/workflows/{name}/runs</c> as fast as it answers, on the embedded backend (the
/// baseline) and on Azure Storage (Azurite); then, on an Azurite that logs every request, the
/// storage requests one start costs, so what limits starts is counted rather than guessed.
/// </summary>
internal static class StartsBenchmark
{
    const int Clients = 16;

    public static async Task RunAsync(int starts)
    {
        using var repo = new GitRepository();
        // A run that starts and then waits: each start costs its first episode, as real runs do, and nothing after.
        repo.Commit("parked", ("workflows/parked.yaml", "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: parked}\nspec:\n  tasks:\n    - {name: later, uses: wait, with: {duration: 1h}}\n"));

        var rows = new List<string> { await MeasureAsync("embedded", "memory", repo.Path, starts) };
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        try
        {
            rows.Add(await MeasureAsync("Azure Storage (Azurite)", azurite.ConnectionString, repo.Path, starts));
            rows.Add(await MeasureInProcessAsync(azurite.ConnectionString, starts));
        }
        finally
        {
            await azurite.DisposeAsync();
        }

        Console.WriteLine();
        Console.WriteLine($"| backend | starts | clients | starts/s | p50 ms | p99 ms | Azurite/embedded |");
        Console.WriteLine("|---|---|---|---|---|---|---|");
        rows.ForEach(Console.WriteLine);

        string log = Path.Combine(Path.GetTempPath(), $"azurite-requests-{Guid.NewGuid():N}.log");
        var counted = new AzuriteFixture { DebugLog = log };
        await counted.InitializeAsync();
        try
        {
            await using ServerProcess server = await ServerProcess.StartAsync(counted.ConnectionString, repo.Path, taskHub: $"st{Guid.NewGuid():N}"[..12]);
            using HttpClient client = server.ClientFor("olga");
            await StartAsync(client);   // the first start creates what the rest reuse
            await Task.Delay(TimeSpan.FromSeconds(5));
            const int Counted = 50;
            Dictionary<string, long> before = AzuriteRequests.Count(log);
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < Counted; i++)
            {
                await StartAsync(client);
            }

            double seconds = watch.Elapsed.TotalSeconds;
            Dictionary<string, long> after = AzuriteRequests.Count(log);
            long Of(string service) => after.GetValueOrDefault(service) - before.GetValueOrDefault(service);
            Console.WriteLine();
            Console.WriteLine($"| {Counted} starts, one after another, counting Azurite ({seconds:0.0} s, idle polling included) | queue | table | blob | requests per start |");
            Console.WriteLine("|---|---|---|---|---|");
            Console.WriteLine($"| all requests | {Of("Queue")} | {Of("Table")} | {Of("Blob")} | {(double)(Of("Queue") + Of("Table") + Of("Blob")) / Counted:0.0} |");
        }
        finally
        {
            await counted.DisposeAsync();
            File.Delete(log);
        }
    }

    static double? embedded;

    static async Task<string> MeasureAsync(string label, string store, string repository, int starts)
    {
        await using ServerProcess server = await ServerProcess.StartAsync(store, repository, taskHub: $"st{Guid.NewGuid():N}"[..12]);
        using HttpClient client = server.ClientFor("olga");
        return await TimeAsync($"{label}, over HTTP", () => StartAsync(client), starts);
    }

    /// <summary>The same starts without HTTP or the server: sixteen callers of the engine's run client in one process.</summary>
    static async Task<string> MeasureInProcessAsync(string store, int starts)
    {
        var registry = Engine.TaskTypes.TaskTypeRegistry.BuiltIn();
        await using Hosting.EngineHost host = await Hosting.EngineHost.StartAsync(new Hosting.EngineHostOptions
        {
            Store = new Hosting.Backends.AzureStorageStore(store),
            TaskHub = $"sp{Guid.NewGuid():N}"[..12],
            TaskTypes = registry,
            ConfigureTasks = tasks => tasks.AddActivity<NoOpActivity>().AddOrchestrator<RawChainOrchestrator>(),
        });
        var snapshot = new Core.Model.WorkflowSnapshot
        {
            Workflow = Core.Loading.DocumentLoader.Load("parked.yaml", "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: parked}\nspec:\n  tasks:\n    - {name: later, uses: wait, with: {duration: 1h}}\n", registry).Workflows[0].Definition,
            Revision = "bench",
            Source = "bench",
        };
        Func<Task<double>> start = async () =>
        {
            var watch = Stopwatch.StartNew();
            await host.Runs.StartAsync(snapshot, null, "bench");
            return watch.Elapsed.TotalMilliseconds;
        };
        string engine = await TimeAsync("in-process run client, Azure Storage (Azurite)", start, starts);

        // The baseline on the same host: a hand-written orchestration with a one-number input, started by the Durable Task client.
        Func<Task<double>> raw = async () =>
        {
            var watch = Stopwatch.StartNew();
            await host.Client.ScheduleNewOrchestrationInstanceAsync(nameof(RawChainOrchestrator), 1);
            return watch.Elapsed.TotalMilliseconds;
        };
        return engine + "\n" + await TimeAsync("in-process Durable Task client, raw orchestration, Azure Storage (Azurite)", raw, starts);
    }

    static async Task<string> TimeAsync(string label, Func<Task<double>> start, int starts)
    {
        for (int i = 0; i < Clients; i++)
        {
            await start();
        }

        var latencies = new List<double>();
        int left = starts;
        var watch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Clients).Select(async _ =>
        {
            while (Interlocked.Decrement(ref left) >= 0)
            {
                double ms = await start();
                lock (latencies)
                {
                    latencies.Add(ms);
                }
            }
        }));
        double rate = starts / watch.Elapsed.TotalSeconds;
        embedded ??= rate;
        latencies.Sort();
        string P(double q) => latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))].ToString("0", CultureInfo.InvariantCulture);
        Console.WriteLine($"{label}: {starts} starts in {watch.Elapsed.TotalSeconds:0.0} s");
        return $"| {label} | {starts} | {Clients} | {rate:0} | {P(0.5)} | {P(0.99)} | {rate / embedded.Value:0.00} |";
    }

    static async Task<double> StartAsync(HttpClient client)
    {
        var watch = Stopwatch.StartNew();
        using HttpResponseMessage response = await client.PostAsJsonAsync("/api/workflows/parked/runs", new { });
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"a start answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }

        return watch.Elapsed.TotalMilliseconds;
    }
}

/// <summary>Requests an Azurite started with <see cref="AzuriteFixture.DebugLog"/> has served so far, by service.</summary>
internal static class AzuriteRequests
{
    /// <summary>One <c>...StorageContextMiddleware: RequestMethod=</c> line a request, its prefix naming the service.</summary>
    public static Dictionary<string, long> Count(string log)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        using var reader = new StreamReader(new FileStream(log, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete));
        while (reader.ReadLine() is string line)
        {
            int marker = line.IndexOf("StorageContextMiddleware: RequestMethod=", StringComparison.Ordinal);
            if (marker > 0)
            {
                int start = line.LastIndexOf(' ', marker) + 1;
                string service = line[start..marker];
                counts[service] = counts.GetValueOrDefault(service) + 1;
            }
        }

        return counts;
    }
}
