using System.Text.Json;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Engine.Orchestrators;

/// <summary>How one item of a node (or a node without fan-out) ended, after all its attempts.</summary>
public sealed record ItemOutcome(NodePhase Phase, string? Message, Dictionary<string, JsonElement> Outputs, int Attempts, List<ApprovalRecord>? Approvals = null);

/// <summary>How a node ended: its own outcome, or its items' outcomes folded together.</summary>
public sealed record NodeOutcome(NodePhase Phase, string? Message, Dictionary<string, JsonElement> Outputs, int Attempts, FanOutSummary? Items, List<ApprovalRecord>? Approvals);

/// <summary>The input of one chunk of a large fan-out, run as its own sub-orchestration.</summary>
public sealed record FanOutChunkInput
{
    public required Runs.WorkflowRunInput Run { get; init; }

    public required string RunId { get; init; }

    public required TaskSpec Task { get; init; }

    public required int FirstIndex { get; init; }

    public required IReadOnlyList<JsonElement> Items { get; init; }

    /// <summary>At most this many of the chunk's items run at once (the fan-out's <c>parallelism</c>); null for all.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public int? Parallelism { get; init; }

    /// <summary>Phases of the upstream tasks this task's templates read, for <c>tasks.X.status</c>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public Dictionary<string, string> UpstreamStatus { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Outputs of the upstream tasks this task's templates read.</summary>
    public required Dictionary<string, Dictionary<string, JsonElement>> UpstreamOutputs { get; init; }

    /// <summary>Upstream tasks that were Skipped or Omitted: their outputs read as empty strings.</summary>
    public IReadOnlyList<string> SkippedUpstream { get; init; } = [];
}
