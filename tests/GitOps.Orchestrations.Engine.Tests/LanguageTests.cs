using System.Globalization;
using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>
/// What Argo users write beyond a plain DAG, driven through real orchestrations: outputs and
/// <c>outputs.result</c>, <c>tasks.X.status</c>, workflow variables, <c>{{= }}</c> and sequences.
/// </summary>
public sealed class LanguageTests(MemoryBackend backend) : IClassFixture<MemoryBackend>
{
    const string Header = "apiVersion: gitops.orchestrations/v1\nkind: Workflow\n";

    static NodeStatus Node(RunStatus run, string name) => run.Nodes.Single(n => n.Name == name);

    static string Message(RunStatus run, string node) => Node(run, node).Outputs["message"].GetString()!;

    [Fact]
    public async Task Declared_outputs_read_the_step_result_and_a_task_result_is_its_main_output()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: outputs}
            spec:
              tasks:
                - name: call
                  uses: http
                  with: {url: "{{http}}/echo/abcd"}
                  outputs:
                    size: {from: "JSON.parse(result).length * 10"}
                    code: {from: "outputs.status"}
                - {name: said, uses: log, with: {message: hello}}
                - name: use
                  uses: log
                  depends: call && said
                  with: {message: "{{tasks.call.outputs.size}} {{tasks.call.outputs.code}} {{tasks.said.outputs.result}}"}
            """);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal("40 200 hello", Message(run, "use"));
        Assert.Equal("""{"echo":"abcd","length":4}""", Node(run, "call").Outputs["result"].GetString());
    }

    [Fact]
    public async Task An_output_that_cannot_be_evaluated_errors_its_node()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: bad-output}
            spec:
              tasks:
                - name: call
                  uses: log
                  with: {message: "not json"}
                  outputs: {parsed: {from: "JSON.parse(result).x"}}
            """);
        Assert.Equal(WorkflowPhase.Errored, run.Phase);
        Assert.Equal(NodePhase.Errored, Node(run, "call").Phase);
        Assert.Contains("output 'parsed'", Node(run, "call").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fan_out_output_aggregates_only_its_succeeded_items_in_item_order()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: aggregate}
            spec:
              tasks:
                - name: fan
                  uses: http
                  withItems: [200, 500, 201, 404, 202]
                  with: {url: "{{http}}/status/{{item}}"}
                  outputs: {code: {from: "JSON.parse(result).code"}}
                  continueOn: {failed: true}
                - {name: after, uses: log, depends: fan, with: {message: "{{tasks.fan.outputs.code}} {{tasks.fan.status}}"}}
            """);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal("[200,201,202] Failed", Message(run, "after"));
    }

    [Fact]
    public async Task Task_status_and_workflow_variables_reach_templates_and_exit_handlers()
    {
        DateTime before = DateTime.UtcNow.AddSeconds(-1);
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: variables, labels: {team: payments}}
            spec:
              params: [{name: env, default: prod}]
              tasks:
                - {name: ok, uses: log, with: {message: fine}}
                - {name: broken, uses: http, with: {url: "{{http}}/status/503"}}
                - name: report
                  uses: log
                  depends: ok && (broken.Failed || broken.Succeeded)
                  with: {message: "{{tasks.ok.status}}/{{tasks.broken.status}} {{workflow.labels.team}} {{workflow.parameters.env}} {{workflow.parameters.json}} {{workflow.creationTimestamp}}"}
              onExit:
                uses: log
                with: {message: "{{workflow.status}} {{workflow.failures}} {{= workflow.duration >= 0 }}"}
            """);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        string[] report = Message(run, "report").Split(' ', 5);
        Assert.Equal(["Succeeded/Failed", "payments", "prod", """[{"name":"env","value":"prod"}]"""], report[..4]);
        DateTime created = DateTime.Parse(report[4], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
        Assert.InRange(created, before, DateTime.UtcNow);

        string exit = Message(run, "onExit");
        Assert.StartsWith("Succeeded [", exit, StringComparison.Ordinal);
        Assert.EndsWith(" true", exit, StringComparison.Ordinal);
        JsonElement failures = JsonDocument.Parse(exit["Succeeded ".Length..^" true".Length]).RootElement;
        JsonElement failure = Assert.Single(failures.EnumerateArray());
        Assert.Equal("broken", failure.GetProperty("displayName").GetString());
        Assert.Equal("http", failure.GetProperty("templateName").GetString());
        Assert.Equal("Failed", failure.GetProperty("phase").GetString());
        Assert.Contains("503", failure.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Expression_templates_get_hostile_values_as_data()
    {
        RunStatus run = await backend.RunAsync(
            Header + """
            metadata: {name: expr-template}
            spec:
              params: [{name: n, default: "3"}, {name: name, default: x}]
              tasks:
                - {name: calc, uses: log, with: {message: "{{= Number(params.n) * 2 }} {{= params.name.toUpperCase() }} {{= len(params.name) }}"}}
            """,
            new() { ["name"] = "'); globalThis.x = 1; ('" });
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal("6 '); GLOBALTHIS.X = 1; (' 24", Message(run, "calc"));
    }

    [Fact]
    public async Task Sequences_take_start_with_count_templated_bounds_and_a_format()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: sequences}
            spec:
              params: [{name: n, default: "3"}]
              tasks:
                - name: hosts
                  uses: log
                  withSequence: {start: 8, count: "{{params.n}}", format: "host-%02x"}
                  with: {message: "{{item}}"}
                - name: down
                  uses: log
                  withSequence: {start: "{{params.n}}", end: 1}
                  with: {message: "{{item}}"}
                - name: bad
                  uses: log
                  withSequence: {count: "{{params.n}}x"}
                  with: {message: "{{item}}"}
                  continueOn: {error: true}
            """,
            new() { ["n"] = "3" });
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal(["host-08", "host-09", "host-0a"], Node(run, "hosts").Outputs["message"].EnumerateArray().Select(m => m.GetString()!));
        Assert.Equal(["3", "2", "1"], Node(run, "down").Outputs["message"].EnumerateArray().Select(m => m.GetString()!));
        Assert.Equal(NodePhase.Errored, Node(run, "bad").Phase);
        Assert.Contains("count must be an integer, but it is '3x'", Node(run, "bad").Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Lifecycle_hooks_run_on_their_events_and_see_their_owners_outcome()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: hooks}
            spec:
              hooks:
                running: {uses: log, with: {message: "run started"}}
                failed: {uses: log, with: {message: "never"}}
                succeeded: {uses: log, with: {message: "run {{workflow.status}}"}}
              tasks:
                - name: call
                  uses: http
                  with: {url: "{{http}}/status/503"}
                  continueOn: {failed: true}
                  hooks:
                    running: {uses: log, with: {message: "calling"}}
                    failed: {uses: log, with: {message: "{{tasks.call.status}} {{tasks.call.outputs.status}}"}}
                    succeeded: {uses: log, with: {message: "never"}}
                  onExit: {uses: log, with: {message: "exit after {{tasks.call.status}}"}}
                - name: next
                  uses: log
                  depends: call.Failed
                  with: {message: next}
                  hooks:
                    succeeded: {uses: http, with: {url: "{{http}}/status/500"}}
                - name: skipped
                  uses: log
                  when: "1 == 2"
                  with: {message: never}
                  hooks:
                    running: {uses: log, with: {message: "a skipped task never starts"}}
                    failed: {uses: log, with: {message: "not after a skip"}}
                    exit: {uses: log, with: {message: "{{tasks.skipped.status}}"}}
            """);
        string Said(string node) => Node(run, node).Outputs["message"].GetString()!;
        Assert.Equal("run started", Said("hook-running"));
        Assert.Equal("run Succeeded", Said("hook-succeeded"));
        Assert.Equal("calling", Said("call-hook-running"));
        Assert.Equal("Failed 503", Said("call-hook-failed"));
        Assert.Equal("exit after Failed", Said("call-hook-exit"));
        Assert.DoesNotContain(run.Nodes, n => n.Name is "hook-failed" or "call-hook-succeeded" or "skipped-hook-failed" or "skipped-hook-running");
        Assert.Equal("Skipped", Said("skipped-hook-exit"));

        // The hook ends before its task counts as finished, and a failed hook fails a run that would succeed.
        Assert.True(Node(run, "call-hook-exit").FinishedAt <= Node(run, "next").StartedAt);
        Assert.Equal(NodePhase.Succeeded, Node(run, "next").Phase);
        Assert.Equal(NodePhase.Failed, Node(run, "next-hook-succeeded").Phase);
        Assert.Equal(WorkflowPhase.Failed, run.Phase);
        Assert.StartsWith("hook next-hook-succeeded failed", run.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hook_may_call_a_template_and_the_template_runs_when_the_hook_comes()
    {
        // The template step once looked for its task among the tasks and onExit only, so a hook
        // that called a template errored with "not in the run's snapshot".
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: hook-template}
            spec:
              hooks:
                succeeded: {templateRef: {name: say}, with: {text: "run {{workflow.status}}"}}
              tasks:
                - name: work
                  uses: log
                  with: {message: work}
                  hooks:
                    exit: {templateRef: {name: say}, with: {text: "after {{tasks.work.status}}"}}
            ---
            apiVersion: gitops.orchestrations/v1
            kind: WorkflowTemplate
            metadata: {name: say}
            spec:
              inputs: [{name: text}]
              task: {uses: log, with: {message: "{{params.text}}"}}
            """);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal("after Succeeded", Message(run, "work-hook-exit"));
        Assert.Equal("run Succeeded", Message(run, "hook-succeeded"));
    }

    [Fact]
    public async Task Items_of_a_wide_fan_out_read_upstream_tasks_by_name_in_expressions_and_outputs()
    {
        // 120 items run as two chunks, each a sub-orchestration that gets only the upstream values its items read.
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: wide-reads}
            spec:
              tasks:
                - {name: base, uses: log, with: {message: "7"}}
                - name: wide
                  uses: log
                  depends: base
                  withSequence: {count: 120}
                  when: "tasks.base.outputs.message == '7'"
                  with: {message: "{{= Number(tasks.base.outputs.message) + item }}"}
                  outputs: {plus: {from: "Number(result) + Number(tasks.base.outputs.message)"}}
            """);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal("126", Node(run, "wide").Outputs["message"][119].GetString());
        Assert.Equal(133, Node(run, "wide").Outputs["plus"][119].GetInt32());
    }
}
