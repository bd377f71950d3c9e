using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Tests;

/// <summary>Outputs, task status, workflow variables, expression templates and sequences: refused at their place before any run.</summary>
public class LanguageValidationTests
{
    [Fact]
    public void A_declared_output_needs_a_valid_expression_that_reads_what_exists()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - name: a
                uses: log
                with: {message: x}
                outputs:
                  bad: {from: "result +"}
                  ghost: {from: "tasks.nope.outputs.x"}
                  "1st": {from: result}
                  raw: {expression: result}
            """));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:10:", StringComparison.Ordinal) && e.Contains("invalid output 'bad'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:11:", StringComparison.Ordinal) && e.Contains("output 'ghost': unknown task 'nope'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:12:", StringComparison.Ordinal) && e.Contains("output name '1st'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:13:", StringComparison.Ordinal) && e.Contains("unknown field 'expression'", StringComparison.Ordinal));
    }

    [Fact]
    public void Task_status_needs_a_dependency_and_failures_belong_to_exit_handlers()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - {name: a, uses: log, with: {message: x}}
              - {name: b, uses: log, with: {message: "{{tasks.a.status}}"}}
              - {name: c, uses: log, with: {message: "{{workflow.failures}} {{workflow.labels.team}} {{workflow.parameters.nope}} {{workflow.bogus}}"}}
            """));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:7:", StringComparison.Ordinal) && e.Contains("uses status of 'a' but does not depend on it", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:8:", StringComparison.Ordinal) && e.Contains("workflow.failures is only known in onExit", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("workflow has no label 'team'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("unknown param 'nope'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'workflow.bogus': workflow offers name, id, revision, status, creationTimestamp, duration, failures", StringComparison.Ordinal));
    }

    [Fact]
    public void Expression_templates_are_checked_like_expressions()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - {name: a, uses: log, with: {message: "{{= params.nope + 1 }}"}}
              - {name: b, uses: log, with: {message: "ok {{= globalThis }}"}}
              - {name: c, uses: log, with: {message: "{{= workflow.name.toUpperCase() }} {{= Math.max(1, 2) }}"}}
            """));
        Assert.Equal(2, errors.Length);
        Assert.StartsWith("wf.yaml:6:", errors[0], StringComparison.Ordinal);
        Assert.Contains("unknown param 'nope'", errors[0], StringComparison.Ordinal);
        Assert.StartsWith("wf.yaml:7:", errors[1], StringComparison.Ordinal);
        Assert.Contains("invalid expression template", errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Sequences_refuse_count_with_end_bad_formats_and_unknown_params()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - {name: a, uses: log, withSequence: {count: 2, end: 5}, with: {message: x}}
              - {name: b, uses: log, withSequence: {count: 2, format: "%s-%d"}, with: {message: x}}
              - {name: c, uses: log, withSequence: {count: "{{params.nope}}"}, with: {message: x}}
              - {name: d, uses: log, withSequence: {count: 2.5}, with: {message: x}}
              - {name: e, uses: log, withSequence: {start: 0, end: 200000}, with: {message: x}}
            """));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:6:", StringComparison.Ordinal) && e.Contains("takes count or end, not both", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:7:", StringComparison.Ordinal) && e.Contains("format '%s-%d'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:8:", StringComparison.Ordinal) && e.Contains("unknown param 'nope'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:9:", StringComparison.Ordinal) && e.Contains("must be an integer or a {{...}} template", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:10:", StringComparison.Ordinal) && e.Contains("more than 100000 items", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("%d", 7, "7")]
    [InlineData("host-%02d", 7, "host-07")]
    [InlineData("%03x", 255, "0ff")]
    [InlineData("%X", 255, "FF")]
    [InlineData("%o", 8, "10")]
    [InlineData("%4d|", -3, "  -3|")]
    [InlineData("%03d", -3, "-03")]
    [InlineData("100%% %d", 1, "100% 1")]
    public void Sequence_formats_follow_printf(string format, long value, string expected)
    {
        Assert.Null(SequenceFormat.Problem(format));
        Assert.Equal(expected, SequenceFormat.Apply(format, value));
    }

    [Theory]
    [InlineData("plain")]
    [InlineData("%d-%d")]
    [InlineData("%s")]
    [InlineData("%0100d")]
    [InlineData("%")]
    public void Sequence_formats_outside_the_subset_are_refused(string format) => Assert.NotNull(SequenceFormat.Problem(format));

    [Fact]
    public void Start_with_count_counts_up_and_end_below_start_counts_down()
    {
        Assert.Equal([5L, 6L, 7L], new SequenceSpec { Start = "5", Count = "3" }.Items(b => b).Select(i => i.GetInt64()));
        Assert.Equal([3L, 2L, 1L], new SequenceSpec { Start = "3", End = "1" }.Items(b => b).Select(i => i.GetInt64()));
        Assert.Empty(new SequenceSpec { Count = "0" }.Items(b => b));
        Assert.Throws<FormatException>(() => new SequenceSpec { Count = "-1" }.Items(b => b));
        Assert.Throws<FormatException>(() => new SequenceSpec { Count = "{{params.n}}" }.Items(_ => "2000000"));
    }

    [Fact]
    public void Hooks_are_steps_that_read_their_owner_once_it_has_ended()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - name: a
                uses: log
                with: {message: x}
                hooks:
                  running: {uses: log, with: {message: "{{tasks.a.status}}"}}
                  failed: {uses: log, depends: b, with: {message: "{{tasks.a.outputs.message}}"}}
                  later: {uses: log, with: {message: x}}
              - {name: a-hook-exit, uses: log, with: {message: x}, onExit: {uses: log, with: {message: x}}}
              - {name: b, uses: log, with: {message: x}, onExit: {uses: log, with: {message: "{{tasks.b.status}}"}}, hooks: {exit: {uses: log, with: {message: x}}}}
            """));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:10:", StringComparison.Ordinal) && e.Contains("uses status of 'a' but does not depend on it", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("hook 'a-hook-failed' runs when its event comes; it cannot have depends", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:12:", StringComparison.Ordinal) && e.Contains("unknown field 'later'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:14:", StringComparison.Ordinal) && e.Contains("write onExit or hooks.exit, not both", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("tasks.a.outputs", StringComparison.Ordinal) || e.Contains("of 'b'", StringComparison.Ordinal));
    }

    [Fact]
    public void The_run_picture_shows_hooks_beside_their_owners()
    {
        LoadResult loaded = Load.Text(Load.Workflow("""
              - name: a
                uses: log
                with: {message: x}
                hooks: {failed: {uses: log, with: {message: y}}}
            """, "  hooks: {running: {uses: log, with: {message: z}}}\n"));
        Assert.Empty(loaded.Diagnostics);
        var graph = Planning.WorkflowGraph.Of(loaded.Workflows[0].Definition);
        Assert.Equal(["a", "a-hook-failed", "hook-running"], graph.Select(n => n.Name));
        Assert.Equal(["a"], graph[1].Depends);
        Assert.Equal("on failed", graph[1].Condition);
        Assert.True(graph[2].Exit);
    }

    [Fact]
    public void A_hook_node_may_not_take_a_tasks_name()
    {
        string[] errors = Load.Errors(Load.Workflow("""
              - {name: a, uses: log, with: {message: x}, hooks: {failed: {uses: log, with: {message: y}}}}
              - {name: a-hook-failed, uses: log, with: {message: x}}
            """));
        Assert.Contains(errors, e => e.Contains("hook node 'a-hook-failed' has the name of a task; rename the task", StringComparison.Ordinal));
    }
}
