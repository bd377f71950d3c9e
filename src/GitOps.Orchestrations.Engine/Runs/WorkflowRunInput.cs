using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Engine.Runs;

/// <summary>
/// Everything a run needs, resolved before it is scheduled: the workflow as read from Git at one
/// commit, the workflows it may call, and the bound params. Replays read this, never Git.
/// </summary>
public sealed record WorkflowSnapshot
{
    public required WorkflowDefinition Workflow { get; init; }

    /// <summary>Other workflows of the same repository and revision, for <c>uses: workflow</c>.</summary>
    public IReadOnlyDictionary<string, WorkflowDefinition> Library { get; init; } = new Dictionary<string, WorkflowDefinition>();

    /// <summary>The AnalysisTemplates of the same repository and revision, for <c>uses: analysis</c>.</summary>
    public IReadOnlyDictionary<string, Core.Analysis.AnalysisTemplate> AnalysisTemplates { get; init; } = new Dictionary<string, Core.Analysis.AnalysisTemplate>();

    /// <summary>The Rollouts of the same repository and revision, for <c>uses: rollout</c>.</summary>
    public IReadOnlyDictionary<string, Core.Rollouts.RolloutDefinition> Rollouts { get; init; } = new Dictionary<string, Core.Rollouts.RolloutDefinition>();

    /// <summary>The commit SHA the definition was read from, or <c>local</c> for a file outside Git.</summary>
    public required string Revision { get; init; }

    /// <summary>Where it came from: a repository and path, or a file path.</summary>
    public required string Source { get; init; }
}

public sealed record WorkflowRunInput
{
    public required WorkflowSnapshot Snapshot { get; init; }

    public required IReadOnlyDictionary<string, string> Params { get; init; }

    public string StartedBy { get; init; } = "anonymous";

    /// <summary>
    /// Who started the earlier runs of this run's retry chain. Separation of duties follows the
    /// chain: whoever started any run of it may not approve its gates, so terminating a run and
    /// having someone else retry it does not make the starter an approver.
    /// </summary>
    public IReadOnlyList<string> EarlierStarters { get; init; } = [];

    /// <summary>Everyone who started a run of the chain, this one's starter included.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public IReadOnlyList<string> AllStarters => [.. EarlierStarters.Append(StartedBy).Distinct(StringComparer.Ordinal)];

    /// <summary>Set when this run is a sub-workflow: the run and node that called it.</summary>
    public string? Parent { get; init; }

    /// <summary>
    /// Continue as new after this many finished nodes, when nothing is in flight; 0 never does. Each
    /// checkpoint shortens every later replay but costs one more trip through the backend's queue,
    /// which is nearly free in memory and about a polling interval on Azure Storage, so the host
    /// chooses (see EngineHostOptions).
    /// </summary>
    public int CheckpointEvery { get; init; }

    /// <summary>
    /// Where a long run stood when it continued as new to shed its history; for a retry, the nodes
    /// that succeeded in the run it retries. Null on a plain first execution.
    /// </summary>
    public RunProgress? Progress { get; init; }

    /// <summary>The run this one retries, when it was started by <c>retry</c>.</summary>
    public string? RetryOf { get; init; }

    /// <summary>What started the run: http, schedule, git, retry or cli.</summary>
    public string Trigger { get; init; } = "cli";
}

/// <summary>
/// The state a run carries across <c>ContinueAsNew</c>: every node so far, the absolute deadline,
/// and the change number watchers have seen up to.
/// </summary>
public sealed record RunProgress(IReadOnlyList<NodeStatus> Nodes, DateTime? Deadline, int Generation)
{
    public int Seq { get; init; }
}

/// <summary>The final record of a run: its phase and every node, as the orchestration's output.</summary>
public sealed record WorkflowRunResult
{
    public required WorkflowPhase Phase { get; init; }

    public string? Message { get; init; }

    public required IReadOnlyList<NodeStatus> Nodes { get; init; }

    /// <summary>The run's last change number, that of its final phase.</summary>
    public int Seq { get; init; }
}
