using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Processes;

namespace GitOps.Orchestrations.Benchmarks;

/// <summary>
/// Load and soak: a <c>gitops serve</c> process on Azure Storage (Azurite) and a Git repository
/// with one realistic workflow (a fan-out of HTTP calls to a loopback server that records each
/// effect, a durable wait, an approval gate, and one more call), run by a number of clients at
/// once for a bounded time, each starting a run, approving its gate as another person when it
/// waits, and starting the next when it ends. Reports runs/s, run and step latency, effects lost
/// or applied twice (each must be zero), and the server's resident memory over time, which the soak
/// mode also draws as a plot.
/// </summary>
public static class LoadBenchmark
{
    const int FanOut = 4;

    public static async Task RunAsync(TimeSpan duration, int clients, TimeSpan sampleEvery, string? plot)
    {
        var azurite = new AzuriteFixture();
        await azurite.InitializeAsync();
        var http = new TestHttpServer();
        await http.InitializeAsync();
        using var repo = new GitRepository();
        repo.Commit("load", ("workflows/load.yaml", $$$"""
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: load}
            spec:
              timeout: 10m
              tasks:
                - {name: fan, uses: http, withSequence: {count: {{{FanOut}}}}, with: {method: POST, url: "{{{http.BaseUrl}}}/effects/fan-{{workflow.id}}-{{item}}"}}
                - {name: pause, uses: wait, depends: fan, with: {duration: 1s}}
                - {name: gate, uses: approval, depends: pause, with: {timeout: 10m, message: ship?}}
                - {name: after, uses: http, depends: gate, with: {method: POST, url: "{{{http.BaseUrl}}}/effects/after-{{workflow.id}}"}}
            """));
        try
        {
            string hub = $"load{Guid.NewGuid():N}"[..14];
            await using ServerProcess server = await ServerProcess.StartAsync(azurite.ConnectionString, repo.Path, taskHub: hub);
            using HttpClient starter = server.ClientFor("olga");
            using HttpClient approver = server.ClientFor("sam");

            var memory = new List<(double Minutes, double Megabytes)>();
            var clock = Stopwatch.StartNew();
            using var stop = new CancellationTokenSource();
            Task sampler = SampleAsync(server.ProcessId, clock, sampleEvery, memory, stop.Token);

            var ended = new ConcurrentBag<(string Id, double Seconds, string Phase)>();
            var steps = new ConcurrentBag<double>();
            DateTime deadline = DateTime.UtcNow + duration;
            await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => ClientAsync(starter, approver, deadline, ended, steps)));
            double elapsed = clock.Elapsed.TotalSeconds;
            await stop.CancelAsync();
            await sampler;

            // Every run that ended applied each of its effects exactly once.
            List<string> ids = [.. ended.Select(e => e.Id)];
            int lost = 0, twice = 0;
            foreach (string id in ids)
            {
                foreach (string effect in Enumerable.Range(0, FanOut).Select(i => $"fan-{id}-{i}").Append($"after-{id}"))
                {
                    int applied = http.Applied.GetValueOrDefault(effect);
                    lost += applied == 0 ? 1 : 0;
                    twice += applied > 1 ? 1 : 0;
                }
            }

            double[] runs = [.. ended.Select(e => e.Seconds).Order()];
            double[] stepTimes = [.. steps.Order()];
            int failed = ended.Count(e => e.Phase != "Succeeded");

            // Memory after warm-up: the first tenth of the run (at least a minute in a soak) is the warm-up.
            double warm = memory.Count == 0 ? 0 : memory[^1].Minutes / 10;
            var afterWarmUp = memory.Where(m => m.Minutes >= warm).Select(m => m.Megabytes).ToList();
            double low = afterWarmUp.DefaultIfEmpty(0).Min(), high = afterWarmUp.DefaultIfEmpty(0).Max();
            Console.WriteLine();
            Console.WriteLine("| clients | minutes | runs ended | failed | runs/s | run p50 s | run p99 s | step p50 ms | step p99 ms | effects lost | effects twice | server MB after warm-up (min–max) | spread |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {clients} | {elapsed / 60:0.0} | {runs.Length} | {failed} | {runs.Length / elapsed:0.00} | {Percentile(runs, 0.5):0.00} | {Percentile(runs, 0.99):0.00} | {Percentile(stepTimes, 0.5) * 1000:0} | {Percentile(stepTimes, 0.99) * 1000:0} | {lost} | {twice} | {low:0}–{high:0} | {(low == 0 ? 0 : (high - low) / low * 100):0.0}% |"));
            if (plot is not null)
            {
                Plot(memory, warm, plot, clients);
                Console.WriteLine($"memory plot: {plot}");
            }
        }
        finally
        {
            await http.DisposeAsync();
            await azurite.DisposeAsync();
        }
    }

    /// <summary>One client: a run at a time until the deadline; approves its gate as someone other than the starter.</summary>
    static async Task ClientAsync(HttpClient starter, HttpClient approver, DateTime deadline, ConcurrentBag<(string, double, string)> ended, ConcurrentBag<double> steps)
    {
        while (DateTime.UtcNow < deadline)
        {
            var watch = Stopwatch.StartNew();
            HttpResponseMessage started = await starter.PostAsJsonAsync("/api/workflows/load/runs", new { });
            started.EnsureSuccessStatusCode();
            string id = (await started.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            bool approved = false;
            while (true)
            {
                JsonElement run = await starter.GetFromJsonAsync<JsonElement>($"/api/runs/{id}");
                string phase = run.GetProperty("phase").GetString()!;
                if (phase is "Succeeded" or "Failed" or "Errored" or "Terminated")
                {
                    // A run counts as succeeded only if each of its steps did its work.
                    if (phase == "Succeeded" && run.GetProperty("nodes").EnumerateArray().Any(n => n.GetProperty("phase").GetString() != "Succeeded"))
                    {
                        phase = "Incomplete";
                    }

                    if (Environment.GetEnvironmentVariable("LOAD_DEBUG") is not null)
                    {
                        Console.Error.WriteLine($"{watch.Elapsed.TotalSeconds:0.00} {run}");
                    }

                    ended.Add((id, watch.Elapsed.TotalSeconds, phase));
                    foreach (JsonElement node in run.GetProperty("nodes").EnumerateArray())
                    {
                        // The HTTP steps: the fan-out (all its calls) and the last call.
                        if (node.GetProperty("name").GetString() is "fan" or "after" && node.TryGetProperty("finishedAt", out JsonElement finished) && finished.ValueKind == JsonValueKind.String)
                        {
                            steps.Add((finished.GetDateTime() - node.GetProperty("startedAt").GetDateTime()).TotalSeconds);
                        }
                    }

                    break;
                }

                if (!approved && run.GetProperty("gates").EnumerateArray().Any(g => g.GetProperty("node").GetString() == "gate"))
                {
                    HttpResponseMessage decided = await approver.PostAsJsonAsync($"/api/runs/{id}/approvals/gate", new { decision = "approve", comment = "load" });
                    approved = decided.IsSuccessStatusCode;
                }

                await Task.Delay(250);
            }
        }
    }

    static async Task SampleAsync(int pid, Stopwatch clock, TimeSpan every, List<(double, double)> samples, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            string? rss = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
            if (rss is not null)
            {
                double kilobytes = double.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture);
                lock (samples)
                {
                    samples.Add((clock.Elapsed.TotalMinutes, kilobytes / 1024));
                }
            }

            try
            {
                await Task.Delay(every, stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    static void Plot(List<(double Minutes, double Megabytes)> memory, double warm, string path, int clients)
    {
        var plot = new ScottPlot.Plot();
        var line = plot.Add.Scatter(memory.Select(m => m.Minutes).ToArray(), memory.Select(m => m.Megabytes).ToArray());
        line.LegendText = "gitops serve resident memory";
        line.MarkerSize = 0;
        var warmUp = plot.Add.VerticalLine(warm);
        warmUp.LegendText = "end of warm-up";
        warmUp.LinePattern = ScottPlot.LinePattern.Dashed;
        plot.Title($"Soak: {clients} clients, one run each at a time, Azure Storage (Azurite)");
        plot.XLabel("minutes");
        plot.YLabel("MB resident");
        plot.Axes.SetLimitsY(0, memory.Max(m => m.Megabytes) * 1.2);
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        plot.SavePng(path, 900, 450);
    }

    static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}
