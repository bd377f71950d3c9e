using System.Text.Json.Nodes;
using GitOps.Orchestrations.Core.Manifests;

namespace GitOps.Orchestrations.Core.Policies;

/// <summary>Whether a rule's <c>match</c> and <c>exclude</c> select an object, as Kyverno reads them.</summary>
public static class ResourceMatch
{
    /// <summary>
    /// <paramref name="namespace"/> is where the object will live: its own, or the sync's default
    /// for a namespaced object that names none; null for a cluster-scoped one.
    /// </summary>
    /// <param name="asPod">Match kinds as if the object were a Pod: a pod controller checked by a rule written for Pods.</param>
    public static bool Selects(PolicyDefinition policy, PolicyRule rule, Manifest manifest, string? @namespace, bool asPod = false)
    {
        if (policy.Namespace is not null && policy.Namespace != @namespace)
        {
            return false;
        }

        return Selects(rule.Match, manifest, @namespace, asPod) && !(rule.Exclude is { } exclude && (exclude.Any.Count > 0 || exclude.All.Count > 0) && Selects(exclude, manifest, @namespace, asPod));
    }

    /// <summary>
    /// Kyverno's auto-generation: a rule whose filters select Pods only also checks the pod template
    /// of every Deployment, StatefulSet, DaemonSet, ReplicaSet, ReplicationController, Job and
    /// CronJob, since GitOps renders hold controllers, not Pods.
    /// </summary>
    public static bool SelectsPodsOnly(PolicyRule rule)
    {
        List<string> kinds = [.. rule.Match.Any.Concat(rule.Match.All).SelectMany(f => f.Kinds)];
        return kinds.Count > 0 && kinds.All(k => k is "Pod" or "v1/Pod" or "/v1/Pod");
    }

    static bool Selects(ResourceFilters filters, Manifest manifest, string? @namespace, bool asPod) =>
        filters.All.All(f => Selects(f, manifest, @namespace, asPod)) && (filters.Any.Count == 0 || filters.Any.Any(f => Selects(f, manifest, @namespace, asPod)));

    public static bool Selects(ResourceFilter filter, Manifest manifest, string? @namespace, bool asPod = false) =>
        (filter.Kinds.Count == 0 || filter.Kinds.Any(k => asPod ? KindMatches(k, "v1", "Pod") : KindMatches(k, manifest.ApiVersion, manifest.Kind)))
        && (filter.Names.Count == 0 || filter.Names.Any(n => Wildcard.Matches(n, manifest.Name)))
        && (filter.Namespaces.Count == 0 || (@namespace is not null && filter.Namespaces.Any(n => Wildcard.Matches(n, @namespace))))
        && (filter.Selector is null || LabelsMatch(filter.Selector, Map(manifest.Metadata?["labels"])))
        && filter.Annotations.All(a => Map(manifest.Metadata?["annotations"]).TryGetValue(a.Key, out string? value) && Wildcard.Matches(a.Value, value));

    /// <summary><c>Kind</c>, <c>version/Kind</c> or <c>group/version/Kind</c>, each part with wildcards; the core group is empty.</summary>
    static bool KindMatches(string written, string apiVersion, string kind)
    {
        string[] parts = written.Split('/');
        string group = ObjectRef.GroupOf(apiVersion);
        string version = apiVersion.Contains('/') ? apiVersion[(apiVersion.IndexOf('/') + 1)..] : apiVersion;
        return parts.Length switch
        {
            1 => Wildcard.Matches(parts[0], kind),
            2 => Wildcard.Matches(parts[0], version) && Wildcard.Matches(parts[1], kind),
            3 => Wildcard.Matches(parts[0], group) && Wildcard.Matches(parts[1], version) && Wildcard.Matches(parts[2], kind),
            _ => false,
        };
    }

    static bool LabelsMatch(LabelSelector selector, Dictionary<string, string> labels) =>
        selector.MatchLabels.All(l => labels.TryGetValue(l.Key, out string? value) && value == l.Value)
        && selector.MatchExpressions.All(e => e.Operator switch
        {
            "In" => labels.TryGetValue(e.Key, out string? value) && e.Values.Contains(value),
            "NotIn" => !labels.TryGetValue(e.Key, out string? value) || !e.Values.Contains(value),
            "Exists" => labels.ContainsKey(e.Key),
            "DoesNotExist" => !labels.ContainsKey(e.Key),
            _ => false,
        });

    static Dictionary<string, string> Map(JsonNode? node) =>
        node is JsonObject map
            ? map.Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => ScalarPattern.Text(p.Value) ?? string.Empty, StringComparer.Ordinal)
            : new Dictionary<string, string>(StringComparer.Ordinal);
}
