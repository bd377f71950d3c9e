using System.Text;
using CsCheck;
using GitOps.Orchestrations.Core.Import;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Engine.TaskTypes;
using GitOps.Orchestrations.Testing;

namespace GitOps.Orchestrations.Core.Tests;

/// <summary>
/// <c>gitops import argo</c> on Argo-shaped inputs written for these tests and kept as samples (samples/argo/), each
/// modelled on a file of Argo Workflows' or Argo Rollouts' examples: what it writes validates,
/// what it cannot carry is reported at its place, and hostile input costs only a report.
/// </summary>
public sealed class ArgoImportTests
{
    static readonly string Examples = Path.Combine(RepositoryRoot.Path, "samples", "argo");

    static SourceFile Example(string name) => new($"samples/argo/{name}", File.ReadAllBytes(Path.Combine(Examples, name)));

    static ImportResult Import(params string[] names) => ArgoImport.Run(names.Select(Example));

    static ImportResult ImportText(string yaml) => ArgoImport.Run([new SourceFile("argo.yaml", Encoding.UTF8.GetBytes(yaml))]);

    static string Text(ImportResult result) => string.Join("---\n", result.Files.Select(f => f.Text));

    static WorkflowCatalog Validate(ImportResult result) =>
        WorkflowCatalog.Load(result.Files.Select(f => new SourceFile(f.Path, Encoding.UTF8.GetBytes(f.Text))).ToList(), TaskTypeRegistry.BuiltIn());

    [Fact]
    public void Every_example_imports_without_errors_and_what_it_writes_passes_validation()
    {
        string[] names = Directory.GetFiles(Examples, "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;
        Assert.True(names.Length >= 15);
        ImportResult result = Import(names);
        Assert.DoesNotContain(result.Notes, n => n.Fate == ImportFate.Error);
        WorkflowCatalog catalog = Validate(result);
        Assert.Empty(catalog.Diagnostics);
        Assert.Equal(14, catalog.Workflows.Count);
        Assert.Equal(2, catalog.Rollouts.Count);
        Assert.Equal(2, catalog.AnalysisTemplates.Count);
    }

    [Fact]
    public void A_dag_keeps_its_shape_and_a_leaf_template_is_written_into_each_task_with_its_arguments()
    {
        ImportResult result = Import("dag-diamond.yaml");
        string text = Text(result);
        WorkflowDocument diamond = Assert.Single(Validate(result).Workflows);
        Assert.Equal("diamond", diamond.Definition.Name);
        Assert.Contains("description: Four tasks in a diamond.", Text(result), StringComparison.Ordinal);
        Assert.Equal(["top", "left", "right", "bottom"], diamond.Definition.Tasks.Select(t => t.Name));
        Assert.Equal("left && right.Succeeded", diamond.Definition.Tasks[3].Depends);
        Assert.Equal("top", diamond.Definition.Tasks[2].Depends);
        Assert.Contains("      command:\n          - echo\n        args:\n          - left\n", text, StringComparison.Ordinal);
        Assert.Contains("- \"{{tasks.left.status}}\"", text, StringComparison.Ordinal);
        // Each task keeps the place it was written.
        Assert.Contains("# from samples/argo/dag-diamond.yaml:18:13\n    - name: left", text, StringComparison.Ordinal);
        Assert.Empty(result.Notes);
    }

    [Fact]
    public void Steps_become_groups_that_depend_on_the_group_before_and_when_is_rewritten_with_values_as_variables()
    {
        ImportResult result = Import("steps-coin.yaml");
        WorkflowDocument toss = Assert.Single(Validate(result).Workflows);
        var heads = toss.Definition.Tasks.Single(t => t.Name == "heads");
        Assert.Equal("throw", heads.Depends);
        Assert.Equal("{{tasks.throw.outputs.result}} == 'heads'", heads.When);
        Assert.Contains("echo \"it came down tails\"", Text(result), StringComparison.Ordinal);
    }

    [Fact]
    public void A_reference_in_a_script_source_reaches_the_script_through_its_environment_never_as_code()
    {
        ImportResult result = ImportText("""
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: greet}
            spec:
              entrypoint: main
              arguments: {parameters: [{name: who, value: world}]}
              templates:
                - name: main
                  dag:
                    tasks:
                      - {name: shell, template: sh, arguments: {parameters: [{name: who, value: "{{workflow.parameters.who}}"}]}}
                      - {name: py, template: py}
                - name: sh
                  inputs: {parameters: [{name: who}]}
                  script: {image: alpine, command: [sh], source: "echo hello {{inputs.parameters.who}}"}
                - name: py
                  script: {image: python, command: [python3], source: "print('{{workflow.parameters.who}}')"}
            """);
        string text = Text(result);
        Assert.Contains("source: \"echo hello ${ARGO_VALUE_1}\"", text, StringComparison.Ordinal);
        Assert.Contains("ARGO_VALUE_1: \"{{workflow.parameters.who}}\"", text, StringComparison.Ordinal);
        Assert.Empty(Validate(result).Diagnostics);
        ImportNote shell = Assert.Single(result.Notes, n => n.Construct == "template sh.script.source");
        Assert.Equal(ImportFate.Changed, shell.Fate);
        ImportNote python = Assert.Single(result.Notes, n => n.Construct == "template py.script.source");
        Assert.Equal(ImportFate.Dropped, python.Fate);
        Assert.Equal("argo.yaml:17:59: dropped: template py.script.source: values reach a script through its environment here, never as code; python3 must read them from it: {{workflow.parameters.who}} as ${ARGO_VALUE_1}", python.ToString());
    }

    [Fact]
    public void What_has_no_counterpart_is_reported_at_its_place_and_its_step_keeps_its_place_in_the_dag()
    {
        ImportResult result = Import("not-offered.yaml");
        string[] report = result.Notes.Select(n => n.ToString()).ToArray();
        Assert.Contains("samples/argo/not-offered.yaml:43:7: dropped: template configure.resource: resource templates are not offered; an apply or sync step applies manifests from Git (docs/delivery.md)", report);
        Assert.Contains(report, line => line.StartsWith("samples/argo/not-offered.yaml:34:11: dropped: template build.outputs.artifacts:", StringComparison.Ordinal));
        Assert.Contains(report, line => line.StartsWith("samples/argo/not-offered.yaml:23:17: dropped: task publish.arguments.artifacts:", StringComparison.Ordinal));
        Assert.Contains(report, line => line.StartsWith("samples/argo/not-offered.yaml:30:9: dropped: template build.container.workingDir:", StringComparison.Ordinal));
        Assert.Contains(report, line => line.StartsWith("samples/argo/not-offered.yaml:9:3: dropped: spec.volumeClaimTemplates:", StringComparison.Ordinal));
        Assert.True(result.Dropped);
        WorkflowDocument workflow = Assert.Single(Validate(result).Workflows);
        Assert.Equal("log", workflow.Definition.Tasks.Single(t => t.Name == "configure").Uses);
    }

    [Fact]
    public void Recursion_is_reported_since_a_call_cycle_is_refused_here()
    {
        ImportResult result = Import("recursive.yaml");
        ImportNote note = Assert.Single(result.Notes);
        Assert.Equal("samples/argo/recursive.yaml:17:23", $"{note.File}:{note.At}");
        Assert.Contains("recursive templates are not offered", note.Message, StringComparison.Ordinal);
        Assert.Empty(Validate(result).Diagnostics);
    }

    [Fact]
    public void A_library_becomes_one_template_each_and_calls_from_other_documents_and_whole_runs_find_them()
    {
        ImportResult result = Import("library.yaml", "cluster-template.yaml");
        WorkflowCatalog catalog = Validate(result);
        Assert.Empty(catalog.Diagnostics);
        WorkflowDocument nightly = catalog.Workflows.Single(w => w.Definition.Name == "nightly-checks");
        Assert.Equal(["checks-suite", "platform-probes-ping"], nightly.Definition.Tasks.Select(t => t.TemplateRef));
        WorkflowDocument now = catalog.Workflows.Single(w => w.Definition.Name == "checks-now");
        Assert.Equal("https://shop.example.com", now.Definition.Params.Single().Default);
        Assert.Contains("url: \"{{params.url}}/healthz\"", Text(result), StringComparison.Ordinal);
        Assert.DoesNotContain(result.Notes, n => n.Fate == ImportFate.Dropped);

        // Imported without the cluster template, the call is written and the report says where to find it.
        ImportResult alone = Import("library.yaml");
        Assert.Contains(alone.Notes, n => n.Fate == ImportFate.Changed && n.Message.Contains("'platform-probes-ping'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_cron_workflow_becomes_a_schedule_and_locks_are_kept()
    {
        ImportResult result = Import("cron.yaml", "synchronization.yaml");
        WorkflowCatalog catalog = Validate(result);
        Assert.Empty(catalog.Diagnostics);
        var nightly = catalog.Workflows.Single(w => w.Definition.Name == "nightly-report").Definition;
        var schedule = Assert.Single(nightly.Schedules);
        Assert.Equal("30 2 * * *", schedule.Cron);
        Assert.Equal("Europe/Berlin", schedule.Timezone);
        Assert.Equal(TimeSpan.FromMinutes(5), schedule.StartingDeadline);
        Assert.Equal("mutex prod-deploys", catalog.Workflows.Single(w => w.Definition.Name == "deploy-prod").Definition.Synchronization!.ToString());
        Assert.Equal("semaphore builds (1)", catalog.Workflows.Single(w => w.Definition.Name == "build-shared").Definition.Synchronization!.ToString());
        Assert.Contains(result.Notes, n => n.Fate == ImportFate.Changed && n.Construct == "synchronization.semaphore");
    }

    [Fact]
    public void Rollouts_and_analysis_carry_over_and_a_metric_that_would_judge_differently_is_left_out()
    {
        ImportResult result = Import("rollout-canary.yaml", "rollout-bluegreen.yaml");
        WorkflowCatalog catalog = Validate(result);
        Assert.Empty(catalog.Diagnostics);
        var shop = catalog.Rollouts["shop"];
        Assert.Equal("registry.example.com/shop:2.4.0", shop.Image);
        Assert.Equal(6, shop.Canary!.Steps.Count);
        var template = catalog.AnalysisTemplates["success-rate"];
        Assert.Equal(["success-rate"], template.Metrics.Select(m => m.Name));
        Assert.Equal("len(result) > 0 && result[0] >= 0.95", template.Metrics[0].SuccessCondition);
        string[] report = result.Notes.Select(n => n.ToString()).ToArray();
        Assert.Contains(report, line => line.StartsWith("samples/argo/rollout-canary.yaml:43:11: dropped: steps.experiment:", StringComparison.Ordinal));
        Assert.Contains(report, line => line.StartsWith("samples/argo/rollout-canary.yaml:82:7: dropped: metric web-check: the web provider is not offered", StringComparison.Ordinal));
        Assert.Contains(report, line => line.StartsWith("samples/argo/rollout-canary.yaml:71:7: dropped: metric latency-range: its successCondition cannot be translated", StringComparison.Ordinal));
        Assert.Equal("{{params.image}}", catalog.Rollouts["checkout"].Image);
    }

    [Fact]
    public void An_exit_handler_of_steps_becomes_a_template_that_is_passed_the_status_it_reads()
    {
        ImportResult result = ImportText("""
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: notify}
            spec:
              entrypoint: work
              onExit: after
              templates:
                - name: work
                  suspend: {duration: "1"}
                - name: after
                  steps:
                    - - {name: sad, template: say, when: "{{workflow.status}} != Succeeded"}
                      - {name: list, template: say, arguments: {parameters: [{name: text, value: "{{workflow.failures}}"}]}}
                - name: say
                  inputs: {parameters: [{name: text, value: "{{workflow.status}}"}]}
                  http: {url: "https://example.com/{{inputs.parameters.text}}"}
            """);
        string text = Text(result);
        Assert.Contains("    with:\n      workflow-status: \"{{workflow.status}}\"\n      workflow-failures: \"{{workflow.failures}}\"\n", text, StringComparison.Ordinal);
        Assert.Contains("when: \"{{params.workflow-status}} != 'Succeeded'\"", text, StringComparison.Ordinal);
        Assert.Contains("url: \"https://example.com/{{params.workflow-failures}}\"", text, StringComparison.Ordinal);
        Assert.Contains("url: \"https://example.com/{{params.workflow-status}}\"", text, StringComparison.Ordinal);
        Assert.Empty(Validate(result).Diagnostics);
        Assert.Empty(result.Notes);
    }

    [Fact]
    public void A_fan_out_over_a_list_that_cannot_be_read_fans_out_over_nothing_and_is_reported()
    {
        ImportResult result = ImportText("""
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: fan}
            spec:
              entrypoint: main
              templates:
                - name: main
                  dag:
                    tasks:
                      - {name: a, template: say}
                      - {name: b, template: say, depends: a, withParam: "{{tasks.a.outputs.parameters}}"}
                - name: say
                  http: {url: "https://example.com/"}
            """);
        Assert.Contains("withParam: \"[]\"", Text(result), StringComparison.Ordinal);
        Assert.Empty(Validate(result).Diagnostics);
        Assert.Equal("argo.yaml:11:61: dropped: task b.withParam: {{tasks.a.outputs.parameters}} has no counterpart here", Assert.Single(result.Notes).ToString());
    }

    [Fact]
    public void A_template_output_chosen_by_an_expression_becomes_a_declared_output_of_the_template()
    {
        ImportResult result = ImportText("""
            apiVersion: argoproj.io/v1alpha1
            kind: WorkflowTemplate
            metadata: {name: lib}
            spec:
              templates:
                - name: choose
                  steps:
                    - - {name: a, template: say}
                  outputs:
                    parameters:
                      - name: picked
                        valueFrom: {expression: "steps.a.outputs.result == 'x' ? 'yes' : 'no'"}
                - name: say
                  http: {url: "https://example.com/"}
            """);
        Assert.Contains("from: \"{{tasks.a.outputs.result}} == 'x' ? 'yes' : 'no'\"", Text(result), StringComparison.Ordinal);
        Assert.Empty(Validate(result).Diagnostics);
        Assert.Empty(result.Notes);
    }

    [Theory]
    [InlineData("{{steps.flip.outputs.result}} == heads", "{{tasks.flip.outputs.result}} == 'heads'")]
    [InlineData("{{tasks.a.outputs.parameters.n}} > 3 && {{workflow.parameters.env}} != prod", "{{tasks.a.outputs.n}} > 3 && {{workflow.parameters.env}} != 'prod'")]
    [InlineData("'{{inputs.parameters.x}}' == 'it''s'", null)]
    [InlineData("{{workflow.parameters.env}} in (dev, 'staging')", "['dev', 'staging'].includes({{workflow.parameters.env}})")]
    [InlineData("{{item}} =~ '^v[0-9]+'", "(String({{item}}).match('^v[0-9]+') != null)")]
    [InlineData("!({{tasks.a.status}} == Failed)", "!({{tasks.a.status}} == 'Failed')")]
    [InlineData("{{pod.name}} == x", null)]
    [InlineData("{{tasks.a.outputs.result}} & 1", null)]
    public void Govaluate_conditions_are_rewritten_or_refused(string condition, string? expected)
    {
        var references = new ArgoReferences();
        Assert.Equal(expected, ArgoExpressions.Translate(condition, ArgoExpressions.Dialect.Govaluate, references));
        Assert.Equal(expected is null, references.Problems.Count > 0);
    }

    [Theory]
    [InlineData("len(result) > 0 and result[0] >= 0.95", "len(result) > 0 && result[0] >= 0.95")]
    [InlineData("not isNaN(result[0]) or asFloat(result[0]) < 1", "!isNaN(result[0]) || Number(result[0]) < 1")]
    [InlineData("inputs.parameters['my-param'] == 'x'", "{{params.my-param}} == 'x'")]
    [InlineData("all(result, {# > 1})", null)]
    [InlineData("sprig.trim(result)", null)]
    public void Expr_conditions_are_rewritten_or_refused(string condition, string? expected)
    {
        var references = new ArgoReferences();
        Assert.Equal(expected, ArgoExpressions.Translate(condition, ArgoExpressions.Dialect.Expr, references));
    }

    [Fact]
    public void A_value_that_looks_like_code_is_only_ever_a_string()
    {
        ImportResult result = ImportText("""
            apiVersion: argoproj.io/v1alpha1
            kind: Workflow
            metadata: {name: hostile}
            spec:
              entrypoint: main
              templates:
                - name: main
                  dag:
                    tasks:
                      - {name: a, template: say, when: "{{workflow.name}} == \"x' || true || 'y\""}
                - name: say
                  http: {url: "https://example.com/\"\n: {injected: true}"}
            """);
        WorkflowDocument workflow = Assert.Single(Validate(result).Workflows);
        Assert.Equal("{{workflow.name}} == 'x\\' || true || \\'y'", workflow.Definition.Tasks[0].When);
        Assert.Equal("https://example.com/\"\n: {injected: true}", workflow.Definition.Tasks[0].With!.Value.GetProperty("url").GetString());
    }

    [Theory]
    [InlineData("kind: [unclosed", "yaml")]
    [InlineData("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: x}\n", "Workflow")]
    [InlineData("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n", "ConfigMap")]
    public void Bad_or_foreign_documents_are_reported_with_their_place_and_nothing_is_written_for_them(string yaml, string construct)
    {
        ImportResult result = ImportText(yaml);
        Assert.Empty(result.Files);
        ImportNote note = Assert.Single(result.Notes);
        Assert.Equal(construct, note.Construct);
        Assert.True(note.Fate is ImportFate.Error or ImportFate.Dropped);
    }

    [Fact]
    public void Deep_nesting_and_alias_bombs_cost_a_report_not_a_crash()
    {
        string deep = "apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: deep}\nspec:\n  entrypoint: m\n  templates:\n    - name: m\n      http: {url: x, body: "
            + new string('[', 200) + new string(']', 200) + "}\n";
        ImportResult result = ImportText(deep);
        Assert.Contains(result.Notes, n => n.Fate == ImportFate.Error);

        var bomb = new StringBuilder("apiVersion: argoproj.io/v1alpha1\nkind: Workflow\nmetadata: {name: bomb}\nspec:\n  entrypoint: m\n  x0: &a0 [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\n");
        for (int i = 1; i < 9; i++)
        {
            bomb.Append($"  x{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        }

        bomb.Append("  templates:\n    - name: m\n      http: {url: x, body: *a8}\n");
        ImportResult bombed = ImportText(bomb.ToString());
        Assert.Contains(bombed.Notes, n => n.Fate == ImportFate.Error);
    }
}

/// <summary>The writer of imported YAML: whatever a string holds, it reads back as the same string, and only as a string.</summary>
public sealed class YamlWriterTests
{
    static readonly Gen<string> Hostile = Gen.OneOf(
        Gen.String,
        Gen.String[Gen.Char["\n\r\t :#-?{}[]&*!|>'\"%@`,\\0123456789.eE+~yesnoYESNOtruefalsenullNULL\u0085\u2028\ufeff"], 0, 40],
        Gen.OneOf(Gen.Const(""), Gen.Const(" "), Gen.Const("true"), Gen.Const("no"), Gen.Const("~"), Gen.Const("null"), Gen.Const("3"), Gen.Const("0x1F"), Gen.Const("1e3"), Gen.Const(".inf"), Gen.Const("- x"), Gen.Const("a: b"), Gen.Const("a #b"), Gen.Const("|"), Gen.Const(">"), Gen.Const("'"), Gen.Const("\""), Gen.Const("*x"), Gen.Const("&x"), Gen.Const("!!str"), Gen.Const("{{params.x}}"), Gen.Const("line\nline"), Gen.Const("trailing\n"), Gen.Const("\n\nx"), Gen.Const("x\n\n"), Gen.Const("tab\there"), Gen.Const(" lead"), Gen.Const("trail ")));

    [Fact]
    public void Every_string_reads_back_as_itself_as_a_value_and_as_a_key()
    {
        Hostile.Sample(text =>
        {
            var document = new YamlMap().Add("value", YamlOut.Text(text)).Add("list", new YamlList().Add(YamlOut.Text(text))).Add(text.Length == 0 ? "empty" : text, YamlOut.Text("k"));
            string yaml = YamlWriter.Document(document, comment: "from a\nhostile: place");
            var diagnostics = new List<GitOps.Orchestrations.Core.Validation.Diagnostic>();
            IReadOnlyList<YNode> documents = YamlTreeReader.Read("w.yaml", yaml, LoadLimits.Default, diagnostics);
            Assert.True(diagnostics.Count == 0 && documents.Count == 1, $"{string.Join("; ", diagnostics)} in:\n{yaml}");
            var root = Assert.IsType<YMapping>(documents[0]);
            var value = Assert.IsType<YScalar>(root["value"]);
            Assert.Equal(text, value.Value);
            Assert.False(value.IsPlain && text != value.Value);
            Assert.False(value.IsNull && text.Length > 0);
            Assert.Equal(text, Assert.IsType<YScalar>(Assert.IsType<YSequence>(root["list"]).Items[0]).Value);
            Assert.Equal(3, root.Entries.Count);
        }, iter: 3000);
    }
}
