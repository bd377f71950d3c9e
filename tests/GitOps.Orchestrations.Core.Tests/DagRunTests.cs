using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Planning;

namespace GitOps.Orchestrations.Core.Tests;

public class DagRunTests
{
    static DagRun Plan(string tasks, bool failFast = true)
    {
        LoadResult result = Load.Text(Load.Workflow(tasks, failFast ? "" : "  failFast: false\n"));
        Assert.Empty(result.Diagnostics);
        return new DagRun(result.Workflows[0].Definition);
    }

    static string[] Names(IEnumerable<TaskSpec> tasks) => tasks.Select(t => t.Name).ToArray();

    [Fact]
    public void Parallelism_starts_ready_tasks_in_workflow_order_as_slots_free()
    {
        LoadResult result = Load.Text(Load.Workflow("""
              - {name: a, uses: log, with: {message: x}}
              - {name: b, uses: log, with: {message: x}}
              - {name: c, uses: log, with: {message: x}}
              - {name: d, uses: log, depends: a, with: {message: x}}
            """, "  parallelism: 2\n"));
        Assert.Empty(result.Diagnostics);
        var dag = new DagRun(result.Workflows[0].Definition);
        Assert.Equal(["a", "b"], Names(dag.TakeReady(2)));
        Assert.Equal(NodePhase.Pending, dag["c"].Phase);
        Assert.Equal("waiting for a slot: parallelism 2 reached", dag["c"].Message);
        Assert.Empty(dag.TakeReady(0));
        dag.Complete("a", NodePhase.Succeeded);
        Assert.Equal(["c"], Names(dag.TakeReady(1)));
        Assert.Null(dag["c"].Message);
        dag.Complete("b", NodePhase.Succeeded);
        Assert.Equal(["d"], Names(dag.TakeReady(1)));
    }

    [Fact]
    public void Parallelism_on_a_task_that_does_not_fan_out_is_refused()
    {
        string error = Assert.Single(Load.Errors(Load.Workflow("""
              - {name: a, uses: log, parallelism: 2, with: {message: x}}
            """)));
        Assert.Contains("parallelism limits a fan-out's items; task 'a' has no withItems", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Argo_dependencies_list_means_all_of_them()
    {
        LoadResult result = Load.Text(Load.Workflow("""
              - {name: a, uses: log, with: {message: x}}
              - {name: b, uses: log, with: {message: x}}
              - {name: c, uses: log, dependencies: [a, b], with: {message: x}}
            """));
        Assert.Empty(result.Diagnostics);
        Assert.Equal("a && b", result.Workflows[0].Definition.Tasks[2].Depends);
        string[] errors = Load.Errors(Load.Workflow("""
              - {name: a, uses: log, with: {message: x}}
              - {name: c, uses: log, dependencies: [a], depends: a, with: {message: x}}
              - {name: d, uses: log, dependencies: [nope], with: {message: x}}
            """));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:7:", StringComparison.Ordinal) && e.Contains("write depends or dependencies, not both", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:8:", StringComparison.Ordinal) && e.Contains("depends names unknown task 'nope'", StringComparison.Ordinal));
    }

    [Fact]
    public void Diamond_runs_in_three_waves()
    {
        DagRun dag = Plan("""
              - {name: a, uses: log, with: {message: x}}
              - {name: b, uses: log, depends: a, with: {message: x}}
              - {name: c, uses: log, depends: a, with: {message: x}}
              - {name: d, uses: log, depends: b && c, with: {message: x}}
            """);
        Assert.Equal(["a"], Names(dag.TakeReady()));
        dag.Complete("a", NodePhase.Succeeded);
        Assert.Equal(["b", "c"], Names(dag.TakeReady()));
        dag.Complete("b", NodePhase.Succeeded);
        Assert.Empty(dag.TakeReady());
        dag.Complete("c", NodePhase.Succeeded);
        Assert.Equal(["d"], Names(dag.TakeReady()));
        dag.Complete("d", NodePhase.Succeeded);
        Assert.True(dag.IsFinished);
        Assert.Equal(WorkflowPhase.Succeeded, dag.Outcome());
    }

    [Fact]
    public void False_depends_omits_and_the_omission_cascades()
    {
        DagRun dag = Plan("""
              - {name: a, uses: log, with: {message: x}}
              - {name: onfail, uses: log, depends: a.Failed, with: {message: x}}
              - {name: after, uses: log, depends: onfail, with: {message: x}}
              - {name: either, uses: log, depends: onfail.Omitted, with: {message: x}}
            """);
        dag.TakeReady();
        dag.Complete("a", NodePhase.Succeeded);
        Assert.Equal(["either"], Names(dag.TakeReady()));
        Assert.Equal(NodePhase.Omitted, dag["onfail"].Phase);
        Assert.Equal(NodePhase.Omitted, dag["after"].Phase);
    }

    [Fact]
    public void Handled_failure_does_not_fail_the_workflow()
    {
        DagRun dag = Plan("""
              - {name: gate, uses: log, with: {message: x}}
              - {name: cleanup, uses: log, depends: "gate.Failed", with: {message: x}}
            """);
        dag.TakeReady();
        dag.Complete("gate", NodePhase.Failed, "rejected");
        Assert.Equal(["cleanup"], Names(dag.TakeReady()));
        dag.Complete("cleanup", NodePhase.Succeeded);
        Assert.Equal(WorkflowPhase.Succeeded, dag.Outcome());
    }

    [Fact]
    public void FailFast_omits_work_not_yet_started()
    {
        DagRun dag = Plan("""
              - {name: a, uses: log, with: {message: x}}
              - {name: b, uses: log, with: {message: x}}
              - {name: c, uses: log, depends: b, with: {message: x}}
            """);
        Assert.Equal(["a", "b"], Names(dag.TakeReady()));
        dag.Complete("a", NodePhase.Errored, "boom");
        dag.Complete("b", NodePhase.Succeeded);
        Assert.Empty(dag.TakeReady());
        Assert.Equal(NodePhase.Omitted, dag["c"].Phase);
        Assert.StartsWith("not started: failFast after 'a'", dag["c"].Message, StringComparison.Ordinal);
        Assert.Equal(WorkflowPhase.Errored, dag.Outcome());
    }

    [Fact]
    public void Without_failFast_independent_branches_continue()
    {
        DagRun dag = Plan("""
              - {name: a, uses: log, with: {message: x}}
              - {name: b, uses: log, with: {message: x}}
              - {name: c, uses: log, depends: b, with: {message: x}}
            """, failFast: false);
        dag.TakeReady();
        dag.Complete("a", NodePhase.Failed);
        dag.Complete("b", NodePhase.Succeeded);
        Assert.Equal(["c"], Names(dag.TakeReady()));
        dag.Complete("c", NodePhase.Succeeded);
        Assert.Equal(WorkflowPhase.Failed, dag.Outcome());
        Assert.Equal("a failed", dag.OutcomeMessage());
    }

    [Fact]
    public void ContinueOn_tolerates_a_failure()
    {
        DagRun dag = Plan("""
              - {name: a, uses: log, continueOn: {failed: true}, with: {message: x}}
              - {name: b, uses: log, depends: a, with: {message: x}}
            """);
        dag.TakeReady();
        dag.Complete("a", NodePhase.Failed);
        Assert.Equal(["b"], Names(dag.TakeReady()));
        dag.Complete("b", NodePhase.Succeeded);
        Assert.Equal(WorkflowPhase.Succeeded, dag.Outcome());
    }

    [Fact]
    public void Timeout_fails_running_and_omits_pending()
    {
        DagRun dag = Plan("""
              - {name: a, uses: log, with: {message: x}}
              - {name: b, uses: log, depends: a, with: {message: x}}
            """);
        dag.TakeReady();
        dag.TimeOut(TimeSpan.FromSeconds(2));
        Assert.Equal(NodePhase.Failed, dag["a"].Phase);
        Assert.Equal(NodePhase.Omitted, dag["b"].Phase);
        Assert.Equal(WorkflowPhase.Failed, dag.Outcome());
        Assert.Equal("workflow timeout of 2s exceeded", dag.OutcomeMessage());
    }

    [Fact]
    public void Fan_out_phase_folds_item_phases()
    {
        Assert.Equal(NodePhase.Succeeded, FanOutSummary.Of([NodePhase.Succeeded, NodePhase.Skipped]).Phase);
        Assert.Equal(NodePhase.Failed, FanOutSummary.Of([NodePhase.Succeeded, NodePhase.Failed, NodePhase.Errored]).Phase);
        Assert.Equal(NodePhase.Errored, FanOutSummary.Of([NodePhase.Succeeded, NodePhase.Errored]).Phase);
        Assert.Equal(NodePhase.Skipped, FanOutSummary.Of([]).Phase);
        Assert.True(FanOutSummary.Of([NodePhase.Failed, NodePhase.Errored]).AllFailed);
    }

    [Fact]
    public void Params_bind_with_defaults_and_reject_unknown_and_missing()
    {
        LoadResult result = Load.Text(Load.Workflow("    - {name: a, uses: log, with: {message: x}}\n", "  params:\n    - {name: env, enum: [dev, prod], default: dev}\n    - {name: version}\n"));
        WorkflowDefinition workflow = result.Workflows[0].Definition;
        var bound = ParamBinder.Bind(workflow, new Dictionary<string, string> { ["version"] = "1.0" }, out var errors);
        Assert.Empty(errors);
        Assert.Equal("dev", bound["env"]);
        ParamBinder.Bind(workflow, new Dictionary<string, string> { ["env"] = "qa", ["typo"] = "x" }, out errors);
        Assert.Equal(3, errors.Count);
    }
}
