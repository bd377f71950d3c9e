using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Benchmarks;

/// <summary>
/// How long a dead worker's work waits: two <c>gitops serve</c> processes on one Azure Storage task
/// hub (Azurite), a hundred runs in flight with calls under way on both, then one server killed with
/// SIGKILL. For each run, the time from the kill to its end (its last update, as the store records
/// it). Measured once with the old tuning (30 s leases, 120 s visibility) as the baseline and once
/// with the defaults, in the same process, against the same Azurite.
/// </summary>
internal static class FailoverBenchmark
{
    public static async Task RunAsync(int runs)
    {
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var http = new TestHttpServer();
        await http.InitializeAsync();
        using var repo = new GitRepository();
        repo.Commit("steady", ("workflows/steady.yaml", $$$"""
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: steady}
            spec:
              tasks:
                - {name: first, uses: http, with: {method: POST, url: "{{{http.BaseUrl}}}/effects/first-{{workflow.id}}?ms=4000"}}
                - {name: second, uses: http, depends: first, with: {method: POST, url: "{{{http.BaseUrl}}}/effects/second-{{workflow.id}}?ms=2000"}}
            """));

        try
        {
            var rows = new List<string>();
            foreach (var (label, environment) in new (string, Dictionary<string, string>)[]
            {
                ("baseline: lease 30 s, visibility 120 s", new() { ["GITOPS_AZURE_STORAGE_LEASE_SECONDS"] = "30", ["GITOPS_AZURE_STORAGE_VISIBILITY_SECONDS"] = "120" }),
                ("defaults: lease 15 s, visibility 20 s", new()),
            })
            {
                rows.Add(await MeasureAsync(label, environment, azurite.ConnectionString, repo.Path, http, runs));
            }

            Console.WriteLine();
            Console.WriteLine($"| tuning | runs | runs on the killed server | ended within 15 s | within 30 s | p50 s | p95 s | max s | effects applied twice |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
            rows.ForEach(Console.WriteLine);
        }
        finally
        {
            await http.DisposeAsync();
            await azurite.DisposeAsync();
        }
    }

    static async Task<string> MeasureAsync(string label, Dictionary<string, string> environment, string store, string repository, TestHttpServer http, int runs)
    {
        string hub = $"fo{Guid.NewGuid():N}"[..12];
        await using ServerProcess one = await ServerProcess.StartAsync(store, repository, environment, taskHub: hub);
        await using ServerProcess two = await ServerProcess.StartAsync(store, repository, environment, taskHub: hub);
        using HttpClient client = two.ClientFor("olga");
        http.Workers.Clear();

        var ids = new List<string>();
        for (int i = 0; i < runs; i++)
        {
            HttpResponseMessage started = await client.PostAsJsonAsync("/api/workflows/steady/runs", new { });
            ids.Add((await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!);
        }

        // Kill when both servers have calls under way, so the dead one holds work.
        var waiting = Stopwatch.StartNew();
        while (http.Workers.Count < 2 || http.Workers.Values.Min() < runs / 10)
        {
            if (waiting.Elapsed > TimeSpan.FromMinutes(5))
            {
                throw new TimeoutException($"work never spread over both servers: {string.Join(", ", http.Workers)}");
            }

            await Task.Delay(100);
        }

        int onKilled = http.Workers.TryGetValue(WorkerOf(http, one), out int count) ? count : 0;
        one.Kill();
        DateTime killedAt = DateTime.UtcNow;
        Console.WriteLine($"{label}: killed a server with {onKilled} call(s) of its own under way or done");

        var endedAfter = new Dictionary<string, double>();
        var overall = Stopwatch.StartNew();
        while (endedAfter.Count < ids.Count)
        {
            if (overall.Elapsed > TimeSpan.FromMinutes(10))
            {
                throw new TimeoutException($"{ids.Count - endedAfter.Count} run(s) never ended");
            }

            foreach (string id in ids.Where(id => !endedAfter.ContainsKey(id)).ToList())
            {
                JsonElement run = await client.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
                string phase = run.GetProperty("phase").GetString()!;
                if (phase is "Succeeded" or "Failed" or "Errored" or "Terminated")
                {
                    if (phase != "Succeeded")
                    {
                        throw new InvalidOperationException($"run {id} ended {phase}: {run.GetProperty("message")}");
                    }

                    DateTime ended = run.GetProperty("lastUpdatedAt").GetDateTime().ToUniversalTime();
                    endedAfter[id] = Math.Max(0, (ended - killedAt).TotalSeconds);
                }
            }

            await Task.Delay(500);
        }

        double[] sorted = [.. endedAfter.Values.Order()];
        int twice = http.Applied.Count(a => a.Value > 1);
        return $"| {label} | {runs} | {onKilled} calls | {sorted.Count(s => s <= 15)} | {sorted.Count(s => s <= 30)} | {Percentile(sorted, 0.5):0.0} | {Percentile(sorted, 0.95):0.0} | {sorted[^1]:0.0} | {twice} |";
    }

    static string WorkerOf(TestHttpServer http, ServerProcess server) =>
        http.Workers.Keys.FirstOrDefault(k => k.Contains(server.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)) ?? string.Empty;

    static double Percentile(double[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
