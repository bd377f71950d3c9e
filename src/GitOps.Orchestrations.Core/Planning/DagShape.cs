using System.Runtime.CompilerServices;
using GitOps.Orchestrations.Core.Expressions;
using GitOps.Orchestrations.Core.Model;

namespace GitOps.Orchestrations.Core.Planning;

/// <summary>
/// What a workflow's DAG is, as opposed to where a run of it stands: each task's place, its parsed
/// <c>depends</c>, who waits for it, and whether some <c>depends</c> asks about its failure. The
/// same for every replay of every run of the definition, so it is built once per definition
/// (definitions are immutable and a host shares one per snapshot) rather than on every step.
/// </summary>
internal sealed class DagShape
{
    static readonly ConditionalWeakTable<WorkflowDefinition, DagShape> Shapes = [];

    DagShape(WorkflowDefinition workflow)
    {
        int count = workflow.Tasks.Count;
        Depends = new DependsExpression?[count];
        var dependents = new List<int>[count];
        FailureHandled = new bool[count];
        for (int i = 0; i < count; i++)
        {
            Order[workflow.Tasks[i].Name] = i;
            dependents[i] = [];
        }

        var roots = new List<int>();
        for (int i = 0; i < count; i++)
        {
            TaskSpec task = workflow.Tasks[i];
            DependsExpression? expression = task.Depends is null ? null : DependsExpression.ParseCached(task.Depends);
            Depends[i] = expression;
            if (expression is null)
            {
                roots.Add(i);
                continue;
            }

            foreach (string upstream in expression.Tasks)
            {
                dependents[Order[upstream]].Add(i);
                if (expression.HandlesFailureOf(upstream))
                {
                    FailureHandled[Order[upstream]] = true;
                }
            }
        }

        Dependents = [.. dependents.Select(d => d.ToArray())];
        Roots = [.. roots];
    }

    public static DagShape Of(WorkflowDefinition workflow) => Shapes.GetValue(workflow, w => new DagShape(w));

    public Dictionary<string, int> Order { get; } = new(StringComparer.Ordinal);

    public DependsExpression?[] Depends { get; }

    /// <summary>For each task, the tasks whose <c>depends</c> name it.</summary>
    public int[][] Dependents { get; }

    /// <summary>For each task, whether some <c>depends</c> asks about its failure, which makes the failure an expected path.</summary>
    public bool[] FailureHandled { get; }

    /// <summary>The tasks with no <c>depends</c>, ready from the start.</summary>
    public int[] Roots { get; }
}
