using System.Text;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Core.Tests;

/// <summary>WorkflowTemplates across the files of a folder: calls checked against inputs, cycles named, snapshots closed.</summary>
public class WorkflowTemplateTests
{
    static WorkflowCatalog Catalog(params (string File, string Yaml)[] files) =>
        WorkflowCatalog.Load(files.Select(f => new SourceFile(f.File, Encoding.UTF8.GetBytes(f.Yaml))), TaskTypeRegistry.BuiltIn());

    const string Build = """
        apiVersion: gitops.orchestrations/v1
        kind: WorkflowTemplate
        metadata: {name: build}
        spec:
          inputs:
            - {name: image}
            - {name: arch, default: amd64, enum: [amd64, arm64]}
          outputs:
            tag: {from: "tasks.main.outputs.message"}
          task: {uses: log, with: {message: "{{params.image}}-{{params.arch}}"}}
        """;

    [Fact]
    public void A_hook_that_calls_a_template_is_checked_and_snapshotted_like_a_task()
    {
        // Hooks were once left out of the walk over a workflow's steps: a hook's template was
        // neither checked nor snapshotted, and the run errored when the hook came.
        WorkflowCatalog catalog = Catalog(("templates/build.yaml", Build), ("ci.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: ci}
            spec:
              hooks:
                failed: {templateRef: {name: ghost}}
              tasks:
                - name: a
                  uses: log
                  with: {message: hi}
                  hooks:
                    exit: {templateRef: {name: build}, with: {image: api}}
            """));
        Assert.Equal(["ci.yaml:6:34: error: WorkflowTemplate 'ghost' is not defined in this repository folder"], catalog.Diagnostics.Select(d => d.ToString()));
        Assert.Equal(["build"], catalog.TemplatesFor(catalog.Find("ci")!.Definition).Keys);
    }

    [Fact]
    public void A_call_in_another_file_is_checked_against_the_templates_inputs()
    {
        WorkflowCatalog catalog = Catalog(("templates/build.yaml", Build), ("ci.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: ci}
            spec:
              tasks:
                - {name: ok, templateRef: {name: build}, with: {image: api}}
                - name: bad
                  templateRef: {name: build}
                  with: {imag: api, arch: riscv}
                - {name: ghost, templateRef: {name: nope}}
            """), ("both.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: both}
            spec:
              tasks:
                - {name: both, uses: log, templateRef: {name: build}, with: {image: x}}
            """));
        string[] errors = [.. catalog.Diagnostics.Select(d => d.ToString())];
        Assert.Contains("ci.yaml:9:14: error: template 'build' has no input 'imag' (inputs: image, arch)", errors);
        Assert.Contains("ci.yaml:9:31: error: 'riscv' is not one of the values of input 'arch': amd64, arm64", errors);
        Assert.Contains("ci.yaml:8:27: error: template 'build' needs input 'image' (with: {image: ...})", errors);
        Assert.Contains("ci.yaml:10:41: error: WorkflowTemplate 'nope' is not defined in this repository folder", errors);
        Assert.Contains(errors, e => e.StartsWith("both.yaml:6:26: error: a task with templateRef runs the template", StringComparison.Ordinal));
        Assert.Equal(5, errors.Length);
    }

    [Fact]
    public void Calls_that_come_back_to_their_start_are_refused_with_the_cycle_named()
    {
        WorkflowCatalog catalog = Catalog(("a.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: WorkflowTemplate
            metadata: {name: outer}
            spec:
              task: {templateRef: {name: inner}}
            ---
            apiVersion: gitops.orchestrations/v1
            kind: WorkflowTemplate
            metadata: {name: inner}
            spec:
              tasks: [{name: back, uses: workflow, with: {name: root}}]
            ---
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: root}
            spec:
              tasks: [{name: go, templateRef: {name: outer}}]
            """));
        string error = Assert.Single(catalog.Diagnostics).ToString();
        Assert.EndsWith("workflows and templates call each other in a cycle: template inner -> workflow root -> template outer -> template inner", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Inside_a_template_params_are_its_inputs_and_outputs_read_only_its_tasks()
    {
        string[] errors = Load.Errors("""
            apiVersion: gitops.orchestrations/v1
            kind: WorkflowTemplate
            metadata: {name: t}
            spec:
              inputs: [{name: a}]
              outputs: {x: {from: "tasks.nope.outputs.y"}}
              schedules: []
              tasks: [{name: s, uses: log, with: {message: "{{params.b}}"}}]
              task: {uses: log, with: {message: x}}
            """);
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:6:", StringComparison.Ordinal) && e.Contains("output 'x': unknown task 'nope'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:7:", StringComparison.Ordinal) && e.Contains("unknown field 'schedules'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("wf.yaml:8:", StringComparison.Ordinal) && e.Contains("a template holds task (one step) or tasks (a DAG), not both", StringComparison.Ordinal));
    }

    [Fact]
    public void A_snapshot_holds_exactly_the_templates_a_run_may_reach()
    {
        WorkflowCatalog catalog = Catalog(("t.yaml", Build + """

            ---
            apiVersion: gitops.orchestrations/v1
            kind: WorkflowTemplate
            metadata: {name: unused}
            spec:
              task: {uses: log, with: {message: x}}
            ---
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: child}
            spec:
              tasks: [{name: b, templateRef: {name: build}, with: {image: api}}]
            """), ("w.yaml", """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: root}
            spec:
              tasks: [{name: c, uses: workflow, with: {name: child}}]
            """));
        Assert.Empty(catalog.Diagnostics);
        Assert.Equal(["build"], catalog.TemplatesFor(catalog.Find("root")!.Definition).Keys);
        Assert.Equal(["child"], catalog.LibraryFor(catalog.Find("root")!.Definition).Keys);
        Assert.Equal(2, catalog.Workflows.Count);
    }
}
