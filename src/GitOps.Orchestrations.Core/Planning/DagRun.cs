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
    readonly Dictionary<string, NodeStatus> nodes = new(StringComparer.Ordinal);
    readonly Dictionary<string, DependsExpression?> depends = new(StringComparer.Ordinal);
    readonly HashSet<string> failureHandled = new(StringComparer.Ordinal);
    string? stopReason;

    public DagRun(WorkflowDefinition workflow)
    {
        this.workflow = workflow;
        foreach (TaskSpec task in workflow.Tasks)
        {
            nodes[task.Name] = new NodeStatus { Name = task.Name };
            depends[task.Name] = task.Depends is null ? null : DependsExpression.Parse(task.Depends);
        }

        foreach (DependsExpression expression in depends.Values.OfType<DependsExpression>())
        {
            foreach (string upstream in expression.Tasks.Where(expression.HandlesFailureOf))
            {
                failureHandled.Add(upstream);
            }
        }
    }

    public IEnumerable<NodeStatus> Nodes => workflow.Tasks.Select(t => nodes[t.Name]);

    public NodeStatus this[string name] => nodes[name];

    public bool IsFinished => nodes.Values.All(n => n.Phase.IsTerminal());

    public bool TimedOut { get; private set; }

    /// <summary>
    /// Marks every task whose upstream tasks have all finished: Running when its <c>depends</c> holds,
    /// Omitted when it does not, repeating until nothing changes (an omission can decide another).
    /// </summary>
    public IReadOnlyList<TaskSpec> TakeReady()
    {
        var ready = new List<TaskSpec>();
        bool changed = true;
        while (changed)
        {
            changed = false;
            foreach (TaskSpec task in workflow.Tasks)
            {
                NodeStatus node = nodes[task.Name];
                if (node.Phase != NodePhase.Pending)
                {
                    continue;
                }

                if (stopReason is not null)
                {
                    node.Phase = NodePhase.Omitted;
                    node.Message = stopReason;
                    changed = true;
                    continue;
                }

                DependsExpression? expression = depends[task.Name];
                if (expression is not null && !expression.Tasks.All(t => nodes[t].Phase.IsTerminal()))
                {
                    continue;
                }

                if (expression is null || expression.Evaluate(OutcomeOf))
                {
                    node.Phase = NodePhase.Running;
                    ready.Add(task);
                }
                else
                {
                    node.Phase = NodePhase.Omitted;
                    node.Message = $"depends '{expression.Text}' is false";
                }

                changed = true;
            }
        }

        return ready;
    }

    /// <summary>Records how a node ended; with failFast, an unhandled failure stops new work.</summary>
    public void Complete(string name, NodePhase phase, string? message = null)
    {
        NodeStatus node = nodes[name];
        node.Phase = phase;
        node.Message = message ?? node.Message;
        if (workflow.FailFast && stopReason is null && IsUnhandledFailure(node))
        {
            stopReason = $"not started: failFast after '{name}' {phase.ToString().ToLowerInvariant()}";
        }
    }

    /// <summary>The workflow deadline passed: running nodes fail, pending ones are omitted.</summary>
    public void TimeOut(TimeSpan timeout)
    {
        TimedOut = true;
        string reason = $"workflow timeout of {Durations.Format(timeout)} exceeded";
        stopReason = reason;
        foreach (NodeStatus node in nodes.Values)
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
            return WorkflowPhase.Failed;
        }

        List<NodeStatus> unhandled = nodes.Values.Where(IsUnhandledFailure).ToList();
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

        List<string> failed = nodes.Values.Where(IsUnhandledFailure).Select(n => $"{n.Name} {n.Phase.ToString().ToLowerInvariant()}").ToList();
        return failed.Count == 0 ? null : string.Join("; ", failed);
    }

    bool IsUnhandledFailure(NodeStatus node)
    {
        if (!node.Phase.IsFailure() || failureHandled.Contains(node.Name))
        {
            return false;
        }

        ContinueOnSpec? continueOn = workflow.Tasks.First(t => t.Name == node.Name).ContinueOn;
        return !(node.Phase == NodePhase.Failed && continueOn?.Failed == true)
            && !(node.Phase == NodePhase.Errored && continueOn?.Error == true);
    }

    DependencyOutcome OutcomeOf(string task)
    {
        NodeStatus node = nodes[task];
        ContinueOnSpec? continueOn = workflow.Tasks.First(t => t.Name == task).ContinueOn;
        return new DependencyOutcome(node.Phase, continueOn, node.Items?.AnySucceeded ?? node.Phase == NodePhase.Succeeded, node.Items?.AllFailed ?? node.Phase.IsFailure());
    }
}
