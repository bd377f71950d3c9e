namespace GitOps.Orchestrations.Core.Tests;

public class ValidationTests
{
    [Fact]
    public void Duplicate_task_names_are_reported()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - {name: a, uses: log, with: {message: x}}
              - {name: a, uses: log, with: {message: y}}
            """));
        Assert.Contains(errors, e => e.EndsWith("error: duplicate task name 'a'", StringComparison.Ordinal));
    }

    [Fact]
    public void Depends_on_an_unknown_task_points_at_the_name()
    {
        string error = Assert.Single(Load.Errors(Load.Workflow("""
              - {name: a, uses: log, with: {message: x}}
              - name: b
                uses: log
                depends: "a && nope.Failed"
                with: {message: y}
            """)));
        Assert.Equal("wf.yaml:9:20: error: depends names unknown task 'nope'", error);
    }

    [Fact]
    public void A_cycle_is_named()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - {name: a, uses: log, depends: c, with: {message: x}}
              - {name: b, uses: log, depends: a, with: {message: x}}
              - {name: c, uses: log, depends: b, with: {message: x}}
            """));
        Assert.Contains(errors, e => e.EndsWith("error: dependency cycle: a -> c -> b -> a", StringComparison.Ordinal));
    }

    [Fact]
    public void Bad_depends_syntax_and_unknown_result_are_reported()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - {name: a, uses: log, with: {message: x}}
              - {name: b, uses: log, depends: "a.Finished", with: {message: x}}
              - {name: c, uses: log, depends: "(a || b", with: {message: x}}
            """));
        Assert.Contains(errors, e => e.Contains("invalid depends: unknown result 'Finished'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("invalid depends: expected ')'", StringComparison.Ordinal));
    }

    [Fact]
    public void Template_references_must_name_params_and_upstream_tasks()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - {name: a, uses: log, with: {message: "{{params.missing}}"}}
              - {name: b, uses: log, with: {message: "{{tasks.a.outputs.message}}"}}
              - {name: c, uses: log, depends: a, with: {message: "{{tasks.zz.outputs.x}} {{item}} {{workflow.status}}"}}
            """));
        Assert.Contains(errors, e => e.Contains("unknown param 'missing'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("task 'b' uses outputs of 'a' but does not depend on it", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown task 'zz'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("only available in a fan-out task", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("workflow.status is only known in onExit", StringComparison.Ordinal));
    }

    [Fact]
    public void Bad_when_expression_is_reported_at_validation_time()
    {
        string error = Assert.Single(Load.Errors(Load.Workflow("""
              - {name: a, uses: log, when: "1 +* 2", with: {message: x}}
            """)));
        Assert.Contains("error: invalid when: invalid expression", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Sandbox_rules_are_checked_before_running()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - {name: a, uses: log, when: "(() => true)()", with: {message: x}}
              - {name: b, uses: log, when: "x.constructor.constructor('return 1')() == 1", with: {message: x}}
              - {name: c, uses: http, with: {url: "http://x", successCondition: "status = 200"}}
            """));
        Assert.Equal(3, errors.Length);
        Assert.Contains(errors, e => e.Contains("ArrowFunctionExpression is not allowed", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'constructor' is not allowed", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("AssignmentExpression is not allowed", StringComparison.Ordinal));
    }

    [Fact]
    public void Fan_out_results_only_apply_to_fan_out_tasks()
    {
        string error = Assert.Single(Load.Errors(Load.Workflow("""
              - {name: a, uses: log, with: {message: x}}
              - {name: b, uses: log, depends: a.AnySucceeded, with: {message: x}}
            """)));
        Assert.Contains("a.AnySucceeded only applies to fan-out tasks", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Approval_policy_cannot_be_templated_from_params()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - name: gate
                uses: approval
                with:
                  approvers: ["{{params.who}}"]
                  quorum: "{{params.n}}"
                  allowSelfApproval: "{{params.self}}"
                  onTimeout: "{{params.then}}"
                  timeout: "{{params.wait}}"
            """, extraSpec: "  params: [{name: who}, {name: n}, {name: self}, {name: then}, {name: wait, default: 1h}]\n"));
        Assert.Equal(4, errors.Length);
        Assert.All(errors, e => Assert.Contains("must be written out here, not templated", e, StringComparison.Ordinal));
        Assert.StartsWith("wf.yaml:10:18: error: with.approvers:", errors[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Rollout_and_pipeline_approvers_cannot_be_templated()
    {
        string rollout = """
            apiVersion: gitops.orchestrations/v1
            kind: Rollout
            metadata: {name: web}
            spec:
              target: {kind: Deployment, name: web}
              image: "web:{{params.version}}"
              strategy:
                canary:
                  steps:
                    - approval: {approvers: ["{{params.approver}}"]}
            """;
        string pipeline = """
            apiVersion: gitops.orchestrations/v1
            kind: Pipeline
            metadata: {name: api}
            spec:
              sources:
                - name: chart
                  helmRepository: {url: http://127.0.0.1:8081/bronze, chart: api, version: "1.2.x"}
              stages:
                - name: prod
                  from: sources
                  approval: {approvers: [alice, "{{params.who}}"]}
                  promotion: {uses: helm-publish, with: {to: http://127.0.0.1:8081/gold}}
            """;
        Assert.Contains(Load.Errors(rollout), e => e.StartsWith("wf.yaml:10:34: error: approvers must be written out", StringComparison.Ordinal));
        Assert.Contains(Load.Errors(pipeline), e => e.StartsWith("wf.yaml:11:37: error: approvers must be written out", StringComparison.Ordinal));
    }
}
