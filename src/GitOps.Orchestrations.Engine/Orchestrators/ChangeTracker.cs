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
    // By position: the orchestrator always passes the nodes in the same order (workflow order, then
    // onExit), and this runs on every step of every replay, where hashing names showed in benchmarks.
    readonly List<(NodePhase Phase, int Attempts, string? Message, int Decisions)?> seen = [];
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
                seen.Add((node.Phase, node.Attempts, node.Message, 0));
            }

            phase = WorkflowPhase.Running;
        }
    }

    public int Seq { get; private set; }

    public void Track(IReadOnlyList<NodeStatus> nodes, IReadOnlyDictionary<string, PendingGate> gates, WorkflowPhase runPhase)
    {
        for (int i = 0; i < nodes.Count; i++)
        {
            NodeStatus node = nodes[i];
            int decisions = gates.Count == 0 ? 0 : gates.Where(g => g.Key == node.Name || g.Key.StartsWith(node.Name + ".", StringComparison.Ordinal)).Sum(g => g.Value.Decisions.Count);
            (NodePhase, int, string?, int) state = (node.Phase, node.Attempts, node.Message, decisions);
            if (i == seen.Count)
            {
                seen.Add(null);
            }

            if (seen[i] != state)
            {
                seen[i] = state;
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
