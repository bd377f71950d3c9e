using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Rollouts.Tests;

/// <summary>The canary scenarios: steps, analysis against a real Prometheus, and the Deployments on the API fixture.</summary>
public sealed class CanaryRolloutTests(RolloutEnvironment env) : IClassFixture<RolloutEnvironment>
{
    string Release(string ns, string steps, string extra = "", string deadline = "30s") => $$$"""
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: release}
        spec:
          params: [{name: image}]
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
          image: "{{params.image}}"
          progressDeadline: {{{deadline}}}
          strategy:
            canary:
              abortScaleDownDelay: 1s
        {{{extra}}}
              steps:
        {{{steps}}}
        ---
        {{{env.SuccessRate()}}}
        """;

    static Dictionary<string, string> Image(string image = "registry.local/api:2.0") => new() { ["image"] = image };

    long? Replicas(string ns, string name) => (long?)env.Cluster.Get("apps/v1", "Deployment", ns, name)?["spec"]?["replicas"];

    string? ImageOf(string ns, string name) => (string?)env.Cluster.Get("apps/v1", "Deployment", ns, name)?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"];

    [Fact]
    public async Task A_canary_that_passes_every_gate_reaches_100_percent_and_the_stable_runs_the_new_image()
    {
        string ns = await env.NewAppAsync();
        RunStatus run = await env.RunAsync(Release(ns, """
                    - setWeight: 25
                    - analysis: {templates: [{name: success-rate}], args: [{name: service, value: healthy}]}
                    - setWeight: 50
                    - pause: {duration: 500ms}
            """), Image());

        NodeStatus node = run.Nodes.Single();
        Assert.True(run.Phase == WorkflowPhase.Succeeded, $"{node.Phase}: {node.Message}");
        Assert.Equal("Healthy", node.Outputs["phase"].GetString());
        Assert.Equal(100, node.Outputs["weight"].GetInt32());
        Assert.Equal("registry.local/api:2.0", ImageOf(ns, "api"));
        Assert.Equal(4, Replicas(ns, "api"));
        Assert.Equal(0, Replicas(ns, "api-canary"));

        RolloutStatus status = (await env.Engine.Runs.GetRolloutsAsync(run.Id)).Single().Status!;
        Assert.Equal(RolloutPhase.Healthy, status.Phase);
        List<string> weights = status.Events.Select(e => e.What).Where(w => w.StartsWith("weight ", StringComparison.Ordinal)).ToList();
        Assert.Equal(["weight 25: the cluster holds 25", "weight 50: the cluster holds 50", "weight 100: api runs registry.local/api:2.0; canary scaled to 0"], weights);
        RolloutAnalysisRecord analysis = Assert.Single(status.Analyses);
        Assert.Equal(Core.Analysis.AnalysisPhase.Successful, analysis.Phase);
        Assert.Equal(2, analysis.Measurements.Count);
        Assert.All(analysis.Measurements, m => Assert.Contains("healthy", Uri.UnescapeDataString(m.Query)));
    }

    [Fact]
    public async Task A_rising_error_rate_fails_the_background_analysis_and_the_gateway_route_returns_to_stable()
    {
        env.Prometheus.SetTraffic("rising", 200, 0.0);
        await env.Prometheus.WaitForSamplesAsync("rising");
        string ns = await env.NewAppAsync(extra: [Routes.HttpRouteCrd]);
        await env.ApplyAsync(ns, Routes.CanaryService(ns), Routes.HttpRoute(ns));
        string id = await env.StartAsync(Release(ns, """
                    - setWeight: 20
                    - pause: {}
            """, extra: """
                  trafficRouting: {gatewayAPI: {httpRoute: api}}
                  analysis: {templates: [{name: success-rate}], args: [{name: service, value: rising}], startingStep: 1}
            """.Replace("success-rate}]", "background}]", StringComparison.Ordinal)) + "\n---\n" + env.SuccessRate(count: 1000, name: "background", inconclusiveLimit: 100), Image());

        RolloutStatus paused = await env.WaitForRolloutAsync(id, s => s.Phase == RolloutPhase.Paused && s.Weight == 20, "paused at weight 20");
        Assert.Equal("paused until promoted", paused.PauseReason);
        Assert.Equal([80L, 20L], Weights(ns));
        Assert.Equal(1, Replicas(ns, "api-canary"));

        // The canary starts failing: the background analysis fails, whatever step the rollout is at. On
        // the way down the success rate passes through the gray zone between the conditions, whose
        // Inconclusive measurements the template allows, so only the failure decides.
        env.Prometheus.SetTraffic("rising", 200, 0.5);
        RunStatus run = await env.WaitForRunAsync(id);
        NodeStatus node = run.Nodes.Single();
        Assert.Equal(NodePhase.Failed, node.Phase);
        Assert.Contains("background analysis Failed", node.Message);
        Assert.Equal("Degraded", node.Outputs["phase"].GetString());
        Assert.Equal([100L, 0L], Weights(ns));
        Assert.Equal(0, Replicas(ns, "api-canary"));
        Assert.Equal("registry.local/api:1.0", ImageOf(ns, "api"));
        Assert.Null(env.Cluster.Get("gateway.networking.k8s.io/v1", "HTTPRoute", ns, "api")!["metadata"]!["annotations"]?["rollouts.gitops.orchestrations/original-spec"]);
        RolloutStatus status = (await env.Engine.Runs.GetRolloutsAsync(id)).Single().Status!;
        Assert.Contains(status.Events, e => e.What == "canary scaled to 0 after 1s");
        Assert.Equal(Core.Analysis.AnalysisPhase.Failed, status.Analyses.Single(a => a.Name == "background").Phase);
    }

    long[] Weights(string ns) =>
        ((System.Text.Json.Nodes.JsonArray)env.Cluster.Get("gateway.networking.k8s.io/v1", "HTTPRoute", ns, "api")!["spec"]!["rules"]![0]!["backendRefs"]!)
            .Select(b => (long)b!["weight"]!).ToArray();

    [Fact]
    public async Task A_canary_that_never_becomes_ready_is_aborted_at_the_progress_deadline()
    {
        string ns = await env.NewAppAsync();
        lock (env.Controller.CrashingImages)
        {
            env.Controller.CrashingImages.Add("registry.local/api:crashing");
        }

        RunStatus run = await env.RunAsync(Release(ns, """
                    - setWeight: 50
                    - pause: {}
            """, deadline: "2s"), Image("registry.local/api:crashing"));

        NodeStatus node = run.Nodes.Single();
        Assert.True(node.Phase == NodePhase.Failed, $"{node.Phase}: {node.Message}");
        Assert.Contains("progressDeadline 2s exceeded while waiting for api-canary to be ready: api-canary 0/2 ready", node.Message);
        Assert.Equal(0, Replicas(ns, "api-canary"));
        Assert.Equal(4, Replicas(ns, "api"));
        Assert.Equal("registry.local/api:1.0", ImageOf(ns, "api"));
    }

    [Fact]
    public async Task Promote_moves_past_an_indefinite_pause_and_promote_full_skips_the_remaining_steps()
    {
        string ns = await env.NewAppAsync();
        string id = await env.StartAsync(Release(ns, """
                    - setWeight: 25
                    - pause: {}
                    - setWeight: 50
                    - pause: {}
                    - setWeight: 75
                    - pause: {}
            """), Image());

        await env.WaitForRolloutAsync(id, s => s.Phase == RolloutPhase.Paused && s.CurrentStep == 1, "paused at step 1");
        await env.Engine.Runs.CommandRolloutAsync(id, "canary", new Engine.Rollouts.RolloutCommand(Engine.Rollouts.RolloutAction.Promote, "alice", "looks good"));
        await env.WaitForRolloutAsync(id, s => s.Phase == RolloutPhase.Paused && s.CurrentStep == 3, "paused at step 3");
        Assert.Equal(2, Replicas(ns, "api-canary"));

        await env.Engine.Runs.CommandRolloutAsync(id, "canary", new Engine.Rollouts.RolloutCommand(Engine.Rollouts.RolloutAction.PromoteFull, "bob"));
        RunStatus run = await env.WaitForRunAsync(id);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        RolloutStatus status = (await env.Engine.Runs.GetRolloutsAsync(id)).Single().Status!;
        Assert.Contains(status.Events, e => e.By == "alice" && e.What == "promoted past pause until promoted: looks good");
        Assert.Contains(status.Events, e => e.By == "bob" && e.What.StartsWith("full promotion requested", StringComparison.Ordinal));
        Assert.DoesNotContain(status.Events, e => e.What.StartsWith("weight 75", StringComparison.Ordinal));
        Assert.Equal("registry.local/api:2.0", ImageOf(ns, "api"));
    }

    [Fact]
    public async Task Abort_returns_traffic_to_stable_and_fails_the_step_with_who_aborted()
    {
        string ns = await env.NewAppAsync();
        string id = await env.StartAsync(Release(ns, """
                    - setWeight: 50
                    - pause: {}
            """), Image());

        await env.WaitForRolloutAsync(id, s => s.Phase == RolloutPhase.Paused, "paused");
        Assert.Equal(2, Replicas(ns, "api-canary"));
        Assert.Equal(2, Replicas(ns, "api"));
        await env.Engine.Runs.CommandRolloutAsync(id, "canary", new Engine.Rollouts.RolloutCommand(Engine.Rollouts.RolloutAction.Abort, "carol", "error budget"));
        RunStatus run = await env.WaitForRunAsync(id);
        NodeStatus node = run.Nodes.Single();
        Assert.Equal(NodePhase.Failed, node.Phase);
        Assert.Contains("aborted by carol: error budget", node.Message);
        Assert.Equal(0, Replicas(ns, "api-canary"));
        Assert.Equal(4, Replicas(ns, "api"));
    }

    [Fact]
    public async Task An_inconclusive_analysis_pauses_for_a_person_instead_of_passing_or_failing()
    {
        string ns = await env.NewAppAsync();
        string id = await env.StartAsync(Release(ns, """
                    - setWeight: 25
                    - analysis: {templates: [{name: success-rate}], args: [{name: service, value: nobody}]}
                    - setWeight: 50
            """), Image());

        RolloutStatus paused = await env.WaitForRolloutAsync(id, s => s.Phase == RolloutPhase.Paused, "paused");
        Assert.StartsWith("analysis step-1 Inconclusive", paused.PauseReason);
        Assert.Contains("minimum-sample guard", paused.PauseReason);
        await env.Engine.Runs.CommandRolloutAsync(id, "canary", new Engine.Rollouts.RolloutCommand(Engine.Rollouts.RolloutAction.Promote, "dave"));
        RunStatus run = await env.WaitForRunAsync(id);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(Engine.Orchestrators.OrchestrationVersions.ArgoRetry)] // started before progress had its own event
    public async Task An_approval_step_waits_for_a_listed_approver_and_records_who_decided(string? version)
    {
        string ns = await env.NewAppAsync();
        string id = await env.StartAsync(Release(ns, """
                    - setWeight: 25
                    - approval: {approvers: [erin]}
            """), Image(), version);

        // No timeout on the gate: a one-minute one raced the test on a busy machine, and this test
        // is about who decides, not about time (timeouts have their own tests).
        await env.WaitForRolloutAsync(id, s => s.Gate is not null, "waiting at its gate");

        // The rollout's gate reaches the run's status through the step's relay, a moment later.
        await Eventually.True(async () => (await env.Engine.Runs.GetAsync(id))!.Gates.Count == 1, "the gate in the run's status");
        RunStatus waiting = (await env.Engine.Runs.GetAsync(id))!;

        PendingGate gate = Assert.Single(waiting.Gates);
        Assert.Equal("canary", gate.Node);

        // Promote is not an approval: it is recorded and ignored.
        await env.Engine.Runs.CommandRolloutAsync(id, "canary", new Engine.Rollouts.RolloutCommand(Engine.Rollouts.RolloutAction.Promote, "mallory"));
        await env.Engine.Runs.DecideAsync(id, "canary", new Engine.TaskTypes.ApprovalDecision("approve", "mallory"));
        await env.Engine.Runs.DecideAsync(id, "canary", new Engine.TaskTypes.ApprovalDecision("approve", "erin", "ship it"));
        RunStatus run = await env.WaitForRunAsync(id);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        RolloutStatus status = (await env.Engine.Runs.GetRolloutsAsync(id)).Single().Status!;
        Assert.Contains(status.Events, e => e.By == "mallory" && e.What.StartsWith("'promote' ignored", StringComparison.Ordinal));
        Assert.Contains(status.Events, e => e.By == "erin" && e.What == "approved by erin");
    }
}
