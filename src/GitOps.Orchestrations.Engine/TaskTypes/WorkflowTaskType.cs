using System.Text.Json;
using GitOps.Orchestrations.Core.Model;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.Orchestrators;
using GitOps.Orchestrations.Engine.Runs;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes;

/// <summary>
/// <c>uses: workflow</c>: runs another workflow of the same repository and revision as a
/// sub-orchestration. The child's definition was snapshotted with the parent, so it is pinned too.
/// </summary>
public sealed class WorkflowTaskType : ITaskType
{
    public TaskTypeSchema Schema { get; } = new("workflow", new Dictionary<string, FieldSpec>
    {
        ["name"] = new(FieldKind.String, Required: true),
        ["params"] = new(FieldKind.StringMap),
    }, Result: "phase");

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        string name = step.GetString("name")!;
        if (!step.Snapshot.Library.TryGetValue(name, out WorkflowDefinition? child))
        {
            return StepResult.Errored($"workflow '{name}' is not in the run's snapshot of {step.Snapshot.Source}") with { Retryable = false };
        }

        Dictionary<string, string> given = step.GetStringMap("params") ?? new(StringComparer.Ordinal);

        IReadOnlyDictionary<string, string> bound = Core.Planning.ParamBinder.Bind(child, given, out List<string> errors);
        if (errors.Count > 0)
        {
            return StepResult.Errored(string.Join("; ", errors)) with { Retryable = false };
        }

        (string childId, WorkflowRunResult result) = await RunChildAsync(context, step, child, bound);

        var outputs = new Dictionary<string, JsonElement>(StringComparer.Ordinal)
        {
            ["runId"] = JsonSerializer.SerializeToElement(childId),
            ["phase"] = JsonSerializer.SerializeToElement(result.Phase.ToString()),
        };
        return result.Phase == WorkflowPhase.Succeeded
            ? StepResult.Succeeded(outputs)
            : new StepResult(result.Phase == WorkflowPhase.Errored ? NodePhase.Errored : NodePhase.Failed, $"workflow '{name}' ({childId}) ended {result.Phase}: {result.Message}") { Outputs = outputs };
    }

    /// <summary>
    /// Runs <paramref name="child"/> as a sub-orchestration of the step, pinned to the run's snapshot,
    /// and stops it when the step is stopped; shared by <c>uses: workflow</c> and <c>templateRef</c>.
    /// </summary>
    internal static async Task<(string ChildId, WorkflowRunResult Result)> RunChildAsync(TaskOrchestrationContext context, StepInvocation step, WorkflowDefinition child, IReadOnlyDictionary<string, string> parameters)
    {
        string childId = $"{step.RunId}.{step.Path}.{step.Attempt}";
        var input = step.Run with
        {
            Snapshot = step.Snapshot with { Workflow = child },
            Params = parameters,
            Parent = $"{step.RunId}/{step.Path}",
            Progress = null,
            CreatedAt = null,

            // A sub-workflow notifies its own subscribers, not its caller's: the caller's run-failed
            // subscribers hear of the caller failing, once, not of every child along the way.
            Notifications = child.Notifications,
        };
        Task<WorkflowRunResult> running = context.CallSubOrchestratorAsync<WorkflowRunResult>(
            nameof(WorkflowOrchestrator), input, context.Child(childId));

        // A stopped parent (or a timed-out step) stops the sub-workflow too, which stops what it started.
        using CancellationTokenRegistration stopChild = step.Cancellation.Register(() =>
            context.SendEvent(childId, RunStop.Event, step.Approvals.Sign(childId, new StopRequest("engine", $"{step.RunId} stopped waiting for it"))));
        return (childId, await running);
    }
}
