using System.Text.Json;
using GitOps.Orchestrations.Core.Loading;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Templating;
using GitOps.Orchestrations.Core.Validation;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes;

/// <summary>
/// A task with <c>templateRef</c>: runs the WorkflowTemplate of that name, from the run's snapshot,
/// as a sub-orchestration whose params are the task's <c>with</c> arguments. Its outputs are the
/// template's declared outputs or, for a one-step template without any, that step's outputs.
/// </summary>
public sealed class TemplateTaskType : ITaskType
{
    // The arguments are the template's inputs, which the catalog checks; there is no fixed schema.
    public TaskTypeSchema Schema { get; } = new(WorkflowKind.TemplateTaskType, new Dictionary<string, FieldSpec>(), AllowsExtraFields: true, Result: "phase");

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        WorkflowDefinition caller = step.Snapshot.Workflow;
        TaskSpec? task = caller.AllSteps().FirstOrDefault(t => t.Name == step.Node);
        if (task?.TemplateRef is not string name || !step.Snapshot.Templates.TryGetValue(name, out WorkflowDefinition? template))
        {
            return StepResult.Errored($"template '{task?.TemplateRef}' is not in the run's snapshot of {step.Snapshot.Source}") with { Retryable = false };
        }

        // Arguments were rendered with the caller's values; a structured one reaches the template as JSON text, as a param does.
        var given = step.With.EnumerateObject().ToDictionary(a => a.Name, a => Template.AsText(a.Value), StringComparer.Ordinal);
        IReadOnlyDictionary<string, string> bound = Core.Planning.ParamBinder.Bind(template, given, out List<string> errors);
        if (errors.Count > 0)
        {
            return StepResult.Errored($"template '{name}': {string.Join("; ", errors)}") with { Retryable = false };
        }

        (string childId, Runs.WorkflowRunResult result) = await WorkflowTaskType.RunChildAsync(context, step, template, bound);
        var outputs = new Dictionary<string, JsonElement>(result.Outputs, StringComparer.Ordinal);
        if (template.Outputs is null && template.Tasks.Count == 1 && result.Nodes.FirstOrDefault(n => n.Name == template.Tasks[0].Name) is NodeStatus step1)
        {
            foreach (var (key, value) in step1.Outputs)
            {
                outputs[key] = value;
            }
        }

        outputs["runId"] = JsonSerializer.SerializeToElement(childId);
        outputs["phase"] = JsonSerializer.SerializeToElement(result.Phase.ToString());
        return result.Phase == WorkflowPhase.Succeeded
            ? StepResult.Succeeded(outputs)
            : new StepResult(result.Phase == WorkflowPhase.Errored ? NodePhase.Errored : NodePhase.Failed, $"template '{name}' ({childId}) ended {result.Phase}: {result.Message}") { Outputs = outputs };
    }
}
