using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Engine.Runs;

namespace GitOps.Orchestrations.Rollouts.Tests;

/// <summary>
/// A run that is stopped, or that times out, stops what it started: its canary aborts (the route
/// goes back to 100/0, read back) instead of shifting traffic alone, and the run says what it stopped.
/// </summary>
public sealed class StoppingTests(RolloutEnvironment env) : IClassFixture<RolloutEnvironment>
{
    static string Release(string ns, string timeouts) => $$$"""
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: release}
        spec:
        {{{timeouts}}}
          tasks:
            - name: canary
              uses: rollout
              with: {rollout: api}
        ---
        apiVersion: gitops.orchestrations/v1
        kind: Rollout
        metadata: {name: api}
        spec:
          target: {kind: Deployment, name: api, namespace: {{{ns}}}}
          image: registry.local/api:2.0
          progressDeadline: 1m
          strategy:
            canary:
              abortScaleDownDelay: 1s
              trafficRouting: {gatewayAPI: {httpRoute: api}}
              steps:
                - setWeight: 30
                - pause: {}
        """;

    long[] Weights(string ns) =>
        ((System.Text.Json.Nodes.JsonArray)env.Cluster.Get("gateway.networking.k8s.io/v1", "HTTPRoute", ns, "api")!["spec"]!["rules"]![0]!["backendRefs"]!)
            .Select(b => (long)b!["weight"]!).ToArray();

    async Task<string> PausedCanaryAsync(string timeouts)
    {
        string ns = await env.NewAppAsync(extra: [Routes.HttpRouteCrd]);
        await env.ApplyAsync(ns, Routes.CanaryService(ns), Routes.HttpRoute(ns));
        string id = await env.StartAsync(Release(ns, timeouts));
        await env.WaitForRolloutAsync(id, s => s.Phase == RolloutPhase.Paused && s.Weight == 30, "paused at weight 30");
        Assert.Equal([70L, 30L], Weights(ns));
        return $"{ns}/{id}";
    }

    [Fact]
    public async Task Terminating_a_run_aborts_its_rollout_and_puts_traffic_back_on_stable()
    {
        string[] started = (await PausedCanaryAsync("  timeout: 10m")).Split('/');
        (string ns, string id) = (started[0], started[1]);

        await env.Engine.Runs.StopAsync(id, "olga", "wrong image");
        RunStatus run = await env.WaitForRunAsync(id);
        Assert.Equal(WorkflowPhase.Terminated, run.Phase);
        Assert.Equal("terminated by olga: wrong image", run.Message);
        NodeStatus node = run.Nodes.Single();
        Assert.Equal(NodePhase.Failed, node.Phase);
        Assert.Contains("rollout api Degraded", node.Message, StringComparison.Ordinal);
        Assert.Equal([100L, 0L], Weights(ns));
        Assert.Null(env.Cluster.Get("gateway.networking.k8s.io/v1", "HTTPRoute", ns, "api")!["metadata"]!["annotations"]?["rollouts.gitops.orchestrations/original-spec"]);
        RolloutView rollout = (await env.Engine.Runs.GetRolloutsAsync(id)).Single();
        Assert.False(rollout.Running);
        Assert.Equal(RolloutPhase.Degraded, rollout.Status!.Phase);
        Assert.Contains(rollout.Status.Events, e => e.What.Contains("the run stopped waiting for this rollout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_run_that_times_out_aborts_its_rollout_too()
    {
        string[] started = (await PausedCanaryAsync("  timeout: 3s")).Split('/');
        (string ns, string id) = (started[0], started[1]);

        RunStatus run = await env.WaitForRunAsync(id);
        Assert.Equal(WorkflowPhase.Failed, run.Phase);
        Assert.Contains("workflow timeout of 3s exceeded", run.Message, StringComparison.Ordinal);
        Assert.Equal([100L, 0L], Weights(ns));
        Assert.Equal(RolloutPhase.Degraded, (await env.Engine.Runs.GetRolloutsAsync(id)).Single().Status!.Phase);
    }

    [Fact]
    public async Task A_stop_that_no_host_signed_is_ignored()
    {
        string[] started = (await PausedCanaryAsync("  timeout: 10m")).Split('/');
        (string ns, string id) = (started[0], started[1]);
        // Events reach the run in order: had the forged stop counted, the run would say mallory stopped it.
        await env.Engine.Client.RaiseEventAsync(id, RunStop.Event, new StopRequest("mallory", "forged"));
        await env.Engine.Runs.StopAsync(id, "olga", "cleanup");
        RunStatus run = await env.WaitForRunAsync(id);
        Assert.Equal(WorkflowPhase.Terminated, run.Phase);
        Assert.Equal("terminated by olga: cleanup", run.Message);
        Assert.Equal([100L, 0L], Weights(ns));
    }
}
