using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Policies;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Core.Tests.Policies;

/// <summary>
/// What this engine does not evaluate of Kyverno's format is refused where it is written, with
/// <c>file:line:col</c> and why, never read as if it held.
/// </summary>
public sealed class PolicyLoadingTests
{
    static string Policy(string rule, string head = "validationFailureAction: Enforce") => $$$"""
        apiVersion: kyverno.io/v1
        kind: ClusterPolicy
        metadata: {name: p}
        spec:
          {{{head}}}
          rules:
            - name: r
              match: {any: [{resources: {kinds: [Pod]}}]}
        {{{string.Join("\n", rule.Split('\n').Select(l => "      " + l))}}}
        """;

    static string Problems(string yaml) => string.Join("\n", DocumentLoader.Load("policies/p.yaml", yaml, TaskTypeRegistry.BuiltIn()).Diagnostics);

    [Theory]
    [InlineData("generate: {kind: ConfigMap, name: x}", "policies/p.yaml:9:7: error: 'generate' is not supported: generate rules")]
    [InlineData("preconditions: {all: []}\nvalidate: {pattern: {x: 1}}", "policies/p.yaml:9:7: error: 'preconditions' is not supported")]
    [InlineData("mutate:\n  patchesJson6902: \"- op: add\"", "policies/p.yaml:10:9: error: 'patchesJson6902' is not supported")]
    [InlineData("validate:\n  foreach: []", "policies/p.yaml:10:9: error: 'foreach' is not supported")]
    [InlineData("validate:\n  pattern: {metadata: {=(labels: {a: b}}}", "opens an anchor but does not close it")]
    [InlineData("validate:\n  pattern: {metadata: {labels: {+(a): b}}}", "only a mutate patch does")]
    [InlineData("validate:\n  pattern: {spec: {^(containers): {image: x}}}", "needs a list of one pattern")]
    [InlineData("validate:\n  pattern: {metadata: {name: \"{{ request.object.kind }}\"}}", "variables are not substituted into patterns")]
    [InlineData("validate:\n  deny:\n    conditions:\n      any:\n        - {key: \"{{ request.object.spec.containers[].image | length(@) }}\", operator: GreaterThan, value: 1}", "policies/p.yaml:13:23: error: variable")]
    [InlineData("validate:\n  deny:\n    conditions:\n      - {key: \"{{ request.userInfo.username }}\", operator: Equals, value: root}", "paths into the object being checked")]
    [InlineData("validate:\n  deny:\n    conditions:\n      - {key: a, operator: Matches, value: b}", "unknown operator 'Matches'")]
    [InlineData("validate:\n  pattern: {x: 1}\n  deny: {}", "exactly one of pattern, anyPattern and deny")]
    [InlineData("validate: {pattern: {x: 1}}\nmutate: {patchStrategicMerge: {x: 1}}", "exactly one of validate and mutate")]
    [InlineData("mutate:\n  patchStrategicMerge: {metadata: {name: other}}", "a patch may not change metadata.name")]
    [InlineData("mutate:\n  patchStrategicMerge: {spec: {=(x): 1}}", "a patch takes (f) and +(f)")]
    [InlineData("validate: {pattern: {x: 1}, bogus: 1}", "unknown field 'bogus' in validate")]
    public void Unsupported_or_wrong_rules_are_refused_where_they_are_written(string rule, string expected) =>
        Assert.Contains(expected, Problems(Policy(rule)));

    [Fact]
    public void Admission_only_match_filters_are_refused()
    {
        string yaml = Policy("validate: {pattern: {x: 1}}").Replace("match: {any: [{resources: {kinds: [Pod]}}]}", "match: {any: [{resources: {kinds: [Pod], namespaceSelector: {matchLabels: {a: b}}}, subjects: [{kind: User, name: x}]}]}");
        string problems = Problems(yaml);
        Assert.Contains("'namespaceSelector' is not supported: namespace labels live in the cluster", problems);
        Assert.Contains("'subjects' is not supported: admission user info", problems);
    }

    [Theory]
    [InlineData("validationFailureAction: Block", "validationFailureAction must be Enforce or Audit, not 'Block'")]
    [InlineData("webhookTimeoutSeconds: 10", "'webhookTimeoutSeconds' is not supported")]
    public void Spec_fields_are_checked(string head, string expected) => Assert.Contains(expected, Problems(Policy("validate: {pattern: {x: 1}}", head)));

    [Fact]
    public void The_api_version_is_kyvernos()
    {
        string problems = Problems(Policy("validate: {pattern: {x: 1}}").Replace("kyverno.io/v1", "gitops.orchestrations/v1"));
        Assert.Contains("policies/p.yaml:1:1", problems);
        Assert.Contains("apiVersion must be 'kyverno.io/v1', not 'gitops.orchestrations/v1'", problems);
    }

    [Fact]
    public void A_sound_policy_loads_with_kyvernos_defaults()
    {
        string yaml = Policy("validate: {pattern: {x: 1}}", "background: false");
        LoadResult loaded = DocumentLoader.Load("p.yaml", yaml, TaskTypeRegistry.BuiltIn());
        Assert.Empty(loaded.Diagnostics);
        PolicyDefinition policy = loaded.Of<PolicyDefinition>().Single();
        Assert.Equal(FailureAction.Audit, policy.FailureAction);
        Assert.Null(policy.Namespace);
    }

    [Fact]
    public void A_namespaced_policy_keeps_its_namespace_and_only_it_may_name_one()
    {
        string yaml = Policy("validate: {pattern: {x: 1}}").Replace("kind: ClusterPolicy", "kind: Policy").Replace("metadata: {name: p}", "metadata: {name: p, namespace: team-a}");
        Assert.Equal("team-a", DocumentLoader.Load("p.yaml", yaml, TaskTypeRegistry.BuiltIn()).Of<PolicyDefinition>().Single().Namespace);
        Assert.Contains("unknown field 'namespace' in metadata", Problems(Policy("validate: {pattern: {x: 1}}").Replace("metadata: {name: p}", "metadata: {name: p, namespace: team-a}")));
    }

    [Fact]
    public void A_sync_naming_a_policy_the_folder_lacks_is_refused_at_its_step()
    {
        string workflow = """
            apiVersion: gitops.orchestrations/v1
            kind: Workflow
            metadata: {name: deploy}
            spec:
              tasks:
                - name: sync
                  uses: sync
                  with:
                    source: {repo: ".", path: app}
                    target: {kubernetes: {namespace: shop}}
                    policies: [p, missing]
            """;
        WorkflowCatalog catalog = WorkflowCatalog.Load(
            [new SourceFile("workflows/deploy.yaml", System.Text.Encoding.UTF8.GetBytes(workflow)), new SourceFile("workflows/p.yaml", System.Text.Encoding.UTF8.GetBytes(Policy("validate: {pattern: {x: 1}}")))],
            TaskTypeRegistry.BuiltIn());
        Validation.Diagnostic problem = Assert.Single(catalog.Diagnostics);
        Assert.Equal("workflows/deploy.yaml", problem.File);
        Assert.Contains("policy 'missing' is not a ClusterPolicy or Policy of this repository folder", problem.Message);
        Assert.True(catalog.Policies.ContainsKey("p"));
    }
}
