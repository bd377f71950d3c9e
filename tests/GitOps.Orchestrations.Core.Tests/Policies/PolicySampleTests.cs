using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Core.Policies;
using GitOps.Orchestrations.Engine.TaskTypes;

namespace GitOps.Orchestrations.Core.Tests.Policies;

/// <summary>
/// The policies every Kyverno user starts from, as the project ships them in <c>policies/</c>, each
/// against a manifest that passes and one that fails. Rules written for Pods check the pod template
/// of Deployments, CronJobs and the other controllers, as Kyverno's auto-generated rules do.
/// </summary>
public sealed class PolicySampleTests
{
    const string GoodPod = """
        securityContext: {runAsNonRoot: true}
        containers:
          - name: web
            image: registry.example/web:1.4.2
            resources:
              requests: {cpu: 100m, memory: 128Mi}
              limits: {memory: 256Mi}
        """;

    static PolicyDefinition Policy(string name)
    {
        string file = Path.Combine(Testing.RepositoryRoot.Path, "policies", $"{name}.yaml");
        LoadResult loaded = DocumentLoader.Load(file, File.ReadAllBytes(file), TaskTypeRegistry.BuiltIn());
        Assert.Empty(loaded.Diagnostics);
        return loaded.Of<PolicyDefinition>().Single();
    }

    static string Deployment(string podSpec, string labels = "{app.kubernetes.io/name: web}") => $"""
        apiVersion: apps/v1
        kind: Deployment
        metadata: {"{"}name: web, namespace: shop{"}"}
        spec:
          selector: {"{"}matchLabels: {labels}{"}"}
          template:
            metadata: {"{"}labels: {labels}{"}"}
            spec:
        {Indent(podSpec, 6)}
        """;

    static IReadOnlyList<Manifest> Read(string yaml)
    {
        var problems = new List<Validation.Diagnostic>();
        IReadOnlyList<Manifest> manifests = ManifestReader.Read("app.yaml", yaml, problems);
        Assert.Empty(problems);
        return manifests;
    }

    static string Indent(string text, int spaces) => string.Join("\n", text.Split('\n').Select(l => new string(' ', spaces) + l));

    static PolicyReport Evaluate(string policy, string yaml) =>
        PolicyEngine.Evaluate(ManifestSet.Build(Read(yaml), ManifestOverrides.None), [Policy(policy)], "default");

    public static TheoryData<string, string, string> Failing() => new()
    {
        { "require-labels", Deployment(GoodPod, "{tier: web}"), "spec.template.metadata.labels.app.kubernetes.io/name" },
        { "disallow-latest-tag", Deployment(GoodPod.Replace("registry.example/web:1.4.2", "registry.example/web:latest")), "spec.template.spec.containers[0].image" },
        { "disallow-latest-tag", Deployment(GoodPod.Replace("registry.example/web:1.4.2", "registry.example/web")), "spec.template.spec.containers[0].image" },
        { "require-run-as-non-root", Deployment(GoodPod.Replace("securityContext: {runAsNonRoot: true}", "securityContext: {runAsNonRoot: false}")), "spec.template.spec.securityContext.runAsNonRoot" },
        { "require-requests-limits", Deployment(GoodPod.Replace("limits: {memory: 256Mi}", "limits: {cpu: 500m}")), "spec.template.spec.containers[0].resources.limits.memory" },
        { "disallow-privileged", Deployment(GoodPod + "\n    securityContext: {privileged: true}"), "spec.template.spec.containers[0].securityContext.privileged" },
        { "disallow-host-path", Deployment(GoodPod + "\nvolumes:\n  - name: host\n    hostPath: {path: /var/run}"), "spec.template.spec.volumes[0].hostPath" },
    };

    [Theory]
    [MemberData(nameof(Failing))]
    public void Each_policy_refuses_its_failing_manifest_and_names_the_field(string policy, string yaml, string path)
    {
        PolicyViolation violation = Assert.Single(Evaluate(policy, yaml).Violations);
        Assert.Equal(path, violation.Path);
        Assert.Equal("Deployment.apps/shop/web", violation.Object);
        Assert.Equal($"ClusterPolicy/{policy}", violation.Policy);
    }

    [Theory]
    [InlineData("require-labels")]
    [InlineData("disallow-latest-tag")]
    [InlineData("require-run-as-non-root")]
    [InlineData("require-requests-limits")]
    [InlineData("disallow-privileged")]
    [InlineData("disallow-host-path")]
    public void Each_policy_passes_a_manifest_that_follows_it(string policy) => Assert.Empty(Evaluate(policy, Deployment(GoodPod)).Violations);

    [Fact]
    public void Run_as_non_root_also_passes_when_every_container_sets_it()
    {
        string perContainer = GoodPod.Replace("securityContext: {runAsNonRoot: true}\n", string.Empty) + "\n    securityContext: {runAsNonRoot: true}";
        Assert.Empty(Evaluate("require-run-as-non-root", Deployment(perContainer)).Violations);
    }

    [Fact]
    public void A_cronjobs_pod_template_is_checked_at_its_own_path()
    {
        string yaml = """
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly}
            spec:
              schedule: "0 2 * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      restartPolicy: OnFailure
                      containers: [{name: job, image: "tools:latest"}]
            """;
        PolicyViolation violation = Evaluate("disallow-latest-tag", yaml).Violations.Single(v => v.Rule == "tag-is-not-latest");
        Assert.Equal("spec.jobTemplate.spec.template.spec.containers[0].image", violation.Path);
        Assert.Equal("CronJob.batch/default/nightly", violation.Object);
    }

    [Fact]
    public void A_bare_pod_is_checked_and_objects_without_pods_are_not()
    {
        string yaml = """
            apiVersion: v1
            kind: Pod
            metadata: {name: debug, namespace: shop}
            spec:
              containers: [{name: sh, image: "busybox:1.36", securityContext: {privileged: true}}]
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: settings, namespace: shop}
            data: {privileged: "true"}
            """;
        PolicyViolation violation = Assert.Single(Evaluate("disallow-privileged", yaml).Violations);
        Assert.Equal("Pod/shop/debug", violation.Object);
        Assert.Equal(FailureAction.Enforce, violation.Action);
    }

    [Fact]
    public void The_mutation_adds_the_label_only_where_it_is_missing_and_changes_the_digest()
    {
        string yaml = Deployment(GoodPod) + """

            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: owned, namespace: shop, labels: {team: payments}}
            data: {a: "1"}
            """;
        ManifestSet set = ManifestSet.Build(Read(yaml), ManifestOverrides.None);
        PolicyReport report = PolicyEngine.Evaluate(set, [Policy("add-team-label")], "default");
        PolicyMutation mutation = Assert.Single(report.Mutations);
        Assert.Equal("Deployment.apps/shop/web", mutation.Object);
        Assert.Equal("platform", (string?)report.Set.Objects.Single(o => o.Kind == "Deployment").Body["metadata"]!["labels"]!["team"]);
        Assert.Equal("payments", (string?)report.Set.Objects.Single(o => o.Kind == "ConfigMap").Body["metadata"]!["labels"]!["team"]);
        Assert.NotEqual(set.Digest, report.Set.Digest);
        Assert.Null(set.Objects.Single(o => o.Kind == "Deployment").Body["metadata"]!["labels"]);
    }

    [Fact]
    public void A_namespaced_policy_sees_only_its_namespace_and_exclude_takes_objects_away()
    {
        string policy = """
            apiVersion: kyverno.io/v1
            kind: Policy
            metadata: {name: replicas, namespace: shop}
            spec:
              validationFailureAction: Enforce
              rules:
                - name: at-least-two
                  match: {any: [{resources: {kinds: [apps/v1/Deployment]}}]}
                  exclude: {any: [{resources: {names: ["*-canary"]}}]}
                  validate:
                    message: "{{ request.object.metadata.name }} runs one replica"
                    pattern: {spec: {replicas: ">=2"}}
            """;
        PolicyDefinition loaded = DocumentLoader.Load("p.yaml", policy, TaskTypeRegistry.BuiltIn()).Of<PolicyDefinition>().Single();
        string yaml = """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: shop}
            spec: {replicas: 1}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web-canary, namespace: shop}
            spec: {replicas: 1}
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: web, namespace: other}
            spec: {replicas: 1}
            """;
        PolicyReport report = PolicyEngine.Evaluate(ManifestSet.Build(Read(yaml), ManifestOverrides.None), [loaded], "default");
        PolicyViolation violation = Assert.Single(report.Violations);
        Assert.Equal("Deployment.apps/shop/web", violation.Object);
        Assert.Equal("Policy/shop/replicas", violation.Policy);
        Assert.StartsWith("web runs one replica", violation.Message);
        Assert.True(report.Blocked);
    }
}
