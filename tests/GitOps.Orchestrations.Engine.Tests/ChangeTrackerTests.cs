using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Engine.Orchestrators;

namespace GitOps.Orchestrations.Engine.Tests;

/// <summary>
/// Change numbers as watchers read them: a node's number grows when what they see of it changes,
/// and only then, however the tracker skips the nodes nobody touched.
/// </summary>
public sealed class ChangeTrackerTests
{
    static readonly Dictionary<string, PendingGate> NoGates = [];

    static List<NodeStatus> Nodes(int count) => [.. Enumerable.Range(0, count).Select(i => new NodeStatus { Name = $"n{i}" })];

    static PendingGate Gate(string node, int decisions) => new()
    {
        Node = node,
        Policy = new ApprovalPolicy([]),
        Decisions = [.. Enumerable.Range(0, decisions).Select(i => new ApprovalRecord("approve", $"person-{i}", DateTime.UnixEpoch, null))],
    };

    [Fact]
    public void A_node_set_to_what_it_already_shows_is_not_a_change()
    {
        List<NodeStatus> nodes = Nodes(3);
        var tracker = new ChangeTracker(null, []);
        tracker.Track(nodes, [], null, NoGates, WorkflowPhase.Running);
        int first = tracker.Seq;

        nodes[1].Phase = NodePhase.Pending;
        nodes[1].Message = null;
        tracker.Track(nodes, [], null, NoGates, WorkflowPhase.Running);

        Assert.Equal(4, first);
        Assert.Equal(first, tracker.Seq);
    }

    [Fact]
    public void Each_node_that_changed_gets_the_next_number_in_workflow_order()
    {
        List<NodeStatus> nodes = Nodes(4);
        var tracker = new ChangeTracker(null, []);
        tracker.Track(nodes, [], null, NoGates, WorkflowPhase.Running);

        nodes[3].Phase = NodePhase.Running;
        nodes[1].Attempts = 2;
        tracker.Track(nodes, [], null, NoGates, WorkflowPhase.Running);

        Assert.Equal(7, tracker.Seq);
        Assert.Equal(6, nodes[1].Seq);
        Assert.Equal(7, nodes[3].Seq);
        Assert.Equal(1, nodes[0].Seq);
    }

    [Fact]
    public void Gate_decisions_count_as_changes_while_the_node_itself_is_untouched()
    {
        List<NodeStatus> nodes = Nodes(2);
        var tracker = new ChangeTracker(null, []);
        tracker.Track(nodes, [], null, NoGates, WorkflowPhase.Running);
        int before = nodes[1].Seq;

        // An approval arrives: the gate's decisions change, the node's own fields do not.
        tracker.Track(nodes, [], null, new Dictionary<string, PendingGate> { ["n1"] = Gate("n1", 1) }, WorkflowPhase.Running);
        int approved = nodes[1].Seq;

        // The gate is decided and leaves the list: the decisions shown for the node change again.
        tracker.Track(nodes, [], null, NoGates, WorkflowPhase.Running);

        Assert.True(approved > before);
        Assert.True(nodes[1].Seq > approved);
        Assert.Equal(1, nodes[0].Seq);
    }

    [Fact]
    public void A_new_node_in_a_place_another_held_is_numbered()
    {
        List<NodeStatus> nodes = Nodes(2);
        var exit = new NodeStatus { Name = "exit" };
        var tracker = new ChangeTracker(null, []);
        tracker.Track(nodes, [], exit, NoGates, WorkflowPhase.Running);

        // A hook started: it takes the place onExit had, and onExit moves one on.
        var hook = new NodeStatus { Name = "hook", Phase = NodePhase.Running };
        tracker.Track(nodes, [hook], exit, NoGates, WorkflowPhase.Running);

        Assert.Equal(6, tracker.Seq);
        Assert.Equal(5, hook.Seq);
        Assert.Equal(6, exit.Seq);
    }

    [Fact]
    public void A_continued_run_numbers_only_what_changed_after_its_checkpoint()
    {
        List<NodeStatus> restored = Nodes(3);
        restored[0].Phase = NodePhase.Succeeded;
        var progress = new Runs.RunProgress(restored, null, 1) { Seq = 10 };
        var tracker = new ChangeTracker(progress, restored);

        tracker.Track(restored, [], null, NoGates, WorkflowPhase.Running);
        Assert.Equal(10, tracker.Seq);

        restored[2].Phase = NodePhase.Running;
        tracker.Track(restored, [], null, NoGates, WorkflowPhase.Running);
        Assert.Equal(11, tracker.Seq);
        Assert.Equal(11, restored[2].Seq);
    }
}
