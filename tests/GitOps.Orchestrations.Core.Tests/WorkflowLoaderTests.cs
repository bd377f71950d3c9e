using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Tests;

public class WorkflowLoaderTests
{
    [Fact]
    public void Loads_the_readme_example_with_every_field()
    {
        string yaml = File.ReadAllText(Path.Combine(Testing.RepositoryRoot.Path, "workflows", "hello-dag.yaml"));
        LoadResult result = Load.Text(yaml);
        Assert.Empty(result.Diagnostics);
        WorkflowDefinition workflow = Assert.Single(result.Workflows).Definition;
        Assert.Equal("hello-dag", workflow.Name);
        Assert.Equal(TimeSpan.FromMinutes(10), workflow.Timeout);
        Assert.Equal("onExit", workflow.OnExit!.Name);
        Assert.Equal(["start", "fan", "pause", "gate", "report", "cleanup"], workflow.Tasks.Select(t => t.Name));
        Assert.Equal("{{params.targets}}", workflow.Tasks[1].WithParam);
        Assert.Equal("fan && pause", workflow.Tasks[3].Depends);
    }

    [Fact]
    public void Reads_retry_timeout_sequence_and_continueOn()
    {
        LoadResult result = Load.Text(Load.Workflow("""
              - name: a
                uses: log
                with: {message: "{{item}}"}
                withSequence: {start: 3, end: 5}
                retry: {limit: 3, backoff: {duration: 1s, factor: 2, cap: 3s}, retryPolicy: Always}
                timeout: 1m30s
                continueOn: {failed: true}
            """));
        Assert.Empty(result.Diagnostics);
        TaskSpec task = result.Workflows[0].Definition.Tasks[0];
        Assert.Equal([3L, 4L, 5L], task.WithSequence!.Items(bound => bound).Select(i => i.GetInt64()));
        Assert.Equal(TimeSpan.FromSeconds(90), task.Timeout);
        Assert.True(task.ContinueOn!.Failed);
        Assert.False(task.ContinueOn.Error);
        Assert.Equal(TimeSpan.FromSeconds(1), task.Retry!.DelayBefore(2));
        Assert.Equal(TimeSpan.FromSeconds(2), task.Retry.DelayBefore(3));
        Assert.Equal(TimeSpan.FromSeconds(3), task.Retry.DelayBefore(4)); // capped by cap
        Assert.Equal(RetryPolicy.Always, task.Retry.Policy);
    }

    [Fact]
    public void Yaml_syntax_error_points_at_line_and_column()
    {
        string[] errors = Load.Errors("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nspec:\n  tasks: [a, b\n");
        string error = Assert.Single(errors);
        Assert.StartsWith("wf.yaml:5:1: error:", error);
    }

    [Fact]
    public void Unknown_fields_are_errors_at_their_position()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - name: a
                uses: log
                with: {message: hi, colour: red}
                dependz: b
            """));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:9:5: error: unknown field 'dependz' in a task", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:8:25: error: unknown field 'colour' in with of 'log' task", StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_required_fields_are_reported()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - name: a
                with: {message: hi}
              - name: b
                uses: http
                with: {method: GET}
            """));
        Assert.Contains(errors, e => e.Contains("is missing required field 'uses'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'http' task is missing required field with.url", StringComparison.Ordinal));
    }

    [Fact]
    public void Unknown_task_type_is_an_error_naming_the_known_ones()
    {
        string error = Assert.Single(Load.Errors(Load.Workflow("""
              - name: a
                uses: shell
            """)));
        Assert.Equal("wf.yaml:7:11: error: unknown task type 'shell' (known: analysis, apply, approval, diff, drift, git-commit, helm-publish, http, job, log, render, rollout, script, sync, template, wait, workflow)", error);
    }

    [Fact]
    public void Bad_durations_are_reported()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - name: a
                uses: wait
                with: {duration: 5 minutes}
                timeout: 10x
            """));
        Assert.Contains(errors, e => e.Contains("9:14: error: 'timeout': invalid duration '10x': unknown unit 'x'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("with.duration: invalid duration '5 minutes'", StringComparison.Ordinal));
    }

    [Fact]
    public void WithItems_and_withParam_together_are_refused()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - name: a
                uses: log
                with: {message: "{{item}}"}
                withItems: [1, 2]
                withParam: '[3]'
            """));
        Assert.Contains(errors, e => e.Contains("withItems and withParam cannot be used together", StringComparison.Ordinal));
    }

    [Fact]
    public void Duplicate_keys_are_reported_with_position()
    {
        string[] errors = Load.Errors("apiVersion: gitops.orchestrations/v1\nkind: Workflow\nkind: Workflow\n");
        Assert.Contains("wf.yaml:3:1: error: duplicate key 'kind'", errors);
    }

    [Fact]
    public void Unknown_kind_and_wrong_api_version_are_errors()
    {
        string[] errors = Load.Errors("apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata: {name: x}\nspec: {}\n");
        Assert.Contains(errors, e => e.Contains("1:13: error: apiVersion must be 'gitops.orchestrations/v1'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("2:7: error: unknown kind 'CronWorkflow'", StringComparison.Ordinal));
    }
}

public class PositionSanityTests
{
    [Fact]
    public void Reported_columns_match_the_text()
    {
        string yaml = Load.Workflow("""
              - name: a
                uses: log
                with: {message: hi, colour: red}
            """);
        string[] lines = yaml.Split('\n');
        string error = Assert.Single(Load.Errors(yaml));
        string[] parts = error.Split(':');
        int line = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture), column = int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("colour", lines[line - 1].Substring(column - 1, 6));
    }
}
