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
}

public sealed class MemoryReuseAndConcurrencyTests(MemoryBackend backend) : ReuseAndConcurrencyTests(backend), IClassFixture<MemoryBackend>;

public sealed class AzuriteReuseAndConcurrencyTests(AzuriteBackend backend) : ReuseAndConcurrencyTests(backend), IClassFixture<AzuriteBackend>;
