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

    // The node and its revision at each place when last compared: untouched since, and with no gate
    // decisions to count now or then, it cannot have changed, so most places cost one comparison.
    readonly List<(NodeStatus? Node, int Revision)> looked = [];
    bool hadGates;
    WorkflowPhase? phase;

    /// <param name="progress">The checkpoint the run restored, if any.</param>
    /// <param name="restored">Every node it restored (<see cref="RunProgress.AllNodes"/>), in the order the orchestrator passes them.</param>
    public ChangeTracker(RunProgress? progress, IReadOnlyList<NodeStatus> restored)
    {
        Seq = progress?.Seq ?? 0;
        if (progress is { Seq: > 0 })
        {
            // Continued as new: what was published before is already numbered. A retry starts at 0,
            // so every node it carries over is numbered afresh on the first publish.
            seen.Capacity = restored.Count;
            looked.Capacity = restored.Count;
            foreach (NodeStatus node in restored)
            {
                seen.Add((node.Phase, node.Attempts, node.Message, 0));
                looked.Add((node, node.Revision));
            }

            phase = WorkflowPhase.Running;
        }
    }

    public int Seq { get; private set; }

    /// <summary>
    /// Numbers the changes since the last call: the DAG's nodes, then the hooks', then onExit's, in
    /// that order every time. Three parts rather than one list, because this runs on every step of
    /// every replay and a list of a 5,000-node run's nodes each time showed in benchmarks.
    /// </summary>
    public void Track(IReadOnlyList<NodeStatus> dagNodes, IReadOnlyList<NodeStatus> hookNodes, NodeStatus? exitNode, IReadOnlyDictionary<string, PendingGate> gates, WorkflowPhase runPhase)
    {
        bool anyGates = gates.Count > 0 || hadGates;
        hadGates = gates.Count > 0;
        int place = 0;
        foreach (NodeStatus node in dagNodes)
        {
            See(place++, node, gates, anyGates);
        }

        foreach (NodeStatus node in hookNodes)
        {
            See(place++, node, gates, anyGates);
        }

        if (exitNode is not null)
        {
            See(place, exitNode, gates, anyGates);
        }

        if (phase != runPhase)
        {
            phase = runPhase;
            Seq++;
        }
    }

    void See(int place, NodeStatus node, IReadOnlyDictionary<string, PendingGate> gates, bool anyGates)
    {
        if (!anyGates && place < looked.Count && ReferenceEquals(looked[place].Node, node) && looked[place].Revision == node.Revision)
        {
            return;
        }

        if (place == looked.Count)
        {
            looked.Add(default);
        }

        looked[place] = (node, node.Revision);
        int decisions = gates.Count == 0 ? 0 : gates.Where(g => g.Key == node.Name || g.Key.StartsWith(node.Name + ".", StringComparison.Ordinal)).Sum(g => g.Value.Decisions.Count);
        (NodePhase, int, string?, int) state = (node.Phase, node.Attempts, node.Message, decisions);
        if (place == seen.Count)
        {
            seen.Add(null);
        }

        if (seen[place] != state)
        {
            seen[place] = state;
            node.Seq = ++Seq;
        }
    }
}
