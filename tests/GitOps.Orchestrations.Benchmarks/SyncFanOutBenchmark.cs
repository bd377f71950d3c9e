using System.Diagnostics;
using System.Diagnostics.Tracing;
using k8s;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Delivery;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;

namespace GitOps.Orchestrations.Benchmarks;

/// <summary>
/// A fan-out of <c>sync</c> steps against one git:// repository and the Kubernetes API fixture,
/// through the engine on the embedded backend: wall time per run, and how often the thread pool
/// had to add threads because its threads were blocked (the runtime's starvation events).
/// </summary>
internal static class SyncFanOutBenchmark
{
    public static async Task RunAsync(int width, int repeat)
    {
        await using GitServers servers = await GitServers.StartAsync();
        using var repo = new GitRepository();
        repo.Commit("app", ("app/cm.yaml", Apps.ConfigMap("app", "1")));
        servers.Publish("app.git", repo);
        var cluster = new KubeApiServer();
        await cluster.InitializeAsync();
        string work = Directory.CreateTempSubdirectory("gitops-bench-fanout-").FullName;
        using (var client = GitOps.Orchestrations.Kubernetes.ClusterClient.Connect(new GitOps.Orchestrations.Kubernetes.ClusterSpec { Kubeconfig = cluster.WriteKubeconfig(work) }))
        {
            // A real API server refuses objects in a namespace that does not exist: each item has its own.
            for (int i = 0; i < width; i++)
            {
                await client.CoreV1.CreateNamespaceAsync(new k8s.Models.V1Namespace { Metadata = new k8s.Models.V1ObjectMeta { Name = $"ns-{i}" } });
            }
        }

        using var starvation = new StarvationListener();
        try
        {
            await using EngineHost engine = await EngineHost.StartAsync(new EngineHostOptions
            {
                Delivery = new DeliveryOptions { CacheDirectory = Path.Combine(work, "cache"), Clusters = cluster.Clusters(work) },
            });
            WorkflowSnapshot snapshot = WorkflowSnapshots.Load($$$"""
                apiVersion: gitops.orchestrations/v1
                kind: Workflow
                metadata: {name: fanout-sync}
                spec:
                  tasks:
                    - name: sync
                      uses: sync
                      withSequence: {count: {{{width}}}}
                      with:
                        source: {repo: "{{{servers.GitUrl}}}/app.git", revision: main, path: app}
                        target: {kubernetes: {namespace: "ns-{{item}}"}}
                """);

            var times = new List<double>();
            var starved = new List<long>();
            for (int round = 0; round <= repeat; round++)
            {
                long before = starvation.Count;
                var watch = Stopwatch.StartNew();
                string id = await engine.Runs.StartAsync(snapshot, null, "bench");
                using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
                RunStatus run = await engine.Runs.WatchAsync(id, _ => Task.CompletedTask, TimeSpan.FromMilliseconds(50), timeout.Token);
                if (run.Phase != WorkflowPhase.Succeeded)
                {
                    throw new InvalidOperationException($"run {id} ended {run.Phase}: {run.Message}; {string.Join("; ", run.Nodes.Select(n => n.Message))}");
                }

                if (round > 0)
                {
                    // Round 0 clones the repository and warms the JIT, and is not counted.
                    times.Add(watch.Elapsed.TotalSeconds);
                    starved.Add(starvation.Count - before);
                }
            }

            times.Sort();
            starved.Sort();
            Console.WriteLine();
            Console.WriteLine($"| {width} sync steps, one git:// repository | median s | min s | max s | starvation events per run (median) | threads at the end |");
            Console.WriteLine("|---|---|---|---|---|---|");
            Console.WriteLine($"| engine, embedded backend | {times[times.Count / 2]:0.00} | {times[0]:0.00} | {times[^1]:0.00} | {starved[starved.Count / 2]} | {ThreadPool.ThreadCount} |");
        }
        finally
        {
            await cluster.DisposeAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>Counts the runtime's "thread pool starvation" adjustments: a thread added because queued work waited on blocked threads.</summary>
    sealed class StarvationListener : EventListener
    {
        const int Starvation = 6;
        long count;

        public long Count => Interlocked.Read(ref count);

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
            {
                EnableEvents(source, EventLevel.Informational, (EventKeywords)0x10000);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName == "ThreadPoolWorkerThreadAdjustmentAdjustment" && e.Payload is { Count: > 2 } payload && Convert.ToInt32(payload[2], System.Globalization.CultureInfo.InvariantCulture) == Starvation)
            {
                Interlocked.Increment(ref count);
            }
        }
    }
}
