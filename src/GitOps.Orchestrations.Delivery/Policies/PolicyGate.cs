using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using GitOps.Orchestrations.Core.Manifests;
using GitOps.Orchestrations.Core.Policies;
using GitOps.Orchestrations.Engine.Delivery;

namespace GitOps.Orchestrations.Delivery.Policies;

/// <summary>What the gate made of a render: the set to write, what to record, and why nothing may be written.</summary>
public sealed record PolicyGateResult(ManifestSet Set, PolicyFindings? Findings, string? Refusal);

/// <summary>
/// Policies between render and write. The server's own policies (the operator's, from its
/// configuration) apply to every sync and come first; a step's named policies (from its workflow's
/// folder, pinned with the run) add to them and can never replace them. An Enforce violation
/// refuses the whole sync before anything is written, to a cluster or to Git.
/// </summary>
public sealed class PolicyGate(IReadOnlyList<PolicyDefinition> serverPolicies)
{
    /// <summary>How many violations a refusal's message lists; the step's outputs hold the rest.</summary>
    public const int MaxInMessage = 20;

    /// <summary>Results kept for unchanged re-syncs; each holds a render, so few.</summary>
    public const int CacheEntries = 16;

    // Evaluation is pure: the same render under the same policies always gives the same result, so
    // a scheduled sync of an unchanged app reuses it. Sets are shared as the render cache shares
    // them: whoever changes an object clones it first.
    readonly ConcurrentDictionary<string, PolicyGateResult> results = new(StringComparer.Ordinal);

    public IReadOnlyList<PolicyDefinition> ServerPolicies { get; } = serverPolicies;

    public PolicyGateResult Check(ManifestSet set, IReadOnlyList<PolicyDefinition> named, string? defaultNamespace)
    {
        List<PolicyDefinition> policies = [.. ServerPolicies, .. named];
        if (policies.Count == 0)
        {
            return new PolicyGateResult(set, null, null);
        }

        string key = $"{set.Digest}|{defaultNamespace}|{Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(policies)))}";
        if (results.TryGetValue(key, out PolicyGateResult? known))
        {
            return known;
        }

        if (results.Count >= CacheEntries)
        {
            results.Clear();
        }

        return results[key] = Evaluate(set, policies, defaultNamespace);
    }

    static PolicyGateResult Evaluate(ManifestSet set, List<PolicyDefinition> policies, string? defaultNamespace)
    {
        PolicyReport report = PolicyEngine.Evaluate(set, policies, defaultNamespace);
        List<PolicyViolation> violations = report.Violations.Distinct().ToList();
        var findings = new PolicyFindings(violations, report.Mutations.Select(m => m.Object).Distinct().Count(), policies.Count);
        if (!report.Blocked)
        {
            return new PolicyGateResult(report.Set, findings, null);
        }

        List<PolicyViolation> enforced = violations.Where(v => v.Action == FailureAction.Enforce).ToList();
        string listed = string.Join("\n  ", enforced.Take(MaxInMessage));
        string more = enforced.Count > MaxInMessage ? $"\n  … and {enforced.Count - MaxInMessage} more (see the step's violations)" : string.Empty;
        return new PolicyGateResult(set, findings, $"{enforced.Count} policy violation(s) under Enforce; nothing was written:\n  {listed}{more}");
    }
}
