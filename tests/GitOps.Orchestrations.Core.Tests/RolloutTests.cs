using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Rollouts;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Core.Tests;

public sealed class RolloutTests
{
    const string Issue = """
        apiVersion: gitops.orchestrations/v1
        kind: Rollout
        metadata: {name: api}
        spec:
          target: {kind: Deployment, name: api, namespace: prod}
          image: "{{params.image}}"
          progressDeadline: 10m
          strategy:
            canary:
              trafficRouting: {istio: {virtualService: api, routes: [primary]}}
              steps:
                - setWeight: 10
                - pause: {duration: 5m}
                - analysis: {templates: [{name: success-rate}], args: [{name: service, value: api}]}
                - setWeight: 50
                - approval: {approvers: [release-managers], timeout: 4h, onTimeout: abort}
                - setCanaryScale: {weight: 50}
                - pause: {}
              analysis: {templates: [{name: success-rate}], startingStep: 1}
              abortScaleDownDelay: 30s
        """;

    static (IReadOnlyList<RolloutDefinition> Rollouts, List<string> Errors) Load(string yaml)
    {
        LoadResult result = DocumentLoader.Load("r.yaml", yaml, TaskTypeRegistry.BuiltIn());
        return (result.Rollouts, result.Diagnostics.Select(d => d.ToString()).ToList());
    }

    [Fact]
    public void The_issue_example_loads_every_step_in_order()
    {
        var (rollouts, errors) = Load(Issue);
        Assert.Empty(errors);
        RolloutDefinition rollout = Assert.Single(rollouts);
        Assert.Equal(("api", "prod", TimeSpan.FromMinutes(10)), (rollout.Target.Name, rollout.Target.Namespace, rollout.ProgressDeadline));
        CanaryStrategy canary = rollout.Canary!;
        Assert.Equal(new TrafficRouting("istio", "api", ["primary"]).Resource, canary.TrafficRouting.Resource);
        Assert.Equal(["setWeight 10", "pause 5m", "analysis success-rate", "setWeight 50", "approval", "setCanaryScale 50%", "pause until promoted"], canary.Steps.Select(s => s.Describe()));
        RolloutApproval approval = Assert.IsType<ApprovalStep>(canary.Steps[4]).Approval;
        Assert.Equal(["release-managers"], approval.Approvers);
        Assert.Equal((TimeSpan.FromHours(4), "abort"), (approval.Timeout, approval.OnTimeout));
        Assert.Equal(1, canary.Analysis!.StartingStep);
        Assert.Equal(TimeSpan.FromSeconds(30), canary.AbortScaleDownDelay);
    }

    [Fact]
    public void Every_mistake_is_reported_at_its_line_and_column()
    {
        var (rollouts, errors) = Load("""
            apiVersion: gitops.orchestrations/v1
            kind: Rollout
            metadata: {name: api}
            spec:
              target: {kind: StatefulSet, name: api}
              image: api:2
              strategy:
                canary:
                  trafficRouting: {linkerd: {}}
                  steps:
                    - setWeight: 120
                    - {setWeight: 10, pause: {}}
                    - setCanaryScale: {weight: 10, replicas: 2}
                    - approval: {onTimeout: maybe}
                  analysis: {templates: [{name: x}], startingStep: 9}
            """);
        Assert.Empty(rollouts);
        Assert.Equal([
            "r.yaml:5:18: error: a rollout changes a Deployment, not a StatefulSet",
            "r.yaml:9:24: error: unknown traffic provider 'linkerd' (known: replicas, gatewayAPI, istio, smi)",
            "r.yaml:11:22: error: 'setWeight' must be between 0 and 100",
            "r.yaml:12:11: error: a step must be exactly one of setWeight, pause, analysis, approval, setCanaryScale",
            "r.yaml:13:27: error: setCanaryScale takes exactly one of weight, replicas or matchTrafficWeight: true",
            "r.yaml:14:33: error: onTimeout must be approve or reject (or, for a rollout, promote or abort), not 'maybe'",
            "r.yaml:15:17: error: analysis.startingStep is 9, but the steps are numbered 0 to 3",
        ], errors);
    }

    [Theory]
    [InlineData("approve")]
    [InlineData("reject")]
    [InlineData("promote")]
    [InlineData("abort")]
    public void A_rollout_gate_speaks_the_gate_vocabulary_and_argo_s(string onTimeout)
    {
        var (rollouts, errors) = Load($$$"""
            apiVersion: gitops.orchestrations/v1
            kind: Rollout
            metadata: {name: api}
            spec:
              target: {name: api}
              image: api:2
              strategy:
                canary:
                  steps: [{approval: {onTimeout: {{{onTimeout}}}}}]
            """);
        Assert.Empty(errors);
        Assert.Equal(onTimeout, Assert.IsType<ApprovalStep>(Assert.Single(rollouts).Canary!.Steps.Single()).Approval.OnTimeout);
    }

    [Fact]
    public void Exactly_one_strategy_and_set_canary_scale_only_with_a_mesh()
    {
        var (_, errors) = Load("""
            apiVersion: gitops.orchestrations/v1
            kind: Rollout
            metadata: {name: api}
            spec:
              target: {name: api}
              image: api:2
              strategy:
                canary:
                  steps: [{setCanaryScale: {replicas: 1}}]
                blueGreen: {activeService: api}
            """);
        Assert.Equal([
            "r.yaml:9:15: error: setCanaryScale needs trafficRouting: with the replicas router the weight already sets the canary's pods",
            "r.yaml:8:5: error: strategy must have exactly one of canary or blueGreen",
        ], errors);
    }

    [Fact]
    public void A_template_the_folder_lacks_is_reported_where_the_rollout_names_it()
    {
        WorkflowCatalog catalog = WorkflowCatalog.Load([new SourceFile("r.yaml", System.Text.Encoding.UTF8.GetBytes(Issue))], TaskTypeRegistry.BuiltIn());
        Assert.Equal(["r.yaml:14:33: error: AnalysisTemplate 'success-rate' is not defined in this repository folder", "r.yaml:19:29: error: AnalysisTemplate 'success-rate' is not defined in this repository folder"],
            catalog.Diagnostics.Select(d => d.ToString()));
    }

    [Theory]
    [InlineData(4, 10, 1, 3, 25)]
    [InlineData(4, 50, 2, 2, 50)]
    [InlineData(5, 100, 5, 0, 100)]
    [InlineData(3, 0, 0, 3, 0)]
    public void The_replicas_router_splits_pods_as_argo_does(int total, int weight, int canary, int stable, int effective)
    {
        Assert.Equal((canary, stable), CanaryMath.ReplicaSplit(total, weight));
        Assert.Equal(effective, CanaryMath.EffectiveWeight(canary, stable));
    }

    [Fact]
    public void With_a_mesh_the_canary_runs_its_share_or_what_set_canary_scale_asks()
    {
        Assert.Equal(1, CanaryMath.MeshCanaryReplicas(10, 5, null));
        Assert.Equal(5, CanaryMath.MeshCanaryReplicas(10, 5, new CanaryScale(50, null, false)));
        Assert.Equal(2, CanaryMath.MeshCanaryReplicas(10, 90, new CanaryScale(null, 2, false)));
    }

    [Fact]
    public void A_rollout_on_its_own_is_a_one_step_workflow_asking_for_the_params_it_uses()
    {
        RolloutDefinition rollout = Assert.Single(Load(Issue).Rollouts);
        WorkflowDefinition workflow = RolloutWorkflow.For(rollout with { Target = rollout.Target with { Namespace = "{{params.env}}" } });
        Assert.Equal("rollout-api", workflow.Name);
        Assert.Equal(["image", "env"], workflow.Params.Select(p => p.Name));
        Assert.All(workflow.Params, p => Assert.Null(p.Default));
        TaskSpec task = Assert.Single(workflow.Tasks);
        Assert.Equal(("rollout", "api"), (task.Uses, task.With!.Value.GetProperty("rollout").GetString()));

        RolloutDefinition filled = RolloutTemplating.Fill(rollout, new Dictionary<string, string> { ["image"] = "api:2.0" });
        Assert.Equal("api:2.0", filled.Image);
        Assert.Throws<Templating.TemplateException>(() => RolloutTemplating.Fill(rollout, new Dictionary<string, string>()));
    }
}
