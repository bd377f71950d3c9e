using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Manifests;

namespace GitOps.Orchestrations.Core.Policies;

/// <summary>
/// Policies over a render, in Kyverno's order at admission: every mutate rule first (policies and
/// rules in the order given), then every validate rule over the mutated objects. Pure: the same
/// render and policies always give the same report.
/// </summary>
public static class PolicyEngine
{
    /// <param name="defaultNamespace">Where a namespaced object that names no namespace will live (the sync's target namespace).</param>
    public static PolicyReport Evaluate(ManifestSet set, IReadOnlyList<PolicyDefinition> policies, string? defaultNamespace)
    {
        if (policies.Count == 0)
        {
            return new PolicyReport(set, [], []);
        }

        // Objects are copied only when a patch selects them: the render's set is never changed.
        var objects = set.Objects.ToList();
        var copied = new HashSet<int>();
        var mutations = new List<PolicyMutation>();
        foreach (PolicyDefinition policy in policies)
        {
            foreach (PolicyRule rule in policy.Rules.Where(r => r.Mutate is not null))
            {
                for (int i = 0; i < objects.Count; i++)
                {
                    if (Subject(policy, rule, objects[i], defaultNamespace) is null)
                    {
                        continue;
                    }

                    if (copied.Add(i))
                    {
                        objects[i] = objects[i].Clone();
                    }

                    if (Subject(policy, rule, objects[i], defaultNamespace) is (JsonObject body, _) && StrategicMerge.Apply(body, rule.Mutate!.PatchStrategicMerge))
                    {
                        mutations.Add(new PolicyMutation(Name(objects[i], defaultNamespace), policy.Id, rule.Name));
                    }
                }
            }
        }

        // A mutation changes what is applied, so the set is made again: same checks, same order, a new digest.
        ManifestSet result = mutations.Count == 0 ? set : ManifestSet.Build(objects, ManifestOverrides.None);
        var violations = new List<PolicyViolation>();
        foreach (PolicyDefinition policy in policies)
        {
            foreach (PolicyRule rule in policy.Rules.Where(r => r.Validate is not null))
            {
                FailureAction action = rule.Validate!.FailureAction ?? policy.FailureAction;
                foreach (Manifest manifest in result.Objects)
                {
                    if (Subject(policy, rule, manifest, defaultNamespace) is (JsonObject body, string prefix)
                        && Check(rule.Validate, body) is (string found, string reason))
                    {
                        string path = found.Length == 0 ? found : prefix + found;
                        string detail = path.Length > 0 ? $"{path} {reason}" : reason;
                        string message = rule.Validate.Message is string written ? $"{PolicyVariables.Message(written, manifest.Body)} ({detail})" : $"validation error: {detail}";
                        violations.Add(new PolicyViolation(Name(manifest, defaultNamespace), policy.Id, rule.Name, path, message, action));
                    }
                }
            }
        }

        return new PolicyReport(result, violations, mutations);
    }

    /// <summary>The failing path and reason, or null when the object passes (or the rule does not apply to it).</summary>
    static (string Path, string Reason)? Check(ValidateRule rule, JsonObject body)
    {
        if (rule.Pattern is { } pattern)
        {
            PatternResult result = PatternMatcher.Match(body, pattern);
            return result.Outcome == PatternOutcome.Fail ? (result.Path, result.Reason) : null;
        }

        if (rule.AnyPattern.Count > 0)
        {
            var failures = new List<PatternResult>();
            foreach (var candidate in rule.AnyPattern)
            {
                PatternResult result = PatternMatcher.Match(body, candidate);
                if (result.Outcome != PatternOutcome.Fail)
                {
                    return null;
                }

                failures.Add(result);
            }

            return (failures[0].Path, $"no pattern of anyPattern holds; the first {failures[0].Reason}");
        }

        return rule.Deny is { } deny && ConditionEvaluator.Holds(deny, body) ? (string.Empty, "denied by its conditions") : null;
    }

    /// <summary>
    /// What a rule checks of an object: the object itself when the rule selects it, or the pod
    /// template of a controller when the rule is written for Pods; null when neither.
    /// </summary>
    static (JsonObject Body, string Prefix)? Subject(PolicyDefinition policy, PolicyRule rule, Manifest manifest, string? defaultNamespace)
    {
        string? ns = NamespaceOf(manifest, defaultNamespace);
        if (ResourceMatch.Selects(policy, rule, manifest, ns))
        {
            return (manifest.Body, string.Empty);
        }

        if (!ResourceMatch.SelectsPodsOnly(rule) || !ResourceMatch.Selects(policy, rule, manifest, ns, asPod: true))
        {
            return null;
        }

        return manifest.Kind switch
        {
            "Deployment" or "StatefulSet" or "DaemonSet" or "ReplicaSet" or "ReplicationController" or "Job"
                when manifest.Body["spec"]?["template"] is JsonObject template => (template, "spec.template."),
            "CronJob" when manifest.Body["spec"]?["jobTemplate"]?["spec"]?["template"] is JsonObject template => (template, "spec.jobTemplate.spec.template."),
            _ => null,
        };
    }

    static string? NamespaceOf(Manifest manifest, string? defaultNamespace) =>
        manifest.Namespace ?? (ApplyOrder.ClusterScopedKinds.Contains(manifest.Kind) ? null : defaultNamespace);

    static string Name(Manifest manifest, string? defaultNamespace) =>
        ObjectRef.Of(manifest.ApiVersion, manifest.Kind, NamespaceOf(manifest, defaultNamespace), manifest.Name).ToString();
}
