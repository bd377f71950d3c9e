using GitOps.Orchestrations.Core.Expressions;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Planning;

/// <summary>One task of a workflow as a picture of the run draws it.</summary>
/// <param name="Depends">The tasks its <c>depends</c> names, each once, in the order written.</param>
/// <param name="Condition">The <c>depends</c> text when it is more than a plain list (results, <c>||</c>, <c>!</c>).</param>
/// <param name="Exit">True for the <c>onExit</c> handler, which runs after the DAG and depends on none of it.</param>
public sealed record GraphNode(string Name, string Uses, IReadOnlyList<string> Depends, bool FanOut, string? Condition = null, bool Exit = false);

/// <summary>The DAG of a workflow's tasks: what the dashboard lays out, with edges from <c>depends</c>.</summary>
public static class WorkflowGraph
{
    public static IReadOnlyList<GraphNode> Of(WorkflowDefinition workflow)
    {
        var nodes = new List<GraphNode>(workflow.Tasks.Count + 1);
        foreach (TaskSpec task in workflow.Tasks)
        {
            IReadOnlyList<string> depends = [];
            string? condition = null;
            if (task.Depends is string text && DependsExpression.TryParse(text, out DependsExpression? expression, out _, out _))
            {
                depends = expression!.References.Select(r => r.Task).Distinct(StringComparer.Ordinal).ToList();
                bool plainList = expression.References.All(r => r.Result is null) && !text.Contains("||", StringComparison.Ordinal) && !text.Contains('!', StringComparison.Ordinal);
                condition = plainList ? null : text;
            }

            nodes.Add(new GraphNode(task.Name, task.Uses, depends, task.IsFanOut, condition));

            // A task's hooks hang off it, labelled with the event they run on.
            foreach (var (hook, @event) in Hooks(task.Hooks))
            {
                nodes.Add(new GraphNode(hook.Name, hook.Uses, [task.Name], hook.IsFanOut, $"on {@event}"));
            }
        }

        foreach (var (hook, _) in Hooks(workflow.Hooks))
        {
            nodes.Add(new GraphNode(hook.Name, hook.Uses, [], hook.IsFanOut, Exit: true));
        }

        if (workflow.OnExit is TaskSpec exit)
        {
            nodes.Add(new GraphNode(exit.Name, exit.Uses, [], exit.IsFanOut, Exit: true));
        }

        return nodes;
    }

    static IEnumerable<(TaskSpec Hook, string Event)> Hooks(LifecycleHooks? hooks) =>
        hooks is null ? [] : new[] { (hooks.Running, "running"), (hooks.Succeeded, "succeeded"), (hooks.Failed, "failed"), (hooks.Exit, "exit") }
            .Where(h => h.Item1 is not null).Select(h => (h.Item1!, h.Item2));
}
