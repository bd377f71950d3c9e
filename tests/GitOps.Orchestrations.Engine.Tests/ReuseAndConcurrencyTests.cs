using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>
/// WorkflowTemplates and concurrency limits, durable constructs, so every case runs on both
/// backends (the two classes at the end).
/// </summary>
public abstract class ReuseAndConcurrencyTests(EngineBackend backend)
{
    const string Header = "apiVersion: gitops.orchestrations/v1\nkind: Workflow\n";

    static NodeStatus Node(RunStatus run, string name) => run.Nodes.Single(n => n.Name == name);

    [Fact]
    public async Task Templates_run_with_arguments_and_give_back_declared_and_single_step_outputs()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: caller}
            spec:
              params: [{name: env, default: staging}]
              tasks:
                - name: probe
                  templateRef: {name: probe}
                  with: {path: "ready-{{params.env}}"}
                - name: pair
                  templateRef: {name: pair}
                  depends: probe
                  with: {left: "{{tasks.probe.outputs.length}}", right: "{{tasks.probe.outputs.result}}"}
                - name: fan
                  templateRef: {name: probe}
                  withItems: [a, bb]
                  with: {path: "{{item}}"}
                - name: report
                  uses: log
                  depends: pair && fan
                  with: {message: "{{tasks.pair.outputs.joined}} {{tasks.fan.outputs.length}}"}
            ---
            apiVersion: gitops.orchestrations/v1
            kind: WorkflowTemplate
            metadata: {name: probe}
            spec:
              inputs: [{name: path, description: what to echo}]
              task:
                uses: http
                with: {url: "{{http}}/echo/{{params.path}}"}
                outputs: {length: {from: "JSON.parse(result).length"}}
            ---
            apiVersion: gitops.orchestrations/v1
            kind: WorkflowTemplate
            metadata: {name: pair}
            spec:
              inputs: [{name: left}, {name: right}, {name: sep, default: "+"}]
              outputs:
                joined: {from: "tasks.b.outputs.message + '|' + tasks.a.outputs.message"}
              tasks:
                - {name: a, uses: log, with: {message: "{{params.left}}"}}
                - {name: b, uses: log, depends: a, with: {message: "{{params.sep}}{{params.right}}"}}
            """);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal(13, Node(run, "probe").Outputs["length"].GetInt32());
        Assert.StartsWith("""+{"echo":"ready-staging","length":13}|13""", Node(run, "report").Outputs["message"].GetString(), StringComparison.Ordinal);
        Assert.EndsWith(" [1,2]", Node(run, "report").Outputs["message"].GetString(), StringComparison.Ordinal);
        Assert.Equal($"{run.Id}.probe.1", Node(run, "probe").Outputs["runId"].GetString());
    }

    [Fact]
    public async Task A_failing_template_fails_its_task_and_its_handler_runs()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: failing-caller}
            spec:
              tasks:
                - {name: call, templateRef: {name: broken}, with: {code: "503"}}
                - {name: handle, uses: log, depends: call.Failed, with: {message: "{{tasks.call.status}}"}}
            ---
            apiVersion: gitops.orchestrations/v1
            kind: WorkflowTemplate
            metadata: {name: broken}
            spec:
              inputs: [{name: code}]
              task: {uses: http, with: {url: "{{http}}/status/{{params.code}}"}}
            """);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal(NodePhase.Failed, Node(run, "call").Phase);
        Assert.Contains("template 'broken'", Node(run, "call").Message, StringComparison.Ordinal);
        Assert.Equal("Failed", Node(run, "handle").Outputs["message"].GetString());
    }
    [Fact]
    public async Task A_fan_out_with_parallelism_never_runs_more_items_at_once_and_finishes()
    {
        // 500 items as five chunks in memory; on Azure Storage two chunks show the same across sub-orchestrations.
        int count = backend.Name == "memory" ? 500 : 150;
        string key = $"fan-{Guid.NewGuid():N}";
        RunStatus run = await backend.RunAsync(Header + $$$"""
            metadata: {name: bounded-fan}
            spec:
              tasks:
                - name: fan
                  uses: http
                  parallelism: 10
                  withSequence: {count: {{{count}}}}
                  with: {url: "{{http}}/concurrent/{{{key}}}?ms=20"}
            """);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        Assert.Equal(count, Node(run, "fan").Items!.Succeeded);

        // Without parallelism, the same fan-out in memory overlaps hundreds of calls.
        Assert.InRange(backend.Http.InFlight[key].Most, 1, 10);
        Assert.Equal(0, backend.Http.InFlight[key].Now);
    }

    [Fact]
    public async Task Workflow_parallelism_bounds_running_tasks_as_their_timestamps_show()
    {
        RunStatus run = await backend.RunAsync(Header + """
            metadata: {name: bounded-dag}
            spec:
              parallelism: 2
              tasks:
                - {name: a, uses: wait, with: {duration: 1s}}
                - {name: b, uses: wait, with: {duration: 1s}}
                - {name: c, uses: wait, with: {duration: 1s}}
                - {name: d, uses: wait, with: {duration: 1s}}
                - {name: e, uses: log, depends: a, with: {message: after a}}
            """);
        Assert.Equal(WorkflowPhase.Succeeded, run.Phase);
        foreach (NodeStatus node in run.Nodes)
        {
            // Who was running when this node started: it, and at most one other.
            int overlapping = run.Nodes.Count(n => n.StartedAt <= node.StartedAt && n.FinishedAt > node.StartedAt);
            Assert.InRange(overlapping, 1, 2);
        }

        // Slots go in workflow order: c and d waited for a and b.
        Assert.True(Node(run, "c").StartedAt >= new[] { Node(run, "a").FinishedAt, Node(run, "b").FinishedAt }.Min());
    }
}

public sealed class MemoryReuseAndConcurrencyTests(MemoryBackend backend) : ReuseAndConcurrencyTests(backend), IClassFixture<MemoryBackend>;

public sealed class AzuriteReuseAndConcurrencyTests(AzuriteBackend backend) : ReuseAndConcurrencyTests(backend), IClassFixture<AzuriteBackend>;
