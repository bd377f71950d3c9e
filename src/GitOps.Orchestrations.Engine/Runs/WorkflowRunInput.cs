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

    /// <summary>Set when this run is a sub-workflow: the run and node that called it.</summary>
    public string? Parent { get; init; }

    /// <summary>
    /// Continue as new after this many finished nodes, when nothing is in flight; 0 never does. Each
    /// checkpoint shortens every later replay but costs one more trip through the backend's queue,
    /// which is nearly free in memory and about a polling interval on Azure Storage, so the host
    /// chooses (see EngineHostOptions).
    /// </summary>
    public int CheckpointEvery { get; init; }

    /// <summary>Where a long run stood when it continued as new to shed its history; null on the first execution.</summary>
    public RunProgress? Progress { get; init; }
}

/// <summary>The state a run carries across <c>ContinueAsNew</c>: every node so far, and the absolute deadline.</summary>
public sealed record RunProgress(IReadOnlyList<NodeStatus> Nodes, DateTime? Deadline, int Generation);

/// <summary>The final record of a run: its phase and every node, as the orchestration's output.</summary>
public sealed record WorkflowRunResult
{
    public required WorkflowPhase Phase { get; init; }

    public string? Message { get; init; }

    public required IReadOnlyList<NodeStatus> Nodes { get; init; }
}
