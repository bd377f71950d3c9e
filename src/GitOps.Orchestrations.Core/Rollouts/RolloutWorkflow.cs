using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Templating;

namespace GitOps.Orchestrations.Core.Rollouts;

/// <summary>
/// A rollout started on its own runs as a one-step workflow, <c>rollout-NAME</c>, whose only task is
/// <c>uses: rollout</c>. It is then a run like any other: pinned to its commit, with a run id, a
/// status, approvals, retry and an audit trail, and no second way of running things to maintain.
/// </summary>
public static class RolloutWorkflow
{
    public const string TaskName = "rollout";

    public static string NameFor(string rollout) => $"rollout-{rollout}";

    /// <summary>The workflow, with one required param for each <c>{{params.NAME}}</c> the rollout uses.</summary>
    public static WorkflowDefinition For(RolloutDefinition rollout)
    {
        IEnumerable<string> texts = new[] { rollout.Image, rollout.Container, rollout.Target.Name, rollout.Target.Namespace, rollout.Target.Cluster }.OfType<string>()
            .Concat(rollout.Analyses.SelectMany(a => a.Args).Select(a => a.Value));
        List<ParamSpec> parameters = texts.SelectMany(Template.References)
            .Select(r => r.Parts)
            .Where(p => p is ["params", _])
            .Select(p => p[1])
            .Distinct(StringComparer.Ordinal)
            .Select(name => new ParamSpec(name, null, $"used by Rollout {rollout.Name}"))
            .ToList();
        return new WorkflowDefinition
        {
            Name = NameFor(rollout.Name),
            Params = parameters,
            Tasks = [new TaskSpec { Name = TaskName, Uses = "rollout", With = JsonSerializer.SerializeToElement(new { rollout = rollout.Name }) }],
        };
    }
}
