using System.Diagnostics;
using System.Text;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Delivery;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Hosting;
using GitOps.Orchestrations.Testing;
using GitOps.Orchestrations.Testing.Kubernetes;

namespace GitOps.Orchestrations.Benchmarks;

/// <summary>
/// Rollouts on the embedded backend against the Kubernetes API fixture and a real Prometheus:
/// the time from an analysis step succeeding to the next weight applied and read back, and how much
/// a 20-step rollout (10 weights, 10 one-second pauses) adds over the sum of its pauses.
/// </summary>
public static class RolloutBenchmark
{
    const int Transitions = 5;
    const int Pauses = 10;
    static readonly TimeSpan Pause = TimeSpan.FromSeconds(1);

    public static async Task RunAsync(int repeat)
    {
        string work = Directory.CreateTempSubdirectory("gitops-bench-rollout-").FullName;
        var cluster = new KubeApiServer();
        await cluster.InitializeAsync();
        string kubeconfig = cluster.WriteKubeconfig(work);
        await using var controller = new DeploymentController(cluster, TimeSpan.FromMilliseconds(20));
        await using PrometheusServer prometheus = await PrometheusServer.StartWithTrafficAsync(("api", 200, 0.0));
        await using EngineHost engine = await EngineHost.StartAsync(new EngineHostOptions { Delivery = new DeliveryOptions { Clusters = cluster.Clusters(work) } });
        try
        {
            var transitions = new List<double>();
            var overheads = new List<double>();
            var totals = new List<double>();
            for (int round = 0; round <= repeat; round++)
            {
                string ns = $"bench{round}";
                await CreateAppAsync(cluster, kubeconfig, ns);

                var steps = new StringBuilder();
                for (int i = 1; i <= Transitions; i++)
                {
                    steps.Append($"        - setWeight: {i * 10}\n        - analysis: {{templates: [{{name: once}}]}}\n");
                }

                RolloutStatus gated = await RunAsync(engine, Yaml(ns, prometheus.Url, steps.ToString(), "gated"), "2.0");
                List<double> latencies = TransitionLatencies(gated);

                steps.Clear();
                for (int i = 1; i <= Pauses; i++)
                {
                    steps.Append($"        - setWeight: {i * 9}\n        - pause: {{duration: {Pause.TotalSeconds}s}}\n");
                }

                RolloutStatus paced = await RunAsync(engine, Yaml(ns, prometheus.Url, steps.ToString(), "paced"), "3.0");
                double total = (paced.UpdatedAt - paced.StartedAt).TotalSeconds;
                if (round > 0)
                {
                    // Round 0 warms the JIT and is not counted.
                    transitions.AddRange(latencies);
                    totals.Add(total);
                    overheads.Add(total / (Pauses * Pause.TotalSeconds) - 1);
                }
            }

            Console.WriteLine();
            Console.WriteLine($"analysis Successful -> next weight applied and read back: median {Median(transitions) * 1000:F0} ms, max {transitions.Max() * 1000:F0} ms ({transitions.Count} transitions)");
            Console.WriteLine($"20-step rollout (10 weights, {Pauses} pauses of {Pause.TotalSeconds:F0}s = {Pauses * Pause.TotalSeconds:F0}s): median {Median(totals):F2}s, overhead {Median(overheads) * 100:F1}% (max {overheads.Max() * 100:F1}%)");
        }
        finally
        {
            await cluster.DisposeAsync();
            Directory.Delete(work, recursive: true);
        }
    }

    static async Task<RolloutStatus> RunAsync(EngineHost engine, string yaml, string version)
    {
        RunStatus run = await engine.Runs.RunToEndAsync(yaml, new Dictionary<string, string> { ["version"] = version });
        if (run.Phase != Core.Model.WorkflowPhase.Succeeded)
        {
            throw new InvalidOperationException($"the rollout did not succeed: {run.Nodes[0].Message}");
        }

        return (await engine.Runs.GetRolloutsAsync(run.Id))[0].Status!;
    }

    /// <summary>From each "analysis step-N Successful" event to the "weight" event after it, in orchestration time.</summary>
    static List<double> TransitionLatencies(RolloutStatus status)
    {
        var latencies = new List<double>();
        DateTime? passed = null;
        foreach (RolloutEvent e in status.Events)
        {
            if (e.What.StartsWith("analysis step-", StringComparison.Ordinal) && e.What.Contains(" Successful", StringComparison.Ordinal))
            {
                passed = e.At;
            }
            else if (passed is DateTime at && e.What.StartsWith("weight ", StringComparison.Ordinal))
            {
                latencies.Add((e.At - at).TotalSeconds);
                passed = null;
            }
        }

        return latencies;
    }

    static async Task CreateAppAsync(KubeApiServer cluster, string kubeconfig, string ns)
    {
        using var client = new k8s.Kubernetes(k8s.KubernetesClientConfiguration.BuildConfigFromConfigFile(kubeconfig));
        await k8s.CoreV1OperationsExtensions.CreateNamespaceAsync(client.CoreV1, new k8s.Models.V1Namespace { Metadata = new() { Name = ns } });
        await k8s.AppsV1OperationsExtensions.CreateNamespacedDeploymentAsync(client.AppsV1, k8s.KubernetesYaml.Deserialize<k8s.Models.V1Deployment>(Apps.Deployment("api", "registry.local/api:1.0", 10, ns)), ns);
        var watch = Stopwatch.StartNew();
        while (cluster.Get("apps/v1", "Deployment", ns, "api")?["status"]?["readyReplicas"] is null && watch.Elapsed < TimeSpan.FromSeconds(30))
        {
            await Task.Delay(20);
        }
    }

    static string Yaml(string ns, string prometheus, string steps, string name) => $$$"""
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: {{{name}}}}
        spec:
          params: [{name: version}]
          tasks:
            - {name: canary, uses: rollout, with: {rollout: api}}
        ---
        apiVersion: gitops.orchestrations/v1
        kind: Rollout
        metadata: {name: api}
        spec:
          target: {name: api, namespace: {{{ns}}}}
          image: "registry.local/api:{{params.version}}"
          strategy:
            canary:
              steps:
        {{{steps}}}
        ---
        apiVersion: gitops.orchestrations/v1
        kind: AnalysisTemplate
        metadata: {name: once}
        spec:
          metrics:
            - name: success-rate
              successCondition: "len(result) > 0 && result[0] >= 0.95"
              provider:
                prometheus:
                  address: {{{prometheus}}}
                  query: sum(rate(http_requests_total{service="api",code!~"5.."}[10s])) / sum(rate(http_requests_total{service="api"}[10s]))
        """;

    static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }
}
