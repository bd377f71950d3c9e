using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Engine.Runs;

/// <summary>
/// A run as people and tools see it, whether it is still running (built from the custom status
/// summary) or finished (built from the full output). This is the shape of <c>--output json</c>.
/// </summary>
public sealed record RunStatus
{
    public required string Id { get; init; }

    public required string Workflow { get; init; }

    public required string Revision { get; init; }

    public required WorkflowPhase Phase { get; init; }

    public string? Message { get; init; }

    public DateTime CreatedAt { get; init; }

    public DateTime LastUpdatedAt { get; init; }

    public required IReadOnlyList<NodeStatus> Nodes { get; init; }

    /// <summary>Approval gates waiting for a decision, by node path.</summary>
    public IReadOnlyList<string> Waiting { get; init; } = [];
}
