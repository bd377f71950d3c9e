using GitOps.Orchestrations.Core.Delivery;

namespace GitOps.Orchestrations.Engine.Delivery;

/// <summary>
/// The names of the activities that do Git, render and apply work. They live in the Delivery
/// library, which depends on the engine, so the engine's task types name them here, once.
/// </summary>
public static class DeliveryActivities
{
    public const string ResolveSource = "ResolveSourceActivity";
    public const string Render = "RenderActivity";
    public const string Apply = "ApplyActivity";
    public const string CheckHealth = "CheckHealthActivity";
    public const string WriteRendered = "WriteRenderedActivity";
    public const string GitCommit = "GitCommitActivity";
    public const string DetectDrift = "DetectDriftActivity";
}

/// <summary>
/// What every delivery activity returns besides its result: a failure message (already free of
/// secrets) and whether trying again could help, so the step fails cleanly instead of throwing.
/// </summary>
public abstract record DeliveryOutcome
{
    public string? Error { get; init; }

    /// <summary>An unreachable server or a lost race, as opposed to a render or manifest that is wrong.</summary>
    public bool Transient { get; init; }
}

public sealed record ResolveSourceResult : DeliveryOutcome
{
    public string Revision { get; init; } = string.Empty;
}

public sealed record RenderRequest(SourceSpec Source, string Revision, RenderSpec Render, bool IncludeManifests);

public sealed record RenderResult : DeliveryOutcome
{
    public string Digest { get; init; } = string.Empty;

    public int Objects { get; init; }

    /// <summary>The normalized YAML, when asked for and small enough to keep in history.</summary>
    public string? Manifests { get; init; }
}

public sealed record ApplyRequest
{
    public required SourceSpec Source { get; init; }

    public required string Revision { get; init; }

    public required RenderSpec Render { get; init; }

    public required KubernetesTargetSpec Target { get; init; }

    public required string Application { get; init; }

    public bool Prune { get; init; }

    public bool DryRun { get; init; }

    public bool ForceConflicts { get; init; } = true;

    public IReadOnlyList<IgnoreDifference> IgnoreDifferences { get; init; } = [];

    /// <summary>The step's named policies, from the run's snapshot; the server's own apply besides (docs/policy.md).</summary>
    public IReadOnlyList<Core.Policies.PolicyDefinition> Policies { get; init; } = [];
}

/// <summary>What policies found in a render: every violation (Enforce and Audit), how many objects a mutation changed, and how many policies ran.</summary>
public sealed record PolicyFindings(IReadOnlyList<Core.Policies.PolicyViolation> Violations, int Mutated, int Policies);

public sealed record ObjectChangeView(string Object, string Action, IReadOnlyList<string>? Fields = null);

public sealed record ApplyResult : DeliveryOutcome
{
    public string Digest { get; init; } = string.Empty;

    public string Summary { get; init; } = string.Empty;

    public int Writes { get; init; }

    public IReadOnlyList<ObjectChangeView> Changes { get; init; } = [];

    public string Diff { get; init; } = string.Empty;

    public PolicyFindings? Policy { get; init; }
}

public sealed record HealthRequest(KubernetesTargetSpec Target, string Application);

public sealed record HealthResult : DeliveryOutcome
{
    public bool Healthy { get; init; }

    public bool Degraded { get; init; }

    /// <summary>The objects that are not healthy yet, with why.</summary>
    public IReadOnlyList<string> Pending { get; init; } = [];
}

public sealed record WriteRenderedRequest(SourceSpec Source, string Revision, RenderSpec Render, GitTargetSpec Target, string Application)
{
    public IReadOnlyList<Core.Policies.PolicyDefinition> Policies { get; init; } = [];
}

public sealed record GitCommitResult : DeliveryOutcome
{
    public string Commit { get; init; } = string.Empty;

    public bool Changed { get; init; }

    public string Digest { get; init; } = string.Empty;

    public PolicyFindings? Policy { get; init; }
}

public sealed record FileEdit(string File, string? Content = null, string? Path = null, string? Value = null);

public sealed record GitCommitRequest
{
    public required string Repo { get; init; }

    public string Branch { get; init; } = "main";

    public string? BaseBranch { get; init; }

    public GitAuthSpec? Auth { get; init; }

    public required string Message { get; init; }

    public IReadOnlyList<FileEdit> Files { get; init; } = [];

    public string? SourceCommit { get; init; }
}

public sealed record DriftRequest(KubernetesTargetSpec Target, string Application, IReadOnlyList<IgnoreDifference> IgnoreDifferences, bool SelfHeal);

public sealed record DriftedObjectView(string Object, IReadOnlyList<string> Fields);

public sealed record DriftResult : DeliveryOutcome
{
    public string Revision { get; init; } = string.Empty;

    public IReadOnlyList<DriftedObjectView> Drifted { get; init; } = [];

    public bool Healed { get; init; }
}
