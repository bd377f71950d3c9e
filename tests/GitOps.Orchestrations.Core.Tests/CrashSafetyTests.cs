using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using CsCheck;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Core.Tests;

/// <summary>
/// Property-based crash safety: every kind's loader, and every field that holds an expression,
/// template or duration, is fed generated deep, wide, aliased and malformed input. Whatever comes
/// in, loading the folder (what <c>gitops validate</c>, the server's catalog and a run all do)
/// returns within a time bound, throws nothing, lets no reader defect through (the loader's
/// last-resort "could not be read"), and reports each problem at a position inside the file.
/// </summary>
public partial class CrashSafetyTests
{
    // Generous for a busy two-core machine; a quadratic or exponential path blows far past it.
    static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    // One slot, §, in each of these takes a hostile value. Every kind, and each field that is
    // parsed beyond YAML: expressions (when, depends, conditions, retry expression), templates,
    // durations, cron, semver, names, selectors and free-form with-blocks.
    static readonly string[] Hosts =
    [
        Workflow("when: §"),
        Workflow("depends: §"),
        Workflow("with: {message: §}"),
        Workflow("timeout: §"),
        Workflow("retry: {limit: 3, expression: §}"),
        Workflow("retry: {limit: 3, backoff: {duration: §, factor: 2, maxDuration: 1m}}"),
        Workflow("withItems: §"),
        Workflow("withParam: §"),
        Workflow("outputs: {parameters: [{name: o, valueFrom: {expression: §}}]}"),
        "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: §}\nspec:\n  tasks: [{name: a, uses: log, with: {message: x}}]\n",
        "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  params: [{name: p, default: §}]\n  tasks: [{name: a, uses: log, with: {message: x}}]\n",
        "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  triggers: [{cron: §}]\n  tasks: [{name: a, uses: log, with: {message: x}}]\n",
        "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  onExit: §\n  tasks: [{name: a, uses: log, with: {message: x}}]\n",
        "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: w}\nspec: §\n",
        Rollout("image: §", "- setWeight: 20"),
        Rollout("progressDeadline: §", "- setWeight: 20"),
        Rollout("image: x", "- setWeight: §"),
        Rollout("image: x", "- pause: {duration: §}"),
        Rollout("image: x", "- analysis: {templates: [{name: §}], args: [{name: a, value: §}]}"),
        Rollout("image: x", "- approval: {approvers: §, timeout: 1h}"),
        Rollout("image: x", "- §"),
        Template("successCondition: §"),
        Template("failureCondition: §"),
        Template("interval: §"),
        Template("count: §"),
        Template("provider: {prometheus: {address: http://127.0.0.1:9090, query: §}}"),
        Pipeline("promotion: {uses: log, with: {message: §}}"),
        Pipeline("promotion: {uses: log, with: {message: x}}\n      requiredSoakTime: §"),
        Pipeline("promotion: {uses: log, with: {message: x}}\n      approval: {approvers: §, quorum: 2}"),
        Pipeline("promotion: {uses: log, with: {message: x}}\n      freezeWindows: [{cron: §, duration: 1h}]"),
        Pipeline("promotion: §"),
    ];

    static string Workflow(string field) =>
        "apiVersion: gitops.orchestrations/v1\nkind: Workflow\nmetadata: {name: w}\nspec:\n  tasks:\n    - {name: a, uses: log, with: {message: x}}\n    - name: b\n      uses: log\n      with: {message: x}\n      " + field + "\n";

    static string Rollout(string field, string step) =>
        "apiVersion: gitops.orchestrations/v1\nkind: Rollout\nmetadata: {name: r}\nspec:\n  target: {kind: Deployment, name: web, namespace: shop}\n  " + field + "\n  strategy:\n    canary:\n      steps:\n        " + step + "\n";

    static string Template(string field) =>
        "apiVersion: gitops.orchestrations/v1\nkind: AnalysisTemplate\nmetadata: {name: t}\nspec:\n  args: [{name: service}]\n  metrics:\n    - name: m\n      provider: {prometheus: {address: http://127.0.0.1:9090, query: up}}\n      " + field + "\n";

    static string Pipeline(string stage) =>
        "apiVersion: gitops.orchestrations/v1\nkind: Pipeline\nmetadata: {name: p}\nspec:\n  sources: [{name: image, gitTags: {repo: https://example.com/r.git}}]\n  stages:\n    - name: dev\n      from: sources\n      " + stage + "\n";

    // ---- hostile values, each a YAML flow value that fits any slot ----

    static readonly Gen<string> Deep = Gen.Int[1, 5_000].Select(n => new string('[', n) + new string(']', n));

    static readonly Gen<string> DeepMap = Gen.Int[1, 3_000].Select(n => string.Concat(Enumerable.Repeat("{a: ", n)) + "1" + new string('}', n));

    static readonly Gen<string> Wide = Gen.Int[1, 30_000].Select(n => "[" + string.Join(", ", Enumerable.Range(0, n)) + "]");

    static readonly Gen<string> WideMap = Gen.Int[1, 20_000].Select(n => "{" + string.Join(", ", Enumerable.Range(0, n).Select(i => $"k{i}: {i}")) + "}");

    // Each level refers to the one before it `fanOut` times: fanOut^levels nodes once expanded.
    static readonly Gen<string> AliasBomb = Gen.Select(Gen.Int[2, 12], Gen.Int[2, 12], (levels, fanOut) =>
    {
        var bomb = new StringBuilder("[&a0 [lol, lol]");
        for (int level = 1; level <= levels; level++)
        {
            bomb.Append($", &a{level} [").Append(string.Join(", ", Enumerable.Repeat($"*a{level - 1}", fanOut))).Append(']');
        }

        return bomb.Append(']').ToString();
    });

    // Expressions of every shape the parsers and walkers see, quoted as one YAML scalar.
    static readonly Gen<string> Expression = Gen.OneOf(
        Gen.Int[1, 150_000].Select(n => new string('!', n) + "a"),
        Gen.Int[1, 60_000].Select(n => string.Concat(Enumerable.Repeat("1+", n)) + "1 == 2"),
        Gen.Int[1, 20_000].Select(n => new string('(', n) + "a" + new string(')', n)),
        Gen.Int[1, 20_000].Select(n => new string('(', n)),
        Gen.Int[1, 20_000].Select(n => string.Join(" && ", Enumerable.Repeat("a.Succeeded", n))),
        Gen.Int[1, 20_000].Select(n => "x" + string.Concat(Enumerable.Repeat(".y", n))),
        Gen.Int[1, 20_000].Select(n => "x" + string.Concat(Enumerable.Repeat("[0]", n))),
        Gen.Int[1, 10_000].Select(n => string.Concat(Enumerable.Repeat("{{", n)) + "params.x" + string.Concat(Enumerable.Repeat("}}", n))),
        Gen.Int[1, 10_000].Select(n => "{{ " + string.Concat(Enumerable.Repeat("f(", n)) + "1" + new string(')', n) + " }}"),
        Gen.Int[1, 10_000].Select(n => "{{=" + string.Concat(Enumerable.Repeat("[", n)) + "1" + new string(']', n) + "}}"),
        Gen.Int[1, 5_000].Select(n => "(function f(){ return f() })() " + new string(' ', n)),
        Gen.Const("constructor.constructor('return process')()"),
        Gen.Const("/(a+)+$/.test('" + new string('a', 40) + "!')"),
        Gen.String[Gen.Char["!()&|+-*/.[]{}<>=?:,'\"a1 $\\\t\n\u0000\u202e\ud83d\ude00"], 0, 2_000])
        .Select(Quote);

    // Scalars that look like something else: numbers out of range, durations, odd tags, control characters.
    static readonly Gen<string> OddScalar = Gen.OneOf(
        Gen.Const("99999999999999999999999999999"),
        Gen.Const("-1"),
        Gen.Const("1e309"),
        Gen.Const(".nan"),
        Gen.Const("~"),
        Gen.Const("!!binary AAAA"),
        Gen.Const("!custom {a: 1}"),
        Gen.Const("{? [a, b] : c}"),
        Gen.Const("{<<: {a: 1}}"),
        Gen.Const("99999999h"),
        Gen.Const("1h1h1h1h1h1h1h1h1h1h1h1h1h1h1h1h1h"),
        Gen.Const("\"\\u0000\\u001b[31m\""),
        Gen.Int[1, 200_000].Select(n => Quote(new string('x', n))));

    static string Quote(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";

    static readonly Gen<string> Value = Gen.OneOf(Deep, DeepMap, Wide, WideMap, AliasBomb, Expression, OddScalar);

    static readonly Gen<(string Host, string Value)> Substitution = Gen.Select(Gen.Int[0, Hosts.Length - 1], Value, (host, value) => (Hosts[host], value));

    [Fact]
    public void Hostile_values_in_any_field_of_any_kind_are_positioned_errors_or_valid()
    {
        Substitution.Sample(
            c => AssertSafe(c.Host.Replace("§", c.Value, StringComparison.Ordinal)),
            iter: 500,
            threads: 1);
    }

    // Malformed YAML: a valid document of each kind cut short, or with structural characters
    // sprinkled in, produces every kind of parser error the YAML library has.
    static readonly Gen<string> Malformed = Gen.Select(
        Gen.Int[0, Hosts.Length - 1],
        Gen.Int[0, 1_000_000],
        Gen.Select(Gen.Int[0, 1_000_000], Gen.Char["{}[]:,&*!|>%@`'\"#-? \t\n\\\u0000\u00a0\ufeff"], (at, c) => (At: at, Char: c)).Array[0, 8],
        (host, cut, inserts) =>
        {
            var text = new StringBuilder(Hosts[host].Replace("§", "x", StringComparison.Ordinal));
            foreach (var (at, c) in inserts)
            {
                text.Insert(at % (text.Length + 1), c);
            }

            return cut % 3 == 0 ? text.ToString(0, cut % (text.Length + 1)) : text.ToString();
        });

    [Fact]
    public void Malformed_yaml_of_any_kind_is_a_positioned_error()
    {
        Malformed.Sample(AssertSafe, iter: 3_000, threads: 1);
    }

    [Fact]
    public void A_pipeline_alias_bomb_is_refused_like_a_workflow_one_and_the_folder_still_serves()
    {
        string bomb = Pipeline("promotion: {uses: log, with: {message: x, bomb: " + BombOf(10, 9) + "}}");
        WorkflowCatalog catalog = WorkflowCatalog.Load(
            [new("p.yaml", Encoding.UTF8.GetBytes(bomb)), new("ok.yaml", Encoding.UTF8.GetBytes(Workflow("when: 'true'")))],
            TaskTypeRegistry.BuiltIn());

        Diagnostic problem = Assert.Single(catalog.Diagnostics);
        Assert.Equal("p.yaml", problem.File);
        Assert.Contains("expands to too many nodes", problem.Message, StringComparison.Ordinal);
        Assert.True(problem.Position.Line > 1, "the bomb is reported where it is, not at the top of the file");
        Assert.Single(catalog.Workflows);
    }

    static string BombOf(int levels, int fanOut)
    {
        var bomb = new StringBuilder("[&a0 [lol, lol]");
        for (int level = 1; level <= levels; level++)
        {
            bomb.Append($", &a{level} [").Append(string.Join(", ", Enumerable.Repeat($"*a{level - 1}", fanOut))).Append(']');
        }

        return bomb.Append(']').ToString();
    }

    static void AssertSafe(string yaml)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(yaml);
        int lines = yaml.Count(c => c == '\n') + 1;
        var watch = Stopwatch.StartNew();
        WorkflowCatalog catalog = WorkflowCatalog.Load([new("f.yaml", bytes)], TaskTypeRegistry.BuiltIn());
        watch.Stop();

        Assert.True(watch.Elapsed < Bound, $"loading took {watch.Elapsed.TotalSeconds:0.0}s (bound {Bound.TotalSeconds}s) for {Describe(yaml)}");
        foreach (Diagnostic diagnostic in catalog.Diagnostics)
        {
            Assert.Equal("f.yaml", diagnostic.File);
            Assert.Matches(PositionedError(), diagnostic.ToString());
            Assert.True(diagnostic.Position.Line >= 1 && diagnostic.Position.Line <= lines && diagnostic.Position.Column >= 1, $"outside the file's {lines} lines: {diagnostic} for {Describe(yaml)}");
            Assert.False(diagnostic.Message.Contains("could not be read", StringComparison.Ordinal), $"a reader defect: {diagnostic} for {Describe(yaml)}");
        }
    }

    static string Describe(string yaml) => yaml.Length <= 300 ? yaml : $"{yaml[..300]}... ({yaml.Length} characters)";

    [GeneratedRegex(@"^f\.yaml:\d+:\d+: error: \S")]
    private static partial Regex PositionedError();
}
