namespace GitOps.Orchestrations.Core.Policies;

/// <summary>
/// One object that a validate rule refused: the object, the policy and rule, the field path and the
/// message. <see cref="Action"/> says whether it stopped the sync (Enforce) or was only recorded (Audit).
/// </summary>
public sealed record PolicyViolation(string Object, string Policy, string Rule, string Path, string Message, FailureAction Action)
{
    public override string ToString() => $"{Object}: {Policy} rule {Rule} ({Action}): {Message}";
}

/// <summary>An object a mutate rule changed.</summary>
public sealed record PolicyMutation(string Object, string Policy, string Rule);

/// <summary>What the policies made of a render: the objects to apply (mutated), what they changed, and what they refused.</summary>
public sealed record PolicyReport(Manifests.ManifestSet Set, IReadOnlyList<PolicyViolation> Violations, IReadOnlyList<PolicyMutation> Mutations)
{
    /// <summary>An Enforce violation: nothing of the sync may be written.</summary>
    public bool Blocked => Violations.Any(v => v.Action == FailureAction.Enforce);
}
