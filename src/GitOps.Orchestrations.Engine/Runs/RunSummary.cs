using System.Text;
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

        // Orchestrators publish this on every step, so the size is estimated rather than measured
        // by serializing. When not everything fits, keep what a person watching wants first:
        // running and failed nodes, then the rest in workflow order.
        int budget = MaxBytes - HeaderBytes - waiting.Sum(w => Encoding.UTF8.GetByteCount(w) + 3);
        var keep = new HashSet<NodeSummary>(ReferenceEqualityComparer.Instance);
        foreach (NodeSummary node in all.OrderBy(n => n.Phase switch
        {
            NodePhase.Running => 0,
            NodePhase.Failed or NodePhase.Errored => 1,
            _ => 2,
        }))
        {
            budget -= node.EstimatedBytes;
            if (budget < 0)
            {
                break;
            }

            keep.Add(node);
        }

        return new RunSummary
        {
            Phase = phase,
            Workflow = workflow,
            Revision = revision,
            Counts = counts,
            Nodes = keep.Count == all.Count ? all : all.Where(keep.Contains).ToList(),
            Waiting = [.. waiting],
            Truncated = all.Count - keep.Count,
        };
    }

    // Phase, workflow, revision, the counts of seven phases and the property names around them.
    const int HeaderBytes = 600;
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
    /// <summary>
    /// An upper bound of this node's JSON size: property names, phase, attempts and two timestamps
    /// take about 130 bytes, fan-out counts about 110; a message is counted twice for escaping.
    /// </summary>
    [JsonIgnore]
    public int EstimatedBytes => 150 + Encoding.UTF8.GetByteCount(Name) + (Message is null ? 0 : 2 * Encoding.UTF8.GetByteCount(Message)) + (Items is null ? 0 : 120);

    public static NodeSummary Of(NodeStatus node) =>
        new(node.Name, node.Phase, node.Attempts, Shorten(node.Message), node.StartedAt, node.FinishedAt, node.Items);

    static string? Shorten(string? message) => message is { Length: > 200 } ? message[..197] + "..." : message;
}
