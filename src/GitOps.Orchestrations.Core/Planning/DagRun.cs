using GitOps.Orchestrations.Core.Expressions;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Planning;

/// <summary>
/// The DAG's state machine, free of I/O and of Durable Task: which nodes are ready, which are
/// omitted, and what the workflow's phase is once nothing is left to run. The orchestrator feeds
/// it completions and asks it what to start next, so every rule here is unit-testable.
/// </summary>
public sealed class DagRun
{
    readonly WorkflowDefinition workflow;
    readonly DagShape shape;

    // Tasks whose readiness may have changed. Orchestrators rebuild this state on every replay, so
    // only the dependents of a finished node are looked at again, never the whole DAG.
    readonly SortedSet<int> candidates = [];

    // The nodes in workflow order: orchestrators walk them on every step, replays included.
    readonly NodeStatus[] ordered;
    string? stopReason;

    public DagRun(WorkflowDefinition workflow)
        : this(workflow, [])
    {
        candidates.UnionWith(shape.Roots);
    }

    DagRun(WorkflowDefinition workflow, IEnumerable<NodeStatus> saved)
    {
        this.workflow = workflow;
        shape = DagShape.Of(workflow);
        ordered = new NodeStatus[workflow.Tasks.Count];
        foreach (NodeStatus node in saved)
        {
            if (shape.Order.TryGetValue(node.Name, out int index))
            {
                ordered[index] = node;
            }
        }

        for (int i = 0; i < ordered.Length; i++)
        {
            ordered[i] ??= new NodeStatus { Name = workflow.Tasks[i].Name };
        }
    }

    /// <summary>
    /// Rebuilds a run from the nodes it had when it continued as new. Nothing was running then, so
    /// every node is either finished or still pending, and failFast is re-derived from the failures.
    /// </summary>
    public static DagRun Restore(WorkflowDefinition workflow, IEnumerable<NodeStatus> saved)
    {
        var run = new DagRun(workflow, saved);
        // Only a node still pending can become ready; a finished one never runs again.
        run.candidates.UnionWith(Enumerable.Range(0, run.ordered.Length).Where(i => run.ordered[i].Phase == NodePhase.Pending));

        if (workflow.FailFast && run.ordered.FirstOrDefault(run.IsUnhandledFailure) is NodeStatus failed)
        {
            run.stopReason = $"not started: failFast after '{failed.Name}' {failed.Phase.ToString().ToLowerInvariant()}";
        }

        return run;
    }

    public IReadOnlyList<NodeStatus> Nodes => ordered;

    public NodeStatus this[string name] => ordered[shape.Order[name]];

    /// <summary>Whether <paramref name="name"/> is one of the workflow's tasks (a hook's node is not).</summary>
    public bool Contains(string name) => shape.Order.ContainsKey(name);

    public bool IsFinished => ordered.All(n => n.Phase.IsTerminal());

    /// <summary>The run was stopped before its nodes finished: by its timeout, or by a person.</summary>
    public bool TimedOut { get; private set; }

    WorkflowPhase stoppedAs = WorkflowPhase.Failed;

    /// <summary>
    /// Marks every task whose upstream tasks have all finished: Running when its <c>depends</c> holds,
    /// Omitted when it does not, repeating until nothing changes (an omission can decide another).
    /// </summary>
    /// <param name="room">How many more tasks may start (the workflow's <c>parallelism</c> less those running); the rest wait, Pending, in workflow order.</param>
    public IReadOnlyList<TaskSpec> TakeReady(int room = int.MaxValue)
    {
        var ready = new List<TaskSpec>();
        var waiting = new List<int>();
        while (candidates.Count > 0)
        {
            int index = candidates.Min;
            candidates.Remove(index);
            TaskSpec task = workflow.Tasks[index];
            NodeStatus node = ordered[index];
            if (node.Phase != NodePhase.Pending)
            {
                continue;
            }

            DependsExpression? expression = shape.Depends[index];
            if (stopReason is not null)
            {
                Omit(node, stopReason);
            }
            else if (expression is not null && !expression.Tasks.All(t => this[t].Phase.IsTerminal()))
            {
                continue;
            }
            else if (expression is null || expression.Evaluate(OutcomeOf))
            {
                if (ready.Count >= room)
                {
                    node.Message = $"waiting for a slot: parallelism {workflow.Parallelism} reached";
                    waiting.Add(index);
                    continue;
                }

                node.Phase = NodePhase.Running;
                node.Message = null;
                ready.Add(task);
            }
            else
            {
                Omit(node, $"depends '{expression.Text}' is false");
            }
        }

        candidates.UnionWith(waiting);
        return ready;
    }

    void Omit(NodeStatus node, string reason)
    {
        node.Phase = NodePhase.Omitted;
        node.Message = reason;
        Touch(node.Name);
    }

    void Touch(string finished)
    {
        candidates.UnionWith(shape.Dependents[shape.Order[finished]]);
    }

    /// <summary>Records how a node ended; with failFast, an unhandled failure stops new work.</summary>
    public void Complete(string name, NodePhase phase, string? message = null)
    {
        NodeStatus node = this[name];
        node.Phase = phase;
        node.Message = message ?? node.Message;
        Touch(name);
        if (workflow.FailFast && stopReason is null && IsUnhandledFailure(node))
        {
            stopReason = $"not started: failFast after '{name}' {phase.ToString().ToLowerInvariant()}";
            for (int i = 0; i < ordered.Length; i++)
            {
                if (ordered[i].Phase == NodePhase.Pending)
                {
                    candidates.Add(i);
                }
            }
        }
    }

    /// <summary>The workflow deadline passed: running nodes fail, pending ones are omitted.</summary>
    public void TimeOut(TimeSpan timeout, string? doing = null) => Stop($"workflow timeout of {Durations.Format(timeout)} exceeded" + (doing is null ? string.Empty : $" {doing}"), WorkflowPhase.Failed);

    /// <summary>A person stopped the run: what runs fails, what waits is omitted, and the run ends Terminated.</summary>
    public void Terminate(string reason) => Stop(reason, WorkflowPhase.Terminated);

    void Stop(string reason, WorkflowPhase outcome)
    {
        TimedOut = true;
        stoppedAs = outcome;
        stopReason = reason;
        foreach (NodeStatus node in ordered)
        {
            if (node.Phase == NodePhase.Running)
            {
                node.Phase = NodePhase.Failed;
                node.Message = reason;
            }
            else if (node.Phase == NodePhase.Pending)
            {
                node.Phase = NodePhase.Omitted;
                node.Message = reason;
            }
        }
    }

    /// <summary>
    /// Succeeded unless some failure is unhandled: not tolerated by <c>continueOn</c> and not asked
    /// about by a downstream <c>depends</c> (such as <c>gate.Failed</c>), which makes it an expected path.
    /// </summary>
    public WorkflowPhase Outcome()
    {
        if (TimedOut)
        {
            return stoppedAs;
        }

        List<NodeStatus> unhandled = ordered.Where(IsUnhandledFailure).ToList();
        return unhandled.Any(n => n.Phase == NodePhase.Failed) ? WorkflowPhase.Failed
            : unhandled.Count > 0 ? WorkflowPhase.Errored
            : WorkflowPhase.Succeeded;
    }

    /// <summary>A one-line reason for a failed outcome, naming the nodes that caused it.</summary>
    public string? OutcomeMessage()
    {
        if (TimedOut)
        {
            return stopReason;
        }

        List<string> failed = ordered.Where(IsUnhandledFailure).Select(n => $"{n.Name} {n.Phase.ToString().ToLowerInvariant()}").ToList();
        return failed.Count == 0 ? null : string.Join("; ", failed);
    }

    bool IsUnhandledFailure(NodeStatus node)
    {
        if (!node.Phase.IsFailure() || shape.FailureHandled[shape.Order[node.Name]])
        {
            return false;
        }

        ContinueOnSpec? continueOn = workflow.Tasks[shape.Order[node.Name]].ContinueOn;
        return !(node.Phase == NodePhase.Failed && continueOn?.Failed == true)
            && !(node.Phase == NodePhase.Errored && continueOn?.Error == true);
    }

    DependencyOutcome OutcomeOf(string task)
    {
        NodeStatus node = this[task];
        ContinueOnSpec? continueOn = workflow.Tasks[shape.Order[task]].ContinueOn;
        return new DependencyOutcome(node.Phase, continueOn, node.Items?.AnySucceeded ?? node.Phase == NodePhase.Succeeded, node.Items?.AllFailed ?? node.Phase.IsFailure());
    }
}
