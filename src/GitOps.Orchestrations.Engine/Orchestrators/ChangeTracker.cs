using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Runs;

namespace GitOps.Orchestrations.Engine.Orchestrators;

/// <summary>
/// Numbers what a watcher would notice: each time a node's phase, attempts, message or gate
/// decisions change, and each time the run's phase changes, the run's change number grows by one
/// and the node keeps it in <see cref="NodeStatus.Seq"/>. The number survives <c>ContinueAsNew</c>.
/// </summary>
internal sealed class ChangeTracker
{
    readonly Dictionary<string, (NodePhase Phase, int Attempts, string? Message, int Decisions)> seen = new(StringComparer.Ordinal);
    WorkflowPhase? phase;

    public ChangeTracker(RunProgress? progress)
    {
        Seq = progress?.Seq ?? 0;
        if (progress is { Seq: > 0 })
        {
            // Continued as new: what was published before is already numbered. A retry starts at 0,
            // so every node it carries over is numbered afresh on the first publish.
            foreach (NodeStatus node in progress.Nodes)
            {
                seen[node.Name] = (node.Phase, node.Attempts, node.Message, 0);
            }

            phase = WorkflowPhase.Running;
        }
    }

    public int Seq { get; private set; }

    public void Track(IEnumerable<NodeStatus> nodes, IReadOnlyDictionary<string, PendingGate> gates, WorkflowPhase runPhase)
    {
        foreach (NodeStatus node in nodes)
        {
            int decisions = gates.Count == 0 ? 0 : gates.Where(g => g.Key == node.Name || g.Key.StartsWith(node.Name + ".", StringComparison.Ordinal)).Sum(g => g.Value.Decisions.Count);
            var state = (node.Phase, node.Attempts, node.Message, decisions);
            if (!seen.TryGetValue(node.Name, out var last) || last != state)
            {
                seen[node.Name] = state;
                node.Seq = ++Seq;
            }
        }

        if (phase != runPhase)
        {
            phase = runPhase;
            Seq++;
        }
    }
}
