using System.Text.Json;
using System.Text.Json.Serialization;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Engine.Runs;

/// <summary>
/// The run as published in the orchestration's custom status while it runs. Durable Task caps
/// custom status at 16 KB, so this is a summary: counts, the nodes that matter most, and the gates
/// waiting for a person. The full detail is the orchestration output once the run ends.
/// </summary>
public sealed record RunSummary
{
    public const int MaxBytes = 15 * 1024;

    public required WorkflowPhase Phase { get; init; }

    public required string Workflow { get; init; }

    public required string Revision { get; init; }

    public required IReadOnlyDictionary<NodePhase, int> Counts { get; init; }

    public required IReadOnlyList<NodeSummary> Nodes { get; init; }

    /// <summary>Approval nodes waiting for a decision.</summary>
    public IReadOnlyList<string> Waiting { get; init; } = [];

    /// <summary>How many nodes were left out of <see cref="Nodes"/> to stay under the size limit.</summary>
    public int Truncated { get; init; }

    public static RunSummary Create(string workflow, string revision, WorkflowPhase phase, IReadOnlyList<NodeStatus> nodes, IReadOnlyCollection<string> waiting)
    {
        var counts = nodes.GroupBy(n => n.Phase).ToDictionary(g => g.Key, g => g.Count());
        List<NodeSummary> all = nodes.Select(NodeSummary.Of).ToList();
        var summary = new RunSummary { Phase = phase, Workflow = workflow, Revision = revision, Counts = counts, Nodes = all, Waiting = [.. waiting] };

        // A node summary is well under 150 bytes unless its message is long; only measure when it might not fit.
        if (all.Count * 150 < MaxBytes / 2 || Size(summary) <= MaxBytes)
        {
            return summary;
        }

        // Keep what a person watching wants first: running and failed nodes, then the rest in order.
        List<NodeSummary> ranked = all.OrderBy(n => n.Phase switch
        {
            NodePhase.Running => 0,
            NodePhase.Failed or NodePhase.Errored => 1,
            _ => 2,
        }).ToList();
        int keep = ranked.Count;
        do
        {
            keep /= 2;
            summary = summary with { Nodes = ranked.Take(keep).ToList(), Truncated = ranked.Count - keep };
        }
        while (keep > 0 && Size(summary) > MaxBytes);

        return summary;
    }

    static int Size(RunSummary summary) => JsonSerializer.SerializeToUtf8Bytes(summary).Length;
}

public sealed record NodeSummary(
    string Name,
    NodePhase Phase,
    int Attempts,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? StartedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] DateTime? FinishedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FanOutSummary? Items)
{
    public static NodeSummary Of(NodeStatus node) =>
        new(node.Name, node.Phase, node.Attempts, Shorten(node.Message), node.StartedAt, node.FinishedAt, node.Items);

    static string? Shorten(string? message) => message is { Length: > 200 } ? message[..197] + "..." : message;
}
