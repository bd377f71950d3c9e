using System.Text.Json;

namespace GitOps.Orchestrations.Core.Policies;

/// <summary>What a validate rule's failure does to a sync: stop it before anything is written, or let it apply and record.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<FailureAction>))]
public enum FailureAction
{
    Audit,
    Enforce,
}

/// <summary>
/// A Kyverno <c>ClusterPolicy</c> or <c>Policy</c> (kyverno.io/v1) as this engine evaluates it
/// before a sync writes anything (docs/policy.md). A <c>Policy</c> sees only the objects of its
/// own namespace.
/// </summary>
public sealed record PolicyDefinition
{
    public required string Name { get; init; }

    /// <summary><c>ClusterPolicy</c> or <c>Policy</c>.</summary>
    public required string Kind { get; init; }

    /// <summary>For a <c>Policy</c>, the one namespace whose objects it sees.</summary>
    public string? Namespace { get; init; }

    /// <summary><c>spec.validationFailureAction</c>; Kyverno's default, Audit, when absent.</summary>
    public FailureAction FailureAction { get; init; } = FailureAction.Audit;

    public required IReadOnlyList<PolicyRule> Rules { get; init; }

    /// <summary>How violations name it: <c>ClusterPolicy/require-labels</c> or <c>Policy/team-a/require-labels</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Id => Namespace is null ? $"{Kind}/{Name}" : $"{Kind}/{Namespace}/{Name}";
}

/// <summary>One rule: which objects it looks at, and either a mutation or a validation of them.</summary>
public sealed record PolicyRule
{
    public required string Name { get; init; }

    public required ResourceFilters Match { get; init; }

    public ResourceFilters? Exclude { get; init; }

    public ValidateRule? Validate { get; init; }

    public MutateRule? Mutate { get; init; }
}

/// <summary><c>match</c> or <c>exclude</c>: an object is selected when any filter of <see cref="Any"/> selects it, and every filter of <see cref="All"/> does.</summary>
public sealed record ResourceFilters
{
    public IReadOnlyList<ResourceFilter> Any { get; init; } = [];

    public IReadOnlyList<ResourceFilter> All { get; init; } = [];
}

/// <summary><c>resources</c> of a filter: each list given must select the object; names and namespaces take <c>*</c> and <c>?</c>.</summary>
public sealed record ResourceFilter
{
    /// <summary><c>Kind</c>, <c>version/Kind</c> or <c>group/version/Kind</c>; <c>*</c> for any.</summary>
    public IReadOnlyList<string> Kinds { get; init; } = [];

    public IReadOnlyList<string> Names { get; init; } = [];

    public IReadOnlyList<string> Namespaces { get; init; } = [];

    public LabelSelector? Selector { get; init; }

    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();
}

/// <summary>A Kubernetes label selector: <c>matchLabels</c> and <c>matchExpressions</c> (In, NotIn, Exists, DoesNotExist).</summary>
public sealed record LabelSelector
{
    public IReadOnlyDictionary<string, string> MatchLabels { get; init; } = new Dictionary<string, string>();

    public IReadOnlyList<LabelRequirement> MatchExpressions { get; init; } = [];
}

public sealed record LabelRequirement(string Key, string Operator, IReadOnlyList<string> Values);

/// <summary><c>validate</c>: exactly one of a pattern, a list of patterns any of which may hold, or deny conditions.</summary>
public sealed record ValidateRule
{
    public string? Message { get; init; }

    public JsonElement? Pattern { get; init; }

    public IReadOnlyList<JsonElement> AnyPattern { get; init; } = [];

    public DenyConditions? Deny { get; init; }

    /// <summary>The rule's own <c>failureAction</c>, over the policy's.</summary>
    public FailureAction? FailureAction { get; init; }
}

/// <summary><c>deny.conditions</c>: the object is refused when every condition of <see cref="All"/> and some condition of <see cref="Any"/> (when given) hold.</summary>
public sealed record DenyConditions
{
    public IReadOnlyList<PolicyCondition> Any { get; init; } = [];

    public IReadOnlyList<PolicyCondition> All { get; init; } = [];
}

/// <summary>A condition: a key (usually a <c>{{ request.object… }}</c> variable), an operator and a value.</summary>
public sealed record PolicyCondition(JsonElement Key, string Operator, JsonElement Value);

/// <summary><c>mutate.patchStrategicMerge</c>: merged into each selected object before validation, as Kyverno does at admission.</summary>
public sealed record MutateRule(JsonElement PatchStrategicMerge);
