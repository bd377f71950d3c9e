using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Engine.Runs;
using GitOps.Orchestrations.Kubernetes.Rollouts;

namespace GitOps.Orchestrations.Rollouts.Tests;

/// <summary>Blue-green: a preview behind its own Service, pre-promotion analysis against a real Prometheus, then the switch.</summary>
public sealed class BlueGreenRolloutTests(RolloutEnvironment env) : IClassFixture<RolloutEnvironment>
{
    string Release(string ns, string service, string extra = "") => $$$"""
        apiVersion: gitops.orchestrations/v1
        kind: Rollout
        metadata: {name: api}
        spec:
          target: {name: api, namespace: {{{ns}}}}
          image: "{{params.image}}"
          progressDeadline: 30s
          strategy:
            blueGreen:
              activeService: api
              previewService: api-preview
              scaleDownDelay: 1s
              prePromotionAnalysis: {templates: [{name: success-rate}], args: [{name: service, value: {{{service}}}}]}
        {{{extra}}}
        ---
        apiVersion: gitops.orchestrations/v1
        kind: Workflow
        metadata: {name: release}
        spec:
          params: [{name: image}]
          tasks:
            - name: switch
              uses: rollout
              with: {rollout: api}
        ---
        {{{env.SuccessRate()}}}
        """;

    static string PreviewService(string ns) => $$$"""
        apiVersion: v1
        kind: Service
        metadata: {name: api-preview, namespace: {{{ns}}}}
        spec:
          selector: {app: api}
          ports: [{port: 80, targetPort: 8080}]
        """;

    string? Role(string ns, string service) => (string?)env.Cluster.Get("v1", "Service", ns, service)?["spec"]?["selector"]?[RolloutCluster.RoleLabel];

    string? ImageOf(string ns, string name) => (string?)env.Cluster.Get("apps/v1", "Deployment", ns, name)?["spec"]?["template"]?["spec"]?["containers"]?[0]?["image"];

    long? Replicas(string ns, string name) => (long?)env.Cluster.Get("apps/v1", "Deployment", ns, name)?["spec"]?["replicas"];

    [Fact]
    public async Task A_preview_that_passes_pre_promotion_analysis_is_switched_to_and_the_stable_takes_the_new_image()
    {
        string ns = await env.NewAppAsync(replicas: 3);
        await env.ApplyAsync(ns, PreviewService(ns));
        string id = await env.StartAsync(Release(ns, "healthy", extra: "      autoPromotionEnabled: false"), new() { ["image"] = "registry.local/api:2.0" });

        // Before promotion: the preview runs the new image at full size behind the preview Service, the active Service stays on stable.
        RolloutStatus held = await env.WaitForRolloutAsync(id, s => s.Phase == RolloutPhase.Paused, "waiting to be promoted");
        Assert.Equal(Core.Analysis.AnalysisPhase.Successful, held.Analyses.Single(a => a.Name == "prePromotion").Phase);
        Assert.Equal("stable", Role(ns, "api"));
        Assert.Equal("preview", Role(ns, "api-preview"));
        Assert.Equal(3, Replicas(ns, "api-preview"));
        Assert.Equal("registry.local/api:2.0", ImageOf(ns, "api-preview"));
        Assert.Equal("registry.local/api:1.0", ImageOf(ns, "api"));

        await env.Engine.Runs.CommandRolloutAsync(id, "switch", new Engine.Rollouts.RolloutCommand(Engine.Rollouts.RolloutAction.Promote, "frank"));
        RunStatus run = await env.WaitForRunAsync(id);
        Assert.True(run.Phase == WorkflowPhase.Succeeded, run.Nodes.Single().Message);
        RolloutStatus done = (await env.Engine.Runs.GetRolloutsAsync(id)).Single().Status!;
        Assert.Contains(done.Events, e => e.What == "Service api selects the preview pods");
        Assert.Equal("stable", Role(ns, "api"));
        Assert.Equal("registry.local/api:2.0", ImageOf(ns, "api"));
        Assert.Equal(0, Replicas(ns, "api-preview"));
    }

    [Fact]
    public async Task A_preview_that_fails_pre_promotion_analysis_is_never_switched_to()
    {
        string ns = await env.NewAppAsync(replicas: 2);
        await env.ApplyAsync(ns, PreviewService(ns));
        RunStatus run = await env.RunAsync(Release(ns, "broken"), new() { ["image"] = "registry.local/api:2.0" });

        NodeStatus node = run.Nodes.Single();
        Assert.Equal(NodePhase.Failed, node.Phase);
        Assert.Contains("analysis prePromotion Failed", node.Message);
        RolloutStatus status = (await env.Engine.Runs.GetRolloutsAsync(run.Id)).Single().Status!;
        Assert.DoesNotContain(status.Events, e => e.What == "Service api selects the preview pods");
        Assert.Equal("stable", Role(ns, "api"));
        Assert.Equal("registry.local/api:1.0", ImageOf(ns, "api"));
        Assert.Equal(0, Replicas(ns, "api-preview"));
    }
}
