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

    /// <summary>Gates waiting for people: who may decide them and what they have so far.</summary>
    public IReadOnlyList<PendingGate> Gates { get; init; } = [];

    /// <summary>The paths of <see cref="Gates"/>, for readers that only need to know which nodes wait.</summary>
    public IReadOnlyList<string> Waiting => Gates.Select(g => g.Node).ToList();

    /// <summary>The lock the run waits for before it starts (<see cref="WorkflowDefinition.Synchronization"/>); null once it holds it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public SynchronizationSpec? WaitingForLock { get; init; }

    /// <summary>The run's latest change number (see <see cref="NodeStatus.Seq"/>).</summary>
    public int Seq { get; init; }

    /// <summary>Who started the run, so a listing can filter by it without reading every run's input.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? StartedBy { get; init; }

    /// <summary>Everyone who started the run's retry chain: a listing tells from it who may not approve its gates.</summary>
    public IReadOnlyList<string> Starters { get; init; } = [];

    /// <summary>True when node outputs were left out to stay under the size limit; the run's output has them all.</summary>
    public bool OutputsOmitted { get; init; }

    /// <summary>How many nodes were left out of <see cref="Nodes"/> to stay under the size limit.</summary>
    public int Truncated { get; init; }

    public static RunSummary Create(string workflow, string revision, WorkflowPhase phase, IReadOnlyList<NodeStatus> nodes, IEnumerable<PendingGate> pending, int seq, string? startedBy = null, IReadOnlyList<string>? starters = null)
    {
        var counts = new Dictionary<NodePhase, int>();
        foreach (NodeStatus node in nodes)
        {
            counts[node.Phase] = counts.GetValueOrDefault(node.Phase) + 1;
        }

        List<PendingGate> gates = [.. pending];

        // Orchestrators publish this once per episode, so the size is estimated rather than measured
        // by serializing, and a summary is made only for each node kept: a 5,000-node run made two
        // of every node per episode, which showed in benchmarks. When not everything fits, outputs
        // go first; then keep what a person watching wants most: running and failed nodes, then the
        // most recently changed. Recent changes first is also what keeps a large run watchable: the
        // event stream sends the nodes above the last change number it sent, so a change the summary
        // left out would reach no watcher until the run ended. Kept nodes stay in workflow order.
        starters ??= [];
        int budget = MaxBytes - HeaderBytes - gates.Sum(EstimatedBytes) - starters.Sum(s => 4 + 2 * Encoding.UTF8.GetByteCount(s)) - 2 * Encoding.UTF8.GetByteCount(startedBy ?? "");
        int total = 0;
        foreach (NodeStatus node in nodes)
        {
            total += NodeSummary.Estimate(node, withOutputs: true);
        }

        if (total <= budget)
        {
            return Summary([.. nodes.Select(n => NodeSummary.Of(n))], outputsOmitted: false, truncated: 0);
        }

        int[] sizes = [.. nodes.Select(n => NodeSummary.Estimate(n, withOutputs: false))];
        int[] order = [.. Enumerable.Range(0, nodes.Count)];
        static int Rank(NodePhase phase) => phase switch
        {
            NodePhase.Running => 0,
            NodePhase.Failed or NodePhase.Errored => 1,
            _ => 2,
        };

        // By rank, then newest change first, then workflow order, as a stable sort would leave them.
        Array.Sort(order, (a, b) => Rank(nodes[a].Phase) != Rank(nodes[b].Phase) ? Rank(nodes[a].Phase).CompareTo(Rank(nodes[b].Phase))
            : nodes[a].Seq != nodes[b].Seq ? nodes[b].Seq.CompareTo(nodes[a].Seq)
            : a.CompareTo(b));
        var keep = new bool[nodes.Count];
        foreach (int i in order)
        {
            budget -= sizes[i];
            if (budget < 0)
            {
                break;
            }

            keep[i] = true;
        }

        List<NodeSummary> kept = [.. nodes.Where((_, i) => keep[i]).Select(n => NodeSummary.Of(n, withOutputs: false))];
        return Summary(kept, outputsOmitted: nodes.Any(n => n.Outputs.Count > 0), truncated: nodes.Count - kept.Count);

        RunSummary Summary(List<NodeSummary> kept, bool outputsOmitted, int truncated) => new()
        {
            Phase = phase,
            Workflow = workflow,
            Revision = revision,
            Counts = counts,
            Nodes = kept,
            Gates = gates,
            Seq = seq,
            StartedBy = startedBy,
            Starters = starters,
            OutputsOmitted = outputsOmitted,
            Truncated = truncated,
        };
    }

    static int EstimatedBytes(PendingGate gate) =>
        300 + 2 * Encoding.UTF8.GetByteCount(gate.Node) + gate.Policy.Approvers.Sum(a => Encoding.UTF8.GetByteCount(a) + 3)
        + 2 * (gate.Message?.Length ?? 0) + gate.Decisions.Sum(d => 80 + Encoding.UTF8.GetByteCount(d.By) + 2 * (d.Comment?.Length ?? 0));

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
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] FanOutSummary? Items,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] Dictionary<string, JsonElement>? Outputs = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] List<ApprovalRecord>? Approvals = null,
    int Seq = 0)
{
    /// <summary>
    /// An upper bound of this node's JSON size: property names, phase, attempts, change number and
    /// two timestamps take about 150 bytes, fan-out counts about 110; text is counted twice for escaping.
    /// </summary>
    [JsonIgnore]
    public int EstimatedBytes => Estimate(Name, Message, Items, Outputs, Approvals);

    public static NodeSummary Of(NodeStatus node, bool withOutputs = true) =>
        new(node.Name, node.Phase, node.Attempts, Shorten(node.Message), node.StartedAt, node.FinishedAt, node.Items,
            !withOutputs || node.Outputs.Count == 0 ? null : node.Outputs, node.Approvals, node.Seq);

    /// <summary>The <see cref="EstimatedBytes"/> of <see cref="Of"/>, without making the summary.</summary>
    public static int Estimate(NodeStatus node, bool withOutputs) =>
        Estimate(node.Name, Shorten(node.Message), node.Items, withOutputs && node.Outputs.Count > 0 ? node.Outputs : null, node.Approvals);

    static int Estimate(string name, string? message, FanOutSummary? items, Dictionary<string, JsonElement>? outputs, List<ApprovalRecord>? approvals) =>
        170 + Encoding.UTF8.GetByteCount(name) + (message is null ? 0 : 2 * Encoding.UTF8.GetByteCount(message)) + (items is null ? 0 : 120)
        + (outputs?.Sum(o => 6 + 2 * (o.Key.Length + o.Value.GetRawText().Length)) ?? 0)
        + (approvals?.Sum(a => 80 + Encoding.UTF8.GetByteCount(a.By) + 2 * (a.Comment?.Length ?? 0)) ?? 0);

    static string? Shorten(string? message) => message is { Length: > 200 } ? message[..197] + "..." : message;
}
