namespace GitOps.Orchestrations.Core.Model;

/// <summary>
/// Everything a run needs, resolved before it is scheduled: the workflow as read from Git at one
/// commit, the workflows it may call, and the bound params. Replays read this, never Git.
/// </summary>
public sealed record WorkflowSnapshot
{
    public required WorkflowDefinition Workflow { get; init; }

    /// <summary>Other workflows of the same repository and revision, for <c>uses: workflow</c>.</summary>
    public IReadOnlyDictionary<string, WorkflowDefinition> Library { get; init; } = new Dictionary<string, WorkflowDefinition>();

    /// <summary>The WorkflowTemplates the run may call, directly or not, for <c>templateRef</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public IReadOnlyDictionary<string, WorkflowDefinition> Templates { get; init; } = new Dictionary<string, WorkflowDefinition>();

    /// <summary>The AnalysisTemplates of the same repository and revision, for <c>uses: analysis</c>.</summary>
    public IReadOnlyDictionary<string, Core.Analysis.AnalysisTemplate> AnalysisTemplates { get; init; } = new Dictionary<string, Core.Analysis.AnalysisTemplate>();

    /// <summary>The Rollouts of the same repository and revision, for <c>uses: rollout</c>.</summary>
    public IReadOnlyDictionary<string, Core.Rollouts.RolloutDefinition> Rollouts { get; init; } = new Dictionary<string, Core.Rollouts.RolloutDefinition>();

    /// <summary>The Kyverno policies of the same repository and revision, for <c>sync</c>'s <c>policies</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public IReadOnlyDictionary<string, Core.Policies.PolicyDefinition> Policies { get; init; } = new Dictionary<string, Core.Policies.PolicyDefinition>();

    /// <summary>The commit SHA the definition was read from, or <c>local</c> for a file outside Git.</summary>
    public required string Revision { get; init; }

    /// <summary>Where it came from: a repository and path, or a file path.</summary>
    public required string Source { get; init; }

    /// <summary>
    /// Whether a host may keep this snapshot in its payload store and name it by its hash in the
    /// run's history. Set for runs that only engines able to read that form will replay; a run
    /// started by an older engine keeps its snapshot inline, for any worker of its version.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool MayStoreByContent { get; init; }
}
