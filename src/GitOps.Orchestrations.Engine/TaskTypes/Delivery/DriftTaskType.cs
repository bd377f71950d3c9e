using GitOps.Orchestrations.Core.Delivery;
using GitOps.Orchestrations.Core.Validation;
using GitOps.Orchestrations.Engine.Delivery;
using Microsoft.DurableTask;

namespace GitOps.Orchestrations.Engine.TaskTypes.Delivery;

/// <summary>
/// <c>uses: drift</c>: compares an application's live objects with the render it was last applied
/// from (recorded in its inventory) and reports each drifted object with its field paths. With
/// <c>selfHeal: true</c> it applies that same render again. Put it in a workflow with a schedule.
/// </summary>
public sealed class DriftTaskType : ITaskType
{
    public TaskTypeSchema Schema { get; } = new("drift", new Dictionary<string, FieldSpec>
    {
        ["target"] = new(FieldKind.Object, Required: true),
        ["name"] = new(FieldKind.String, Required: true),
        ["selfHeal"] = new(FieldKind.Boolean),
        ["ignoreDifferences"] = new(FieldKind.Any),
        ["failOnDrift"] = new(FieldKind.Boolean),
    });

    public async Task<StepResult> RunAsync(TaskOrchestrationContext context, StepInvocation step)
    {
        TargetSpec target = DeliverySteps.Read<TargetSpec>(step, "target")!;
        if (target.Kubernetes is null)
        {
            return StepResult.Failed("drift needs target.kubernetes") with { Retryable = false };
        }

        bool selfHeal = DeliverySteps.Flag(step, "selfHeal");
        var request = new DriftRequest(target.Kubernetes, DeliverySteps.Application(step), DeliverySteps.Read<List<IgnoreDifference>>(step, "ignoreDifferences") ?? [], selfHeal);
        DriftResult result = await context.CallActivityAsync<DriftResult>(DeliveryActivities.DetectDrift, request);
        if (result.Error is not null)
        {
            return DeliverySteps.Fail(result);
        }

        var outputs = DeliverySteps.Outputs(("drifted", result.Drifted), ("healed", result.Healed), ("revision", result.Revision), ("count", result.Drifted.Count));
        if (result.Drifted.Count == 0)
        {
            return StepResult.Succeeded(outputs) with { Message = "in sync" };
        }

        string described = string.Join("; ", result.Drifted.Take(5).Select(d => $"{d.Object} {string.Join(",", d.Fields)}"));
        string message = result.Healed ? $"healed {result.Drifted.Count} drifted: {described}" : $"{result.Drifted.Count} drifted: {described}";
        return DeliverySteps.Flag(step, "failOnDrift") && !result.Healed
            ? StepResult.Failed(message) with { Outputs = outputs, Retryable = false }
            : StepResult.Succeeded(outputs) with { Message = message };
    }
}
